// Writing results atomically (a temp file in the destination folder, then a rename) that never leave a partial
// file and never replace a protected one.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, link, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { EngineError, quote } from '../errors';

export interface WriteOptions {
  /** Replace an existing file at the target. */
  overwrite: boolean;
  /** Files that must never be replaced (the photo, the mask), whatever `overwrite` says. */
  protect: readonly string[];
}

/** `write` fills the temp file; it then takes the target's name in one step, or is removed. */
export async function writeAtomically(target: string, write: (temp: string) => Promise<void>, options: WriteOptions): Promise<void> {
  const file = await checkTarget(target, options);
  const dir = path.dirname(file);
  const temp = path.join(dir, `.holefill-tmp-${randomBytes(6).toString('hex')}-${path.basename(file)}`);
  try {
    await write(temp);
    await (options.overwrite ? rename(temp, file) : publishNew(temp, file));
  } catch (err) {
    await rm(temp, { force: true });
    throw writeError(err, file);
  }
}

/** Whether `target` may be written (checked again when it is): its folder exists, it is not protected,
 * and it does not exist unless overwriting. Returns the absolute path. */
export async function checkTarget(target: string, options: WriteOptions): Promise<string> {
  const file = path.resolve(target);
  await checkFolder(path.dirname(file));
  for (const p of options.protect) {
    if (await sameFile(file, p)) {
      throw new EngineError('would-overwrite-input', `Refusing to write over ${quote(p)}: the output must not be the photo or the mask.`);
    }
  }
  if (!options.overwrite && (await exists(file))) {
    throw new EngineError('output-exists', `The output ${quote(file)} already exists (${file}).`);
  }
  return file;
}

/** Without overwrite, link() refuses an existing target even if one appeared meanwhile (rename would not). */
async function publishNew(temp: string, file: string): Promise<void> {
  try {
    await link(temp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new EngineError('output-exists', `The output ${quote(file)} already exists (${file}).`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    if (await exists(file)) throw new EngineError('output-exists', `The output ${quote(file)} already exists (${file}).`);
    await rename(temp, file); // a file system without hard links (FAT, some network shares)
    return;
  }
  await rm(temp, { force: true });
}

async function checkFolder(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new EngineError('output-unwritable', `The output folder ${dir} does not exist.`);
  if (!info.isDirectory()) throw new EngineError('output-unwritable', `The output folder ${dir} is not a folder.`);
  try {
    await access(dir, constants.W_OK); // read-only mounts and permissions, before any work is done
  } catch (err) {
    throw new EngineError('output-unwritable', `Cannot write to the output folder ${dir}: ${writeProblem(err) ?? (err as Error).message}.`);
  }
}

const exists = (file: string) => stat(file).then(() => true, () => false);

async function sameFile(a: string, b: string): Promise<boolean> {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return false;
  }
}

const WRITE_PROBLEMS: [RegExp | string, string][] = [
  ['ENOSPC', 'the disk is full'],
  [/no space left/i, 'the disk is full'],
  ['EROFS', 'the folder is read-only'],
  [/read-only file system/i, 'the folder is read-only'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
  [/permission denied/i, 'permission denied'],
  ['EDQUOT', 'the disk quota is exceeded'],
  [/unable to open for write/i, 'no file can be created there'], // libvips, for any other reason (/proc, /sys)
];

/** Why a write failed, in words, when it is the destination's fault (null: some other error). */
export function writeProblem(err: unknown): string | null {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  for (const [pattern, why] of WRITE_PROBLEMS) {
    if (typeof pattern === 'string' ? code === pattern : pattern.test(message)) return why;
  }
  return null;
}

/** Write failures say why in words; anything else (an encoder error) passes through as 'failed'. */
export function writeError(err: unknown, file: string): EngineError {
  if (err instanceof EngineError) return err;
  const why = writeProblem(err);
  if (why) return new EngineError('output-unwritable', `Cannot write ${quote(file)}: ${why} (${path.dirname(file)}).`);
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError('failed', `Writing ${quote(file)} failed: ${message.split('\n')[0]}`);
}

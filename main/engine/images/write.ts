// Writing files atomically (a temp file in the destination folder, then a rename) that never leave a partial
// file: the one atomic write (atomicWrite), used for image outputs here, which also never replace a protected file,
// and for main's own files in userData (state/atomic-file.ts).
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

/**
 * `write` fills a temp file beside `file` (hidden, so no batch picks it up); it then takes the file's name in one
 * step, or is removed. Without `replace`, a file already there (even one that appeared meanwhile) is kept: the
 * write fails with code 'EEXIST'.
 */
export async function atomicWrite(file: string, write: (temp: string) => Promise<void>, { replace }: { replace: boolean }): Promise<void> {
  const temp = path.join(path.dirname(file), `.holefill-tmp-${randomBytes(6).toString('hex')}-${path.basename(file)}`);
  try {
    await write(temp);
    await (replace ? rename(temp, file) : publishNew(temp, file));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** An image output: checked first (checkTarget), written atomically, a failure said in words. */
export async function writeOutputFile(target: string, write: (temp: string) => Promise<void>, options: WriteOptions): Promise<void> {
  const file = await checkTarget(target, options);
  try {
    await atomicWrite(file, write, { replace: options.overwrite });
  } catch (err) {
    throw (err as NodeJS.ErrnoException).code === 'EEXIST' ? outputExists(file) : writeError(err, file);
  }
}

const outputExists = (file: string) => new EngineError('output-exists', `The output ${quote(file)} already exists (${file}).`);

/** Whether `target` may be written (checked again when it is): its folder exists, it is not protected,
 * and it does not exist unless overwriting. Returns the absolute path. */
export async function checkTarget(target: string, options: WriteOptions): Promise<string> {
  const file = path.resolve(target);
  await checkFolder(path.dirname(file));
  for (const p of options.protect) {
    if (await sameFileOnDisk(file, p)) {
      throw new EngineError('would-overwrite-input', `Refusing to write over ${quote(p)}: the output must not be the photo or the mask.`);
    }
  }
  if (!options.overwrite && (await exists(file))) throw outputExists(file);
  return file;
}

/** Without replace, link() refuses an existing target even if one appeared meanwhile (rename would not). */
async function publishNew(temp: string, file: string): Promise<void> {
  try {
    await link(temp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err; // EEXIST: the file is there
    if (await exists(file)) throw Object.assign(new Error(`${file} already exists`), { code: 'EEXIST' });
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

/** One file on disk: the same path, or two paths that resolve to it (links). */
async function sameFileOnDisk(a: string, b: string): Promise<boolean> {
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

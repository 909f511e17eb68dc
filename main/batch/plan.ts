// Planning a folder job: which photos, which mask for each, where each output goes. Everything that would
// refuse the whole batch (a missing folder, an unwritable output, the input folder as output) is found here,
// before any work; problems with single files are left for the run to report per file.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BatchOptions, OutputFormat } from '../contract/app-api';
import type { MaskInput } from '../contract/engine';
import { EngineError, formatFromPath } from '../engine';

/** The photos a batch picks up, by extension (anything else in the folder is left alone). */
export const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.png', '.webp', '.tif', '.tiff', '.avif']);
/** A mask for "photo.jpg" is named "photo.<ext>", "photo_mask.<ext>", "photo-mask.<ext>" or "photo.mask.<ext>". */
const MASK_SUFFIXES = ['', '_mask', '-mask', '.mask'];
/** Outputs written into the input folder (when allowed) get this suffix, so they never take a photo's name. */
const IN_PLACE_SUFFIX = '-holefill';

export interface BatchItem {
  /** Relative to the input folder, with forward slashes: what progress and the summary show. */
  file: string;
  photo: string;
  /** null: no mask was found for this photo (it fails with that reason). */
  mask: MaskInput | null;
  output: string;
  format: OutputFormat;
}

export interface BatchPlan {
  items: BatchItem[];
  inputDir: string;
  outputDir: string;
}

export async function planBatch(options: BatchOptions): Promise<BatchPlan> {
  const inputDir = await requireFolder(options.inputDir, 'input folder');
  const outputDir = await prepareOutputFolder(options.outputDir);
  const inPlace = (await realpath(outputDir)) === (await realpath(inputDir));
  if (inPlace && !options.allowInputDir) {
    throw new EngineError('would-overwrite-input', `The output folder is the input folder (${inputDir}); choose another, or allow writing there.`);
  }
  const masksDir = options.masks.kind === 'folder' ? await requireFolder(options.masks.dir, 'masks folder') : null;
  const maskFiles = masksDir ? await listImages(masksDir, options.recursive, []) : [];
  const masksByName = new Map(maskFiles.map((f) => [withoutExtension(f).toLowerCase(), path.join(masksDir!, f)]));
  const photos = await photosIn({ inputDir, recursive: options.recursive, outputDir, masksDir, inPlace });

  const inputs = new Set([...photos.map((f) => path.join(inputDir, f)), ...maskFiles.map((f) => path.join(masksDir!, f))]);
  const items = photos.map((file): BatchItem => {
    const format = outputFormat(file, options.format);
    let output = path.join(outputDir, withoutExtension(file) + (inPlace ? IN_PLACE_SUFFIX : '') + EXTENSION[format](file));
    if (inputs.has(output)) output = path.join(outputDir, withoutExtension(file) + IN_PLACE_SUFFIX + EXTENSION[format](file));
    return { file: file.split(path.sep).join('/'), photo: path.join(inputDir, file), mask: maskFor(file, options, masksByName), output, format };
  });
  return { items, inputDir, outputDir };
}

/** What a batch reads as photos: the images under inputDir, never its own outputs, nor the masks. */
interface PhotoQuery {
  inputDir: string;
  recursive: boolean;
  /** null: not chosen yet. A folder that does not exist yet is fine: nothing is read from it. */
  outputDir: string | null;
  masksDir: string | null;
  /** The outputs go into the input folder itself (allowed by the person): they are named "-holefill". */
  inPlace: boolean;
}

async function photosIn({ inputDir, recursive, outputDir, masksDir, inPlace }: PhotoQuery): Promise<string[]> {
  const exclude = [outputDir, masksDir].filter((d): d is string => d !== null && d !== inputDir);
  let photos = await listImages(inputDir, recursive, exclude);
  if (masksDir === inputDir) photos = photos.filter((f) => !MASK_SUFFIXES.slice(1).some((s) => withoutExtension(f).endsWith(s)));
  if (inPlace) photos = photos.filter((f) => !withoutExtension(f).endsWith(IN_PLACE_SUFFIX)); // a rerun must not eat its outputs
  return photos;
}

/**
 * How many photos a batch would process (the dialog shows it before starting): the same photos planBatch takes,
 * so a default output folder inside the input one (`inpainted/`) is never counted, whatever is in it.
 */
export async function countImages(query: { inputDir: string; recursive: boolean; outputDir: string | null; masksDir: string | null }): Promise<number> {
  const inputDir = await requireFolder(query.inputDir, 'input folder');
  const resolve = (dir: string | null) => (dir === null ? null : path.resolve(dir));
  const [outputDir, masksDir] = [resolve(query.outputDir), resolve(query.masksDir)];
  return (await photosIn({ inputDir, recursive: query.recursive, outputDir, masksDir, inPlace: outputDir === inputDir })).length;
}

function maskFor(file: string, options: BatchOptions, masksByName: Map<string, string>): MaskInput | null {
  const masks = options.masks;
  if (masks.kind === 'single') return { kind: 'file', path: masks.file };
  if (masks.kind === 'painted') return { kind: 'bytes', data: masks.mask };
  const stem = withoutExtension(file).toLowerCase();
  const base = path.basename(stem);
  for (const name of [stem, base]) {
    for (const suffix of MASK_SUFFIXES) {
      const found = masksByName.get(name + suffix);
      if (found) return { kind: 'file', path: found };
    }
  }
  return null;
}

const EXTENSION: Record<OutputFormat, (input: string) => string> = {
  png: () => '.png',
  jpeg: (input) => (formatFromPath(input) === 'jpeg' ? path.extname(input) : '.jpg'),
  webp: () => '.webp',
  tiff: (input) => (formatFromPath(input) === 'tiff' ? path.extname(input) : '.tif'),
};

/** 'same' keeps the photo's format where Holefill can write it (AVIF becomes PNG). */
function outputFormat(file: string, format: BatchOptions['format']): OutputFormat {
  return format === 'same' ? (formatFromPath(file) ?? 'png') : format;
}

const withoutExtension = (file: string) => file.slice(0, file.length - path.extname(file).length);

/** Image files under `dir` (relative paths, sorted), skipping hidden files and the `exclude` folders. */
async function listImages(dir: string, recursive: boolean, exclude: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // hidden files, our own temp files
      const relPath = path.join(rel, entry.name);
      const full = path.join(dir, relPath);
      const info = entry.isSymbolicLink() ? await stat(full).catch(() => null) : entry;
      if (!info) continue;
      if (info.isDirectory()) {
        if (recursive && !exclude.includes(full)) await walk(relPath);
      } else if (info.isFile() && PHOTO_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        found.push(relPath);
      }
    }
  };
  await walk('');
  return found.sort();
}

async function requireFolder(dir: string, what: string): Promise<string> {
  const full = path.resolve(dir);
  const info = await stat(full).catch(() => null);
  if (!info) throw new EngineError('not-found', `The ${what} ${full} does not exist.`);
  if (!info.isDirectory()) throw new EngineError('unreadable', `The ${what} ${full} is not a folder.`);
  return full;
}

/** Creates the output folder if needed and proves it can be written, so a batch fails before it starts. */
async function prepareOutputFolder(dir: string): Promise<string> {
  const full = path.resolve(dir);
  const info = await stat(full).catch(() => null);
  if (info && !info.isDirectory()) throw new EngineError('output-unwritable', `The output folder ${full} is a file, not a folder.`);
  const probe = path.join(full, `.holefill-tmp-probe-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(full, { recursive: true });
    await writeFile(probe, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = { EROFS: 'it is read-only', EACCES: 'permission denied', EPERM: 'permission denied', ENOSPC: 'the disk is full', ENOTDIR: 'part of its path is a file' }[code] ?? code;
    throw new EngineError('output-unwritable', `Cannot write to the output folder ${full}: ${why}.`);
  } finally {
    await rm(probe, { force: true }).catch(() => {}); // nothing to remove when the folder could not be made
  }
  return full;
}

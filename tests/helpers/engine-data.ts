// Real data for the engine, CLI and batch tests: the shipped model, eval photos and NVIDIA's masks,
// read in place from ../shared/data (CI clones the repo with shared/ beside it).
import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export { tempDir } from './temp';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const dataDir = path.resolve(repoRoot, '../shared/data');
export const MODEL = path.join(repoRoot, 'native-models', 'pconv-unet.onnx');
export const CLI = path.join(repoRoot, 'bin', 'holefill.js');

/** kodim01..kodim24: 500x500 PNG. */
export const kodak = (n: number) => path.join(dataDir, 'eval', 'kodak24', `kodim${String(n).padStart(2, '0')}.png`);

/** The i-th Sun-Hays scene (about 1024x768 JPEG), by sorted name. */
export function sunHays(i: number): string {
  const dir = path.join(dataDir, 'eval', 'sun-hays80');
  const names = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort();
  return path.join(dir, names[i % names.length]!);
}

/** A held-out NVIDIA irregular mask (512x512, 255 = hole); n should be a multiple of 10. */
export const nvidiaMask = (n: number) => path.join(dataDir, 'masks', 'nvidia-irregular', `${String(n).padStart(5, '0')}.png`);

/** NVIDIA mask n fitted to width x height (cover, then binarized), written as a PNG. */
export async function fitMask(n: number, width: number, height: number, file: string): Promise<string> {
  const grey = await sharp(nvidiaMask(n)).resize(width, height, { fit: 'cover' }).threshold(128).toColourspace('b-w').png().toBuffer();
  await sharp(grey).toFile(file);
  return file;
}

/** A black mask with white rectangles (the holes). */
export async function rectMask(width: number, height: number, rects: { x: number; y: number; width: number; height: number }[], file: string): Promise<string> {
  const holes = await Promise.all(
    rects.map(async (r) => ({ input: await sharp({ create: { width: r.width, height: r.height, channels: 3, background: '#fff' } }).png().toBuffer(), left: r.x, top: r.y })),
  );
  await sharp({ create: { width, height, channels: 3, background: '#000' } }).composite(holes).toColourspace('b-w').png().toFile(file);
  return file;
}

/** The part of a full-size mask file under `rect` as the editor sends a small one: RGBA pixels, opaque, grey bands. */
export async function regionOf(maskFile: string, rect: { x: number; y: number; width: number; height: number }) {
  const data = await sharp(maskFile).extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height }).toColourspace('srgb').removeAlpha().ensureAlpha().raw().toBuffer();
  return { kind: 'pixels' as const, rect, channels: 4 as const, data };
}

export interface Raw {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

/** Decoded pixels as sharp gives them (upright only when asked). */
export async function raw(file: string | Buffer, options: { upright?: boolean; keepAlpha?: boolean } = {}): Promise<Raw> {
  let image = sharp(file, { autoOrient: options.upright ?? false });
  if (!options.keepAlpha) image = image.removeAlpha();
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** The mask as one channel, 255 = hole. */
export async function maskRaw(file: string): Promise<Buffer> {
  return sharp(file).toColourspace('b-w').threshold(128).toColourspace('b-w').raw().toBuffer();
}

/** How two decodes of the same size differ, inside and outside a mask (a test-side loop over bytes). */
export function compareWithMask(a: Raw, b: Raw, mask: Buffer): { outsideDiffs: number; holePixels: number; holeChanged: number } {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(`sizes differ: ${a.width}x${a.height}x${a.channels} vs ${b.width}x${b.height}x${b.channels}`);
  }
  let outsideDiffs = 0;
  let holePixels = 0;
  let holeChanged = 0;
  const c = a.channels;
  for (let i = 0; i < a.width * a.height; i++) {
    let differs = false;
    for (let k = 0; k < c; k++) if (a.data[i * c + k] !== b.data[i * c + k]) differs = true;
    if (mask[i]) {
      holePixels++;
      if (differs) holeChanged++;
    } else if (differs) outsideDiffs++;
  }
  return { outsideDiffs, holePixels, holeChanged };
}

/** Files in a folder, for "no temp files left" checks. */
export const listDir = (dir: string) => readdir(dir).then((f) => f.sort());

/** A process's peak resident memory (VmHWM), in MB; Linux only. */
export async function peakRssMb(pid: number): Promise<number | null> {
  try {
    const { readFile } = await import('node:fs/promises');
    const match = (await readFile(`/proc/${pid}/status`, 'utf8')).match(/VmHWM:\s+(\d+) kB/);
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { MaskRegion } from '../../main/contract/app-api';

/** A fresh temp folder removed after the test. */
export async function tempDir(t: { after(fn: () => unknown): void }, prefix = 'holefill-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A small real JPEG photo with a gradient, so decoding and previews are real. */
export async function writePhoto(file: string, width = 96, height = 64): Promise<string> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g"><stop offset="0" stop-color="#3a6"/><stop offset="1" stop-color="#36a"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width / 2}" cy="${height / 2}" r="${height / 5}" fill="#c33"/></svg>`;
  await sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toFile(file);
  return file;
}

/**
 * Remove Object's mask for a photo of this size: a region around a white (hole) square in the middle, with
 * a black (keep) border of a few pixels, as the editor sends it (the canvas's RGBA pixels over rect).
 */
export async function maskRegion(width: number, height: number): Promise<Extract<MaskRegion, { kind: 'pixels' }>> {
  const s = Math.round(Math.min(width, height) / 4);
  const border = 3;
  const rect = { x: Math.round((width - s) / 2) - border, y: Math.round((height - s) / 2) - border, width: s + 2 * border, height: s + 2 * border };
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${rect.width}" height="${rect.height}">
    <rect width="100%" height="100%" fill="#000"/><rect x="${border}" y="${border}" width="${s}" height="${s}" fill="#fff"/></svg>`;
  return { kind: 'pixels', rect, channels: 4, data: new Uint8Array(await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer()) };
}

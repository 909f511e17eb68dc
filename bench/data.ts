// The bench's inputs, made from the project's real photos and masks (../shared/data, read in place): a
// large JPEG scaled up from an eval photo, object-like hole masks of a given share of the photo, a folder
// of about-1024x768 photos, a wire across a photo, and model tiles (a photo crop and an NVIDIA mask as tensors).
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Rect } from '../main/contract/app-api';
import { loadInProcessEngine } from '../main/engine';
import { maskSvg, wirePath } from '../tests/helpers/shapes';

const { toTensors } = await loadInProcessEngine();

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const dataDir = path.resolve(repoRoot, '../shared/data');

export function requireData(): void {
  if (!existsSync(path.join(dataDir, 'eval'))) {
    throw new Error(`The bench reads photos and masks from ${dataDir} (the shared data folder beside the repository); it is missing.`);
  }
}

function evalPhotos(): string[] {
  const dir = path.join(dataDir, 'eval', 'sun-hays80');
  return readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(dir, f));
}

/** An eval photo scaled (Lanczos) to width x height, as a JPEG: a stand-in for a camera's photo. */
export async function largePhoto(file: string, width: number, height: number, index = 3): Promise<string> {
  const photos = evalPhotos();
  await sharp(photos[index % photos.length]!).resize(width, height, { fit: 'cover', kernel: 'lanczos3' }).jpeg({ quality: 92, chromaSubsampling: '4:2:0' }).toFile(file);
  return file;
}

/**
 * A mask (white = hole) with one object-like hole covering `share` of the photo: an ellipse a little
 * taller than wide, left of centre, as a person or a sign would be.
 */
export async function objectMask(file: string, width: number, height: number, share: number): Promise<string> {
  const area = share * width * height;
  const rx = Math.sqrt(area / Math.PI / 1.4);
  const ry = rx * 1.4;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#000"/>
    <ellipse cx="${(0.42 * width).toFixed(1)}" cy="${(0.55 * height).toFixed(1)}" rx="${rx.toFixed(1)}" ry="${ry.toFixed(1)}" fill="#fff"/></svg>`;
  await sharp(Buffer.from(svg)).greyscale().threshold(128).png().toFile(file);
  return file;
}

/**
 * The same hole as objectMask, as the app sends it: only the painted rectangle (the ellipse's box and a
 * brush's margin), the canvas's RGBA pixels over it (white on opaque black), placed at `rect`.
 */
export async function objectRegion(width: number, height: number, share: number): Promise<{ kind: 'pixels'; rect: Rect; channels: 4; data: Buffer }> {
  const area = share * width * height;
  const rx = Math.sqrt(area / Math.PI / 1.4);
  const ry = rx * 1.4;
  const [cx, cy] = [0.42 * width, 0.55 * height];
  const margin = 16;
  const x = Math.max(0, Math.floor(cx - rx) - margin);
  const y = Math.max(0, Math.floor(cy - ry) - margin);
  const rect = { x, y, width: Math.min(width, Math.ceil(cx + rx) + margin) - x, height: Math.min(height, Math.ceil(cy + ry) + margin) - y };
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${rect.width}" height="${rect.height}" viewBox="${x} ${y} ${rect.width} ${rect.height}">
    <rect x="${x}" y="${y}" width="100%" height="100%" fill="#000"/>
    <ellipse cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" rx="${rx.toFixed(1)}" ry="${ry.toFixed(1)}" fill="#fff"/></svg>`;
  return { kind: 'pixels', rect, channels: 4, data: await sharp(Buffer.from(svg)).threshold(128).ensureAlpha().raw().toBuffer() };
}

/**
 * A wire across the photo (a curve `thickness` px wide from its left edge to its right), as the app sends a
 * painting that spans the photo: the whole frame's mask, as a PNG (it is over RAW_REGION_MAX_PIXELS).
 */
export async function wireRegion(width: number, height: number, thickness: number): Promise<{ kind: 'region'; rect: Rect; data: Buffer }> {
  const svg = maskSvg(width, height, wirePath(width, height, thickness));
  return { kind: 'region', rect: { x: 0, y: 0, width, height }, data: await sharp(Buffer.from(svg)).greyscale().threshold(128).png().toBuffer() };
}

/** n photos of exactly width x height (eval photos, cycled; repeats mirrored so no two files are equal). */
export async function photoFolder(dir: string, n: number, width = 1024, height = 768): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const photos = evalPhotos();
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const file = path.join(dir, `photo-${String(i).padStart(3, '0')}.jpg`);
    let image = sharp(photos[i % photos.length]!).resize(width, height, { fit: 'cover', kernel: 'lanczos3' });
    if (Math.floor(i / photos.length) % 2 === 1) image = image.flop();
    await image.jpeg({ quality: 92 }).toFile(file);
    files.push(file);
  }
  return files;
}

/** A model tile: a Kodak photo crop and a held-out NVIDIA mask at width x height, as the engine's tensors. */
export async function modelTile(width: number, height: number, maskNumber = 4010) {
  const photo = path.join(dataDir, 'eval', 'kodak24', 'kodim03.png');
  const mask = path.join(dataDir, 'masks', 'nvidia-irregular', `${String(maskNumber).padStart(5, '0')}.png`);
  const rgb = await sharp(photo).resize(width, height, { fit: 'cover' }).removeAlpha().raw().toBuffer();
  const holes = await sharp(mask).resize(width, height, { fit: 'fill', kernel: 'nearest' }).threshold(128).toColourspace('b-w').raw().toBuffer();
  return toTensors(rgb, holes, width, height);
}

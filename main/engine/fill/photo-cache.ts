// The open photo's pixels, kept decoded between Remove Object runs. A person removes one thing after
// another from the photo that is open, and on a 24-megapixel photo the decode costs more than the fill
// itself: with the pixels kept, each run costs what its holes cost. An entry is used only while the file
// is unchanged (same inode, size and modification time). With them, a copy shrunk REDUCED_FACTOR times, which
// large crops are scaled from.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { decodeRgb, type RawImage } from '../images/decode';
import { REDUCED_FACTOR } from './tile-geometry';

/** Photos kept: the open one and the one before it (two 24 MP photos are about 150 MB). */
const KEEP = 2;

interface Entry {
  key: string;
  image: Promise<RawImage>;
}

const recent: Entry[] = [];

async function keyOf(photo: string): Promise<string | null> {
  const info = await stat(photo).catch(() => null);
  return info ? [path.resolve(photo), info.ino, info.size, info.mtimeMs].join('\0') : null;
}

/** The photo's upright 8-bit RGB pixels, decoded now or earlier; kept for the next run. */
export async function openPhotoPixels(photo: string): Promise<RawImage> {
  const key = await keyOf(photo);
  if (key === null) return decodeRgb(photo); // let the decoder name the problem
  const hit = recent.findIndex((e) => e.key === key);
  if (hit >= 0) {
    const [entry] = recent.splice(hit, 1);
    recent.unshift(entry!);
    return entry!.image;
  }
  // Its reduced copy is made now too, while the person is still looking at the photo.
  const entry = { key, image: decodeRgb(photo).then(async (image) => (await reducedCopy(image), image)) };
  recent.unshift(entry);
  recent.splice(KEEP);
  entry.image.catch(() => {
    const i = recent.indexOf(entry);
    if (i >= 0) recent.splice(i, 1); // a failed decode is not remembered
  });
  return entry.image;
}

/** Decodes ahead, when a photo is opened, so that its first Remove Object does not wait for it. */
export function warmPhotoPixels(photo: string): void {
  openPhotoPixels(photo).catch(() => {}); // errors surface when the pixels are asked for
}

/** Forgets every kept photo (tests, and a worker asked to free memory). */
export function forgetPhotoPixels(): void {
  recent.length = 0;
}

/** The photo shrunk `factor` times: pixel (x, y) stands for the factor x factor block at (factor x, factor y). */
export interface Reduced {
  data: Buffer;
  width: number;
  height: number;
  factor: number;
}

const reducedCopies = new WeakMap<RawImage, Promise<Reduced | null>>();

/**
 * The decoded photo shrunk REDUCED_FACTOR times (1/16 of its memory), made once per decoded photo and kept
 * with it: a large hole's crop is scaled down many times to the model's size, and read from this copy it costs
 * 1/16 of the pixels (a 16 MP crop: 41 -> 5 ms). Whole blocks only (crops that read it end on a whole block).
 */
export function reducedCopy(image: RawImage): Promise<Reduced | null> {
  let copy = reducedCopies.get(image);
  if (!copy) {
    // Only a speed-up: if it cannot be made (memory), crops are scaled from the photo itself.
    copy = shrinkBlocks(image, REDUCED_FACTOR).catch(() => null);
    reducedCopies.set(image, copy);
  }
  return copy;
}

async function shrinkBlocks(image: RawImage, factor: number): Promise<Reduced | null> {
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  if (width < 1 || height < 1) return null;
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left: 0, top: 0, width: width * factor, height: height * factor })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  return { data, width, height, factor };
}

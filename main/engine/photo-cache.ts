// The open photo's pixels, kept decoded between Remove Object runs. A person removes one thing after
// another from the photo that is open, and on a 24-megapixel photo the decode costs more than the fill
// itself: with the pixels kept, each run costs what its holes cost. An entry is used only while the file
// is unchanged (same inode, size and modification time).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { decodeRgb, reducedCopy, type RawImage } from './image-io';

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

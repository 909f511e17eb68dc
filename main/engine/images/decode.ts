// Reading photos: the pixel limit, EXIF orientation, the file's own colour values, clear errors.
import { stat } from 'node:fs/promises';
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import type { Patch, Rect } from '../../contract/app-api';
import { MAX_INPUT_PIXELS } from '../../contract/limits';
import { decodeError, EngineError, quote } from '../errors';

/** libvips as the engine runs it (worker-process/entry.ts; the bench measures with the same): no operation cache, as
 * every photo and mask is new and a cache only holds memory. */
export function setUpLibvips(): void {
  sharp.cache(false);
}

/**
 * Every decode goes through here: upright (EXIF orientation applied), bounded, failing on damaged data
 * (truncation, decoder errors) but not on harmless warnings, and with the file's own colour values
 * (ignoreIcc) so that pixels outside the hole come back exactly as stored, with the profile kept beside them.
 */
export function decode(source: string | Uint8Array, options: SharpOptions = {}): Sharp {
  return sharp(asInput(source), {
    limitInputPixels: MAX_INPUT_PIXELS,
    failOn: 'error',
    autoOrient: true,
    ignoreIcc: true,
    ...options,
  });
}

export const asInput = (source: string | Uint8Array) =>
  typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength);

export interface ImageHeader {
  width: number; // upright: after EXIF orientation
  height: number;
  format: string;
  hasAlpha: boolean;
  space: string;
  depth: string;
  /** The file's EXIF orientation (1 when absent). */
  orientation: number;
}

/** Reads only the header: size, format, alpha. Refuses missing files, non-images and decompression bombs. */
export async function readHeader(source: string | Uint8Array, what: string, label = typeof source === 'string' ? source : what): Promise<ImageHeader> {
  if (typeof source === 'string') await requireFile(source, what);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(asInput(source), { limitInputPixels: false }).metadata();
  } catch (err) {
    throw decodeError(what, label, err);
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new EngineError('corrupt-image', `The ${what} ${quote(label)} has no readable size in its header.`);
  if (width * height > MAX_INPUT_PIXELS) {
    const mp = ((width * height) / 1e6).toFixed(0);
    throw new EngineError(
      'too-large',
      `The ${what} ${quote(label)} is ${width}x${height} (${mp} megapixels); Holefill refuses images above ` +
        `${MAX_INPUT_PIXELS / 1e6} megapixels (a guard against decompression bombs).`,
    );
  }
  return {
    width,
    height,
    format: meta.format ?? 'unknown',
    hasAlpha: meta.hasAlpha ?? false,
    space: meta.space ?? 'srgb',
    depth: meta.depth ?? 'uchar',
    orientation: meta.orientation ?? 1,
  };
}

async function requireFile(file: string, what: string): Promise<void> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new EngineError('unreadable', `The ${what} ${quote(file)} is not a file (${file}).`);
  } catch (err) {
    throw decodeError(what, file, err);
  }
}

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

/**
 * The upright photo as 8-bit RGB, with the result layers composited over it (bottom to top): the picture
 * the person sees and wants filled. The only full-frame buffer the pipeline holds.
 */
export async function decodeRgb(photo: string, layers: readonly Patch[] = []): Promise<RawImage> {
  let image = decode(photo).pipelineColourspace('srgb');
  if (layers.length) image = image.composite(layerInputs(layers));
  try {
    const { data, info } = await image.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (err) {
    throw decodeError('photo', photo, err);
  }
}

export const layerInputs = (layers: readonly Patch[]) =>
  layers.map((l) => ({ input: Buffer.from(l.patch.buffer, l.patch.byteOffset, l.patch.byteLength), left: l.rect.x, top: l.rect.y }));

/** Each layer must be a PNG of its rectangle's size, inside the photo. */
export async function checkLayers(layers: readonly Patch[], width: number, height: number): Promise<void> {
  for (const [i, layer] of layers.entries()) {
    const { rect } = layer;
    const header = await readHeader(layer.patch, `result layer ${i + 1}`);
    if (header.width !== rect.width || header.height !== rect.height) {
      throw new EngineError('invalid-request', `Result layer ${i + 1} is ${header.width}x${header.height} but its rectangle is ${rect.width}x${rect.height}.`);
    }
    if (rect.x + rect.width > width || rect.y + rect.height > height) {
      throw new EngineError('invalid-request', `Result layer ${i + 1} lies outside the ${width}x${height} photo.`);
    }
  }
}

/** `image` (covering `rect`) placed in `box`, which contains it, with `value` around it: `channels` 8-bit bands
 * (without the colourspace, sharp would write one band as three). */
export function placeIn(image: Sharp, rect: Rect, box: Rect, value: number, channels: 1 | 3): Promise<Buffer> {
  const space = channels === 1 ? 'b-w' : 'srgb';
  const same = rect.x === box.x && rect.y === box.y && rect.width === box.width && rect.height === box.height;
  if (same) return image.toColourspace(space).raw().toBuffer();
  return image
    .extend({
      left: rect.x - box.x,
      top: rect.y - box.y,
      right: box.x + box.width - rect.x - rect.width,
      bottom: box.y + box.height - rect.y - rect.height,
      background: { r: value, g: value, b: value },
    })
    .toColourspace(space)
    .raw()
    .toBuffer();
}

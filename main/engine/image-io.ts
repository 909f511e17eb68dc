// Reading photos and masks: the pixel limit, EXIF orientation, the file's own colour values, clear errors.
import { stat } from 'node:fs/promises';
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import type { Rect } from '../contract/app-api';
import type { Layer, MaskInput } from '../contract/engine';
import { REDUCED_FACTOR } from './crops';
import { decodeError, EngineError, quote } from './errors';
import { binarize } from './mask-ops';

/**
 * Decompression-bomb guard: images above this many pixels are refused from their header, before any
 * pixel is decoded. 100 MP covers every camera in use (a 61 MP full-frame is 9504 x 6336).
 */
export const MAX_INPUT_PIXELS = 100_000_000;

/** libvips as the engine runs it (worker.ts; the bench measures with the same): no operation cache, as every
 * photo and mask is new and a cache only holds memory. */
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

const asInput = (source: string | Uint8Array) =>
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

/**
 * The upright photo as 8-bit RGB, with the result layers composited over it (bottom to top): the picture
 * the person sees and wants filled. The only full-frame buffer the pipeline holds.
 */
export async function decodeRgb(photo: string, layers: readonly Layer[] = []): Promise<RawImage> {
  let image = decode(photo).pipelineColourspace('srgb');
  if (layers.length) image = image.composite(layerInputs(layers));
  try {
    const { data, info } = await image.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (err) {
    throw decodeError('photo', photo, err);
  }
}

export const layerInputs = (layers: readonly Layer[]) =>
  layers.map((l) => ({ input: Buffer.from(l.patch.buffer, l.patch.byteOffset, l.patch.byteLength), left: l.rect.x, top: l.rect.y }));

/** Each layer must be a PNG of its rectangle's size, inside the photo. */
export async function checkLayers(layers: readonly Layer[], width: number, height: number): Promise<void> {
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

/** A binarized mask (255 = hole, 0 = keep) over `rect` of the photo; nothing outside `rect` is a hole. */
export interface MaskWindow {
  rect: Rect;
  data: Buffer; // one 8-bit channel, rect-sized
}

/**
 * The mask, binarized: white marks the hole; in a PNG whose alpha varies (strokes on a transparent layer)
 * the opaque pixels do. A file or bytes give a window over the whole photo (of its size, or scaled to it);
 * a region gives a window over its rectangle only, so its cost follows the painted area. Null when empty.
 */
export async function readMask(mask: MaskInput, width: number, height: number, scaleToFit: boolean): Promise<MaskWindow | null> {
  if (mask.kind !== 'file' && mask.kind !== 'bytes') checkRegion(mask.rect, width, height);
  if (mask.kind === 'pixels') return readPixels(mask);
  const source = mask.kind === 'file' ? mask.path : mask.data;
  const label = mask.kind === 'file' ? mask.path : 'mask';
  const header = await readHeader(source, 'mask', label);
  const rect = mask.kind === 'region' ? mask.rect : { x: 0, y: 0, width, height };
  if (mask.kind === 'region' && (header.width !== rect.width || header.height !== rect.height)) {
    throw new EngineError('mask-size', `The mask is ${header.width}x${header.height} but its region is ${rect.width}x${rect.height}.`);
  }
  const sameSize = header.width === rect.width && header.height === rect.height;
  if (!sameSize && !scaleToFit) {
    throw new EngineError(
      'mask-size',
      `The mask ${quote(label)} is ${header.width}x${header.height} but the photo is ${width}x${height} ` +
        `(after EXIF orientation); they must be the same size.`,
    );
  }
  try {
    const data = header.depth === 'uchar' ? await binaryMask8(source, header.hasAlpha, sameSize ? null : rect) : await binaryMaskAny(source, header.hasAlpha, sameSize ? null : rect);
    return nonEmpty(rect, data);
  } catch (err) {
    throw decodeError('mask', label, err);
  }
}

function checkRegion(rect: Rect, width: number, height: number): void {
  if (rect.x + rect.width > width || rect.y + rect.height > height) {
    throw new EngineError('mask-size', `The mask's region ${rect.width}x${rect.height} at ${rect.x},${rect.y} lies outside the ${width}x${height} photo.`);
  }
}

const nonEmpty = (rect: Rect, data: Buffer): MaskWindow | null => (data.indexOf(255) < 0 ? null : { rect, data }); // a native byte search

/**
 * The editor's painted region as raw pixels, nothing to decode. Its first band is the mask (the canvas paints
 * white on opaque black), taken out by libvips and binarized by onnxruntime (mask-ops.ts): 6-9 ms for a 3.2 MP
 * region, where libvips' threshold alone took 10-20 (and decoding the same as a PNG 48).
 */
async function readPixels(mask: Extract<MaskInput, { kind: 'pixels' }>): Promise<MaskWindow | null> {
  const { rect, channels, data } = mask;
  if (data.byteLength !== rect.width * rect.height * channels) {
    throw new EngineError('mask-size', `The mask's region is ${rect.width}x${rect.height} with ${channels} bytes per pixel, but ${data.byteLength} bytes came.`);
  }
  const pixels = sharp(asInput(data), { raw: { width: rect.width, height: rect.height, channels } });
  const first = channels === 1 ? data : await pixels.extractChannel(0).raw().toBuffer();
  return nonEmpty(rect, await binarize(first));
}

/**
 * An 8-bit mask, decoded once: the alpha test and the grey value then come from its raw bands, one band at a
 * time (libvips hands back a band taken from colour pixels as colour unless converted, and that conversion
 * costs 4x the rest). A mask whose colour bands are equal (white on black, as the editor paints it) is its
 * first band; only a coloured one pays for libvips' luminance conversion.
 */
async function binaryMask8(source: string | Uint8Array, hasAlpha: boolean, resizeTo: Rect | null): Promise<Buffer> {
  const { data: pixels, info } = await decode(source).raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const band = (i: number) => sharp(pixels, { raw: { width, height, channels } }).extractChannel(i as 0 | 1 | 2 | 3).raw().toBuffer();
  const binary = (one: Buffer) => {
    if (!resizeTo) return binarize(one);
    const image = sharp(one, { raw: { width, height, channels: 1 } });
    return image.resize(resizeTo.width, resizeTo.height, { fit: 'fill', kernel: 'linear' }).threshold(128).toColourspace('b-w').raw().toBuffer();
  };
  if (hasAlpha) {
    const opacity = await band(channels - 1);
    // Opaque all over (as a canvas writes a painted mask) is a byte comparison; only a varying alpha is binarized.
    if (!opacity.equals(Buffer.alloc(opacity.length, 255))) {
      const alpha = await binary(opacity);
      if (alpha.indexOf(0) >= 0) return alpha; // some of it is transparent: the opaque part is the hole
    }
  }
  const first = await band(0);
  if (channels - (hasAlpha ? 1 : 0) === 1) return binary(first);
  const [second, third] = await Promise.all([band(1), band(2)]);
  if (first.equals(second) && first.equals(third)) return binary(first);
  const colour = sharp(pixels, { raw: { width, height, channels } });
  const luminance = (hasAlpha ? colour.removeAlpha() : colour).toColourspace('b-w');
  return binary(await luminance.raw().toBuffer());
}

/** Any other depth (16-bit, float): libvips picks the channel and converts, from the file each time. */
async function binaryMaskAny(source: string | Uint8Array, hasAlpha: boolean, resizeTo: Rect | null): Promise<Buffer> {
  const binary = (image: Sharp) =>
    (resizeTo ? image.resize(resizeTo.width, resizeTo.height, { fit: 'fill', kernel: 'linear' }) : image).threshold(128).toColourspace('b-w').raw().toBuffer();
  if (hasAlpha) {
    const alpha = await binary(decode(source).extractChannel('alpha'));
    if (alpha.indexOf(0) >= 0) return alpha;
  }
  return binary(decode(source).removeAlpha().toColourspace('b-w'));
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

/** Whether the window covers the whole photo with holes: nothing left to fill from. */
export const coversPhoto = (mask: MaskWindow, width: number, height: number) =>
  mask.rect.width === width && mask.rect.height === height && mask.data.indexOf(0) < 0;

export interface Preview {
  width: number;
  height: number;
  format: string;
  preview: Buffer;
  previewWidth: number;
  previewHeight: number;
}

/** An upright JPEG for display (colour-managed to sRGB, transparency on white), long side <= maxSide. */
export async function makePreview(photo: string, maxSide: number): Promise<Preview> {
  const header = await readHeader(photo, 'photo');
  try {
    const { data, info } = await decode(photo, { ignoreIcc: false })
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 85 })
      .toBuffer({ resolveWithObject: true });
    return { width: header.width, height: header.height, format: header.format, preview: data, previewWidth: info.width, previewHeight: info.height };
  } catch (err) {
    throw decodeError('photo', photo, err);
  }
}

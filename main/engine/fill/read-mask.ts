// Reading a hole mask, binarized: a file, encoded bytes, or the painted region the editor sends (an encoded image
// or raw pixels of its rectangle), so that its cost follows the painted area.
import sharp, { type Sharp } from 'sharp';
import type { Rect } from '../../contract/app-api';
import type { MaskInput } from '../../contract/engine';
import { decodeError, EngineError, quote } from '../errors';
import { asInput, decode, readHeader } from '../images/decode';
import { binarize } from './mask-ops';

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


/** Whether the window covers the whole photo with holes: nothing left to fill from. */
export const coversPhoto = (mask: MaskWindow, width: number, height: number) =>
  mask.rect.width === width && mask.rect.height === height && mask.data.indexOf(0) < 0;

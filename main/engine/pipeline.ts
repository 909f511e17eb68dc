// Remove Object, end to end: decode upright -> binarize the mask -> group the holes -> for each group cut a
// crop with context, scale it to the model's grid, run the network, scale the prediction back -> a patch
// whose alpha is the mask. Composited over the photo, it changes only hole pixels: out = M*I + (1-M)*pred.
import sharp from 'sharp';
import type { Rect } from '../contract/app-api';
import type { InferSize, Layer, MaskInput, OutputFormat } from '../contract/engine';
import { insidePhoto, planTile, type Box } from './crops';
import { EngineError } from './errors';
import { flattenToFile } from './flatten';
import { findHoleGroups, shrinkAny, unionAll } from './holes';
import { channelRange, checkLayers, decodeRgb, readHeader, readMask, type RawImage } from './image-io';
import type { Model } from './model';
import { checkTarget } from './output';
import { fromTensor, toTensors } from './tensors';

/** What a job can tell its caller while it runs, and ask: has the caller given up? */
export interface JobContext {
  progress(stage: string, fraction: number): void;
  throwIfCancelled(): void;
}

export const quietContext: JobContext = { progress() {}, throwIfCancelled() {} };

export interface FillRequest {
  photo: string;
  /** Result layers to composite over the photo first, bottom to top. */
  layers: readonly Layer[];
  mask: MaskInput;
  scaleMask: boolean;
  inferSize: InferSize;
}

export interface Fill {
  rect: Rect;
  /** RGBA PNG of rect's size: the prediction, with the mask as alpha. */
  patch: Buffer;
  holes: number;
  width: number;
  height: number;
}

/** Fills the mask's holes. An empty mask is not an error here: null, and the photo stays as it is. */
export async function fillHoles(model: Model, req: FillRequest, ctx: JobContext = quietContext): Promise<Fill | null> {
  ctx.progress('decode', 0);
  const { width, height } = await readHeader(req.photo, 'photo');
  await checkLayers(req.layers, width, height);
  const mask = await readMask(req.mask, width, height, req.scaleMask);
  const { min, max } = await channelRange(mask, width, height);
  if (max === 0) return null;
  if (min === 255) throw new EngineError('mask-full', 'The mask covers the whole photo: there is nothing left to fill it from.');
  const photo = await decodeRgb(req.photo, req.layers);
  ctx.throwIfCancelled();

  ctx.progress('holes', 0.1);
  const groups = await findHoleGroups(mask, width, height);
  const fills: Prediction[] = [];
  for (const [i, hole] of groups.entries()) {
    ctx.throwIfCancelled();
    ctx.progress('model', 0.1 + (0.8 * i) / groups.length);
    fills.push({ hole, rgb: await predictHole(model, photo, mask, hole, req.inferSize) });
  }
  ctx.progress('patch', 0.9);
  const rect = unionAll(groups);
  return { rect, patch: await assemblePatch(fills, mask, width, height, rect), holes: groups.length, width, height };
}

interface Prediction {
  hole: Rect;
  rgb: Buffer; // hole-sized, 8-bit RGB
}

/** The model's prediction for one group's box, at full resolution. */
async function predictHole(model: Model, photo: RawImage, mask: Buffer, hole: Rect, inferSize: InferSize): Promise<Buffer> {
  const { width: W, height: H } = photo;
  const tile = planTile(hole, W, H, inferSize);
  const rgb = await cut(photo.data, 3, W, H, tile.crop, 0).then((c) => resizeTo(c, 3, tile.crop, tile.width, tile.height));
  // Padding beyond the photo's edge counts as hole: the network must not take it for content.
  const holes = await cut(mask, 1, W, H, tile.crop, 255).then((c) => shrinkAny(c, tile.crop.width, tile.crop.height, tile.width, tile.height));
  const tensors = toTensors(rgb, holes, tile.width, tile.height);
  if (tensors.known === 0) {
    throw new EngineError(
      'mask-full',
      `The hole at ${hole.x},${hole.y} (${hole.width}x${hole.height}) has no unmasked pixels around it to fill it from.`,
    );
  }
  const output = await model.run(tensors.image, tensors.mask, tile.width, tile.height);
  const predicted = await fromTensor(output, tile.width, tile.height);
  const back = tile.width === tile.crop.width && tile.height === tile.crop.height
    ? sharp(predicted, raw(tile.width, tile.height, 3))
    : sharp(predicted, raw(tile.width, tile.height, 3)).resize(tile.crop.width, tile.crop.height, { fit: 'fill', kernel: 'lanczos3' });
  return back
    .extract({ left: hole.x - tile.crop.x, top: hole.y - tile.crop.y, width: hole.width, height: hole.height })
    .raw()
    .toBuffer();
}

const raw = (width: number, height: number, channels: 1 | 3 | 4) => ({ raw: { width, height, channels } });

/** The crop's pixels; where it reaches past the photo, `padding`. */
async function cut(data: Buffer, channels: 1 | 3, W: number, H: number, crop: Box, padding: number): Promise<Buffer> {
  const { rect, offsetX, offsetY } = insidePhoto(crop, W, H);
  let image = sharp(data, raw(W, H, channels)).extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height });
  if (rect.width !== crop.width || rect.height !== crop.height) {
    image = image.extend({
      left: offsetX,
      top: offsetY,
      right: crop.width - rect.width - offsetX,
      bottom: crop.height - rect.height - offsetY,
      background: { r: padding, g: padding, b: padding },
    });
  }
  return image.toColourspace(channels === 1 ? 'b-w' : 'srgb').raw().toBuffer();
}

async function resizeTo(data: Buffer, channels: 3, crop: Box, width: number, height: number): Promise<Buffer> {
  if (crop.width === width && crop.height === height) return data;
  return sharp(data, raw(crop.width, crop.height, channels)).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
}

/** Places each group's prediction in the patch and adds the mask as alpha. */
async function assemblePatch(fills: Prediction[], mask: Buffer, W: number, H: number, rect: Rect): Promise<Buffer> {
  const only = fills.length === 1 && sameRect(fills[0]!.hole, rect) ? fills[0]!.rgb : null;
  const rgb =
    only ??
    (await sharp({ create: { width: rect.width, height: rect.height, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .composite(fills.map((f) => ({ input: f.rgb, raw: raw(f.hole.width, f.hole.height, 3).raw, left: f.hole.x - rect.x, top: f.hole.y - rect.y })))
      .removeAlpha()
      .raw()
      .toBuffer());
  const alpha = await sharp(mask, raw(W, H, 1)).extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height }).toColourspace('b-w').raw().toBuffer();
  return sharp(rgb, raw(rect.width, rect.height, 3)).joinChannel(alpha, raw(rect.width, rect.height, 1)).png().toBuffer();
}

const sameRect = (a: Rect, b: Rect) => a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;

/** Remove Object for the app: the patch for what the person sees (photo + layers). */
export async function removeObject(model: Model, req: Omit<FillRequest, 'scaleMask'>, ctx: JobContext = quietContext): Promise<Fill> {
  const fill = await fillHoles(model, { ...req, scaleMask: false }, ctx);
  if (!fill) throw new EngineError('mask-empty', 'The mask is empty: paint over what you want removed first.');
  return fill;
}

export interface InpaintFileRequest extends Omit<FillRequest, 'layers'> {
  output: string;
  format: OutputFormat;
  quality: number;
  overwrite: boolean;
}

/**
 * Fills the holes and writes the whole photo to `output`. An empty mask writes the photo unchanged (its
 * pixels; re-encoded to the output's format). Neither the photo nor the mask is ever written over.
 */
export async function inpaintFile(model: Model, req: InpaintFileRequest, ctx: JobContext = quietContext): Promise<{ width: number; height: number; holes: number }> {
  const protect = [req.photo, ...(req.mask.kind === 'file' ? [req.mask.path] : [])];
  const writeOptions = { overwrite: req.overwrite, protect };
  await checkTarget(req.output, writeOptions); // before the work, so a refused output costs nothing
  const fill = await fillHoles(model, { ...req, layers: [] }, ctx);
  ctx.throwIfCancelled();
  ctx.progress('encode', 0.95);
  const layers = fill ? [{ rect: fill.rect, patch: fill.patch }] : [];
  await flattenToFile(req.photo, layers, req.output, { ...writeOptions, format: req.format, quality: req.quality });
  const { width, height } = fill ?? (await readHeader(req.photo, 'photo'));
  return { width, height, holes: fill?.holes ?? 0 };
}

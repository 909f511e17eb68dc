// Remove Object, end to end: decode upright -> binarize the mask -> group the holes (a long thin group in
// pieces: thin-hole-pieces.ts) -> for each cut a crop with context, scale it to the model's grid, run the
// network, scale the prediction back -> a patch whose alpha is the mask. Composited over the photo, it changes
// only hole pixels: out = M*I + (1-M)*pred.
import sharp from 'sharp';
import type { OutputFormat, Patch, Rect } from '../../contract/app-api';
import { DEFAULT_TEXTURE, type InferSize, type MaskInput, type ProgressDetail, type Texture } from '../../contract/engine';
import { EngineError } from '../errors';
import { checkLayers, decodeRgb, placeIn, readHeader, type RawImage } from '../images/decode';
import { checkTarget } from '../images/write';
import type { Model } from '../model/session';
import { flattenToFile } from './composite';
import { findHoleGroups, unionAll } from './hole-groups';
import { openPhotoPixels, reducedCopy } from './photo-cache';
import { coversPhoto, readMask, type MaskWindow } from './read-mask';
import { piecesOf } from './thin-hole-pieces';
import { atFullResolution, insidePhoto, intersect, planTile, readsReduced, sameRect, type Box, type Tile } from './tile-geometry';
import { holeShare, holesWithin, knownAlpha, tileHoles } from './tile-holes';
import { toTensors } from './tile-tensors';
import { textureStrength, withTexture, type TextureKind, type TextureSource } from './texture';

/** What a job can tell its caller while it runs, and ask: has the caller given up? */
export interface JobContext {
  /** `hole`: while filling, which hole group of how many (contract/engine.ts, ProgressDetail). */
  progress(stage: string, fraction: number, hole?: ProgressDetail): void;
  throwIfCancelled(): void;
}

export const quietContext: JobContext = { progress() {}, throwIfCancelled() {} };

export interface FillRequest {
  photo: string;
  /** Result layers to composite over the photo first, bottom to top. */
  layers: readonly Patch[];
  mask: MaskInput;
  scaleMask: boolean;
  inferSize: InferSize;
  /** The texture step (texture.ts; contract/engine.ts Texture): grain unless said. Off, the fill is the network's
   * alone (tests compare it with evaluate.py's network path). */
  texture?: Texture;
  /** The most pixels one run of the texture step reads (texture.ts TEXTURE_RUN_PIXELS); tests set fewer to see that
   * its parts do not show. */
  textureRunPixels?: number;
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
export async function fillHoles(model: Model, req: FillRequest, ctx: JobContext = quietContext, pixels: PhotoPixels = decodeRgb): Promise<Fill | null> {
  ctx.progress('decode', 0);
  const { width, height } = await readHeader(req.photo, 'photo');
  await checkLayers(req.layers, width, height);
  const mask = await readMask(req.mask, width, height, req.scaleMask);
  if (!mask) return null;
  if (coversPhoto(mask, width, height)) throw new EngineError('mask-full', 'The mask covers the whole photo: there is nothing left to fill it from.');
  const photo = await pixels(req.photo);
  ctx.throwIfCancelled();

  ctx.progress('holes', 0.1);
  const { rect: win } = mask;
  const groups = (await findHoleGroups(mask.data, win.width, win.height)).map((g) => ({ ...g, x: g.x + win.x, y: g.y + win.y }));
  const plans: Rect[][] = [];
  for (const group of groups) plans.push(await piecesOf(mask, group, width, height));
  const jobs = plans.reduce((n, pieces) => n + pieces.length, 0);
  const fills: Prediction[] = [];
  for (const [g, pieces] of plans.entries()) {
    // A group filled in pieces is filled one piece after another, each seeing the pieces before it as photo (their
    // fills as layers, their holes as known): filled apart, neighbouring pieces met at a visible step (a tree's
    // reflection in a sunset, 5 levels; native-models/README.md, removal sheet). The object itself never shows.
    const seen = pieces.length > 1 ? { layers: [...req.layers], mask: { rect: mask.rect, data: Buffer.from(mask.data) } } : null;
    for (const hole of pieces) {
      ctx.throwIfCancelled();
      ctx.progress('model', 0.1 + (0.8 * fills.length) / jobs, { hole: g + 1, holes: groups.length });
      const { rgb, share } = await predictHole(model, photo, seen?.layers ?? req.layers, seen?.mask ?? mask, hole, req.inferSize, !seen);
      fills.push({ hole, rgb, share, group: g });
      if (seen) {
        seen.layers.push({ rect: hole, patch: await withHolesAsAlpha(rgb, seen.mask, hole, 0) });
        markKnown(seen.mask, hole);
      }
    }
  }
  ctx.progress('texture', 0.9);
  const texture = req.texture ?? DEFAULT_TEXTURE;
  const done = texture === 'off' ? fills : await withTextures(fills, photo, req.layers, mask, texture, req.textureRunPixels);
  ctx.throwIfCancelled();
  ctx.progress('patch', 0.93);
  const rect = unionAll(groups);
  return { rect, patch: await assemblePatch(done, mask, rect), holes: groups.length, width, height };
}

/** Where the photo's decoded pixels come from: a fresh decode, or the ones kept for the open photo. */
export type PhotoPixels = (photo: string) => Promise<RawImage>;

interface Prediction {
  hole: Rect;
  rgb: Buffer; // hole-sized, 8-bit RGB
  /** How much of the network's tile the hole filled (texture.ts: the grain's strength). */
  share: number;
  /** Which hole group it fills (a long thin one is filled in pieces). */
  group: number;
}

/**
 * The texture step (texture.ts) over every hole group, once all are filled: each run sees the photo, and every fill
 * where its hole lies in what the run reads, as evaluate.py's one run over the whole photo does.
 */
async function withTextures(fills: Prediction[], photo: RawImage, layers: readonly Patch[], mask: MaskWindow, kind: TextureKind, runPixels?: number): Promise<Prediction[]> {
  const { width, height } = photo;
  const canvas = unionAll(fills.map((f) => f.hole));
  const smooth = await placedFills(fills, canvas);
  const source: TextureSource = {
    read: async (rect) => {
      const [rgb, known] = await Promise.all([cutPhoto(photo, layers, rect), knownAlpha(mask, width, height, rect, 1)]);
      return { photo: rgb, known };
    },
    fills: async (rect) => {
      const inside = intersect(canvas, rect)!;
      const cut = sharp(smooth, raw(canvas.width, canvas.height, 3)).extract({ left: inside.x - canvas.x, top: inside.y - canvas.y, width: inside.width, height: inside.height });
      return placeIn(cut, inside, rect, 0, 3);
    },
    mask,
    width,
    height,
  };
  // One call per group, over its pieces together: grained apart, a wire's pieces would each read the photo around them
  // again (26 pieces across a 6 MP photo: 26 reads of 0.6 MP); together, the runs cover the parts of the group's
  // rectangle that its pieces reach (withTexture).
  const out: Prediction[] = [];
  for (const group of new Set(fills.map((f) => f.group))) {
    const pieces = fills.filter((f) => f.group === group);
    const share = Math.max(...pieces.map((f) => f.share));
    const rgb = await withTexture(source, pieces.map((f) => f.hole), textureStrength(share, kind), runPixels, kind);
    out.push({ hole: unionAll(pieces.map((f) => f.hole)), share, group, rgb });
  }
  return out;
}

/**
 * 'auto', chosen on the validation photos (native-models/README.md, Inference scale): the network runs at 512, at 256
 * when the hole fills more than AUTO_LARGE_HOLE_SHARE of the tile (its receptive field then reaches the far side of
 * the hole), and on the crop magnified 2x (enlarge.ts) when the hole fills at most AUTO_SMALL_HOLE_SHARE of a tile
 * taken at full resolution and no hole pixel of it lies more than AUTO_MAGNIFY_REACH pixels from a known one.
 * Magnified, the model trained on 512 crops fills thin and irregular holes closer to the photo (val/photos 1-10 %:
 * worst pair -4.8 -> -2.9 dB below the better classical fill, pairs > 3 dB below 4.7 -> 0 %), but a compact object
 * worse (pconv.objects' blobs, 30-70 px deep: +1.90 -> +1.28 dB, the worst -4.0 -> -8.2): those stay at 512.
 */
const AUTO_LARGE_HOLE_SHARE = 0.5;
const AUTO_SMALL_HOLE_SHARE = 0.3;
const AUTO_MAGNIFY_REACH = 32;

/** The model's prediction for one hole's box, at full resolution. A piece of a long thin hole is not magnified
 * (thin-hole-pieces.ts: there are many; each would cost four times the network's time). */
async function predictHole(model: Model, photo: RawImage, layers: readonly Patch[], mask: MaskWindow, hole: Rect, inferSize: InferSize, mayMagnify: boolean): Promise<{ rgb: Buffer; share: number }> {
  const { width: W, height: H } = photo;
  const first = planTile(hole, W, H, inferSize === 'auto' ? 512 : inferSize);
  // The photo's crop is cut (libvips) while the mask's is shrunk (onnxruntime): the two cores share the work.
  // Under 'auto' the first plan is a guess that a large hole's share overturns; its crop is then not used.
  const firstRgb = cutAndScale(photo, layers, mask, first);
  firstRgb.catch(() => {}); // awaited below, or dropped when a step before fails or the plan changes
  let tile = first;
  let holes = await tileHoles(mask, W, H, tile);
  let magnify = false;
  // How much of the network's tile the hole fills (at 'auto', of its 512 plan, as evaluate.py reads the photo's).
  const share = await holeShare(holes, tile.width, tile.height);
  if (inferSize === 'auto') {
    if (share > AUTO_LARGE_HOLE_SHARE) {
      tile = planTile(hole, W, H, 256);
      holes = await tileHoles(mask, W, H, tile);
    } else {
      magnify = share <= AUTO_SMALL_HOLE_SHARE && mayMagnify && atFullResolution(tile) && (await holesWithin(holes, tile.width, tile.height, AUTO_MAGNIFY_REACH));
    }
  }
  const rgb = tile === first ? await firstRgb : await cutAndScale(photo, layers, mask, tile);
  const tensors = toTensors(rgb, holes, tile.width, tile.height);
  if (tensors.known === 0) {
    throw new EngineError(
      'mask-full',
      `The hole at ${hole.x},${hole.y} (${hole.width}x${hole.height}) has no unmasked pixels around it to fill it from.`,
    );
  }
  // The prediction comes back enlarged to the crop's pixels over the hole only (enlarge.ts: INTER_LINEAR's
  // geometry, as native-models/pconv/evaluate.py scores it); a magnified crop is enlarged on its way in, beside the network.
  const region = { x: hole.x - tile.crop.x, y: hole.y - tile.crop.y, width: hole.width, height: hole.height };
  const fill = await model.fill(tensors.image, tensors.mask, tile.width, tile.height, { cropWidth: tile.crop.width, cropHeight: tile.crop.height, region, magnify });
  return { rgb: tensors.grey ? await greyed(fill, hole) : fill, share };
}

/** The fill as grey (its luminance in every band): the network's colour prediction may tint a black-and-white photo. */
async function greyed(rgb: Buffer, hole: Rect): Promise<Buffer> {
  const luma = await sharp(rgb, raw(hole.width, hole.height, 3)).toColourspace('b-w').raw().toBuffer();
  return sharp(luma, raw(hole.width, hole.height, 1)).joinChannel([luma, luma], raw(hole.width, hole.height, 1)).toColourspace('srgb').raw().toBuffer();
}

const raw = (width: number, height: number, channels: 1 | 3 | 4) => ({ raw: { width, height, channels } });

/**
 * The crop at the model's size, scaled as a partial convolution would: only known pixels weigh (the holes are
 * transparent and libvips premultiplies), so the pixels under the hole have no say in the fill. A crop the model
 * sees one for one is cut as it is (toTensors blanks its holes). A crop inside the photo with no layer over it is
 * cut without a crop-sized RGB copy, from the photo's reduced copy when it is scaled down enough (tile-geometry.ts:
 * REDUCED_FACTOR); otherwise it is cut first.
 */
async function cutAndScale(photo: RawImage, layers: readonly Patch[], mask: MaskWindow, tile: Tile): Promise<Buffer> {
  const { crop } = tile;
  if (crop.width === tile.width && crop.height === tile.height) return cutPhoto(photo, layers, crop);
  const inside = insidePhoto(crop, photo.width, photo.height).rect;
  const plain = sameRect(inside, crop) && !layers.some((l) => intersect(l.rect, inside));
  const reduced = plain && readsReduced(tile) ? await reducedCopy(photo) : null;
  const f = reduced?.factor ?? 1;
  const [width, height] = [crop.width / f, crop.height / f];
  const alpha = knownAlpha(mask, photo.width, photo.height, crop, f);
  alpha.catch(() => {}); // awaited below
  const image = reduced ?? photo;
  const rgb = plain
    ? sharp(image.data, raw(image.width, image.height, 3)).extract({ left: crop.x / f, top: crop.y / f, width, height }) // whole: planTile aligns
    : sharp(await cutPhoto(photo, layers, crop), raw(width, height, 3));
  const rgba = await rgb.joinChannel(await alpha, raw(width, height, 1)).raw().toBuffer();
  // A triangle filter, not lanczos3: the negative lobes of a known pixel near the hole fall on the hole, where its
  // premultiplied alpha passes 255 and is clipped, so it is not renormalised: on a white wall a ring around the hole
  // came back up to 25 levels lighter, and the network carried it into the fill as a light ghost of the object
  // (native-models/README.md, Object removals). With no negative lobes every known pixel is the exact weighted mean
  // of the known photo pixels under it (tests/engine/known-pixels.test.ts).
  return sharp(rgba, raw(width, height, 4)).resize(tile.width, tile.height, { fit: 'fill', kernel: 'linear' }).removeAlpha().raw().toBuffer();
}

/** The photo's pixels under the crop, with the result layers over them; zeros beyond the photo's edge. */
async function cutPhoto(photo: RawImage, layers: readonly Patch[], crop: Box): Promise<Buffer> {
  const inside = insidePhoto(crop, photo.width, photo.height).rect;
  let image = sharp(photo.data, raw(photo.width, photo.height, 3)).extract({ left: inside.x, top: inside.y, width: inside.width, height: inside.height });
  const over: sharp.OverlayOptions[] = [];
  for (const layer of layers) {
    const part = intersect(layer.rect, inside);
    if (!part) continue;
    const input = await sharp(layer.patch)
      .extract({ left: part.x - layer.rect.x, top: part.y - layer.rect.y, width: part.width, height: part.height })
      .ensureAlpha()
      .raw()
      .toBuffer();
    over.push({ input, raw: raw(part.width, part.height, 4).raw, left: part.x - inside.x, top: part.y - inside.y });
  }
  if (over.length) image = sharp(await image.composite(over).removeAlpha().raw().toBuffer(), raw(inside.width, inside.height, 3));
  return placeIn(image, inside, crop, 0, 3);
}

/** A box's prediction as a patch (an RGBA PNG): the mask's holes over the box as its alpha. */
async function withHolesAsAlpha(rgb: Buffer, mask: MaskWindow, box: Rect, compressionLevel: number): Promise<Buffer> {
  const win = mask.rect;
  const alpha = await sharp(mask.data, raw(win.width, win.height, 1))
    .extract({ left: box.x - win.x, top: box.y - win.y, width: box.width, height: box.height })
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  return sharp(rgb, raw(box.width, box.height, 3)).joinChannel(alpha, raw(box.width, box.height, 1)).png({ compressionLevel }).toBuffer();
}

/** The box's pixels of the mask marked known (the box lies in the window): one row at a time. */
function markKnown(mask: MaskWindow, box: Rect): void {
  const { rect: win, data } = mask;
  for (let y = box.y; y < box.y + box.height; y++) {
    const start = (y - win.y) * win.width + (box.x - win.x);
    data.fill(0, start, start + box.width);
  }
}

/** Places each group's prediction in the patch and adds the mask as alpha. */
async function assemblePatch(fills: Prediction[], mask: MaskWindow, rect: Rect): Promise<Buffer> {
  return withHolesAsAlpha(await placedFills(fills, rect), mask, rect, patchCompression(rect));
}

/** The fills placed in `rect` (which holds them), 8-bit RGB; black between them. */
async function placedFills(fills: Prediction[], rect: Rect): Promise<Buffer> {
  if (fills.length === 1 && sameRect(fills[0]!.hole, rect)) return fills[0]!.rgb;
  return sharp({ create: { width: rect.width, height: rect.height, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite(fills.map((f) => ({ input: f.rgb, raw: raw(f.hole.width, f.hole.height, 3).raw, left: f.hole.x - rect.x, top: f.hole.y - rect.y })))
    .removeAlpha()
    .raw()
    .toBuffer();
}

/**
 * zlib level for a patch PNG: it only travels to main and sits in memory and the recovery file, so speed wins.
 * Up to 4 MP (a 10 % hole in a 24 MP photo; at most 16 MB) it is stored: 25 ms on 3.2 MP against 62 at level 1
 * (5 MB) and 115 at level 2. Above, level 1 keeps a huge patch's memory in check.
 */
const patchCompression = (rect: Rect) => (rect.width * rect.height <= 4_000_000 ? 0 : 1);

/** Remove Object for the app: the patch for what the person sees (photo + layers). */
export async function removeObject(model: Model, req: Omit<FillRequest, 'scaleMask'>, ctx: JobContext = quietContext): Promise<Fill> {
  const fill = await fillHoles(model, { ...req, scaleMask: false }, ctx, openPhotoPixels);
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

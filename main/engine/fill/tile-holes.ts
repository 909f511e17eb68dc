// The holes as the model sees them: the mask under a tile's crop, shrunk to the model's size so that every
// model pixel a hole pixel touches is a hole (mask-ops.ts: exactly each block's OR at a whole-number reduction,
// as native-models/pconv/evaluate.py shrinks them). Its cost follows the holes, not the crop: a 10 % hole in a
// 24 MP photo has a 16 MP crop that is mostly keep.
import sharp from 'sharp';
import { placeIn } from '../images/decode';
import { tightBox } from './hole-groups';
import { shrinkHoles } from './mask-ops';
import type { MaskWindow } from './read-mask';
import { insidePhoto, intersect, sameRect, type Box, type Tile } from './tile-geometry';

const raw1 = (width: number, height: number) => ({ raw: { width, height, channels: 1 as const } });

/**
 * Below this reduction the whole crop is shrunk (it is at most a few times the model's size); from it on,
 * only the part of the crop around its hole pixels is, the model cells over them cut to whole photo pixels.
 */
const BOX_ONLY_REDUCTION = 2;

/** The tile's holes at the model's size (255 = hole): the window's holes, keep elsewhere, hole beyond the
 * photo's edge (padding must not pass for content). */
export async function tileHoles(mask: MaskWindow, photoWidth: number, photoHeight: number, tile: Tile): Promise<Buffer> {
  const { crop } = tile;
  const inside = insidePhoto(crop, photoWidth, photoHeight).rect;
  const reduction = Math.min(crop.width / tile.width, crop.height / tile.height);
  if (sameRect(inside, crop) && reduction >= BOX_ONLY_REDUCTION) {
    const part = intersect(crop, mask.rect)!; // the crop holds its hole, which lies in the window
    const box = tightBox(mask.data, mask.rect.width, { ...part, x: part.x - mask.rect.x, y: part.y - mask.rect.y })!;
    return holesAroundBox(mask, { ...box, x: box.x + mask.rect.x, y: box.y + mask.rect.y }, tile);
  }
  return wholeCrop(mask, inside, tile);
}

/** Every hole pixel of the crop lies in `box` (photo pixels): the model cells over it, shrunk from the photo pixels
 * under them (rounded outwards to whole pixels; the grid keeps its exact place on them), keep elsewhere. */
async function holesAroundBox(mask: MaskWindow, box: Box, tile: Tile): Promise<Buffer> {
  const { crop } = tile;
  const sx = crop.width / tile.width;
  const sy = crop.height / tile.height;
  const c0 = Math.floor((box.x - crop.x) / sx);
  const c1 = Math.ceil((box.x + box.width - crop.x) / sx);
  const r0 = Math.floor((box.y - crop.y) / sy);
  const r1 = Math.ceil((box.y + box.height - crop.y) / sy);
  const x = crop.x + Math.floor(c0 * sx);
  const y = crop.y + Math.floor(r0 * sy);
  const cut = { x, y, width: crop.x + Math.ceil(c1 * sx) - x, height: crop.y + Math.ceil(r1 * sy) - y };
  const grid = { x: crop.x + c0 * sx - x, y: crop.y + r0 * sy - y, cellWidth: sx, cellHeight: sy, width: c1 - c0, height: r1 - r0 };
  const cells = await shrinkHoles(await windowPart(mask, cut), cut.width, cut.height, grid);
  return sharp(cells, raw1(c1 - c0, r1 - r0))
    .extend({ left: c0, top: r0, right: tile.width - c1, bottom: tile.height - r1, background: { r: 0, g: 0, b: 0 } })
    .toColourspace('b-w')
    .raw()
    .toBuffer();
}

/** The whole crop: the window's part, keep around it inside the photo, hole beyond the photo's edge. */
async function wholeCrop(mask: MaskWindow, inside: Box, tile: Tile): Promise<Buffer> {
  const { crop } = tile;
  const inPhoto = await windowPart(mask, inside);
  const full = sameRect(inside, crop) ? inPhoto : await placeIn(sharp(inPhoto, raw1(inside.width, inside.height)), inside, crop, 255, 1);
  return shrinkHoles(full, crop.width, crop.height, { x: 0, y: 0, cellWidth: crop.width / tile.width, cellHeight: crop.height / tile.height, width: tile.width, height: tile.height });
}

/** The window's pixels over `rect` (inside the photo), keep where the window does not reach, in one pass. */
async function windowPart(mask: MaskWindow, rect: Box): Promise<Buffer> {
  const part = intersect(rect, mask.rect);
  if (!part) return Buffer.alloc(rect.width * rect.height);
  const cut = sharp(mask.data, raw1(mask.rect.width, mask.rect.height)).extract({
    left: part.x - mask.rect.x,
    top: part.y - mask.rect.y,
    width: part.width,
    height: part.height,
  });
  return placeIn(cut, part, rect, 0, 1);
}

/**
 * Which of the crop's pixels may weigh when it is scaled to the model's size (255 = known, 0 = hole or beyond the
 * photo's edge), at the crop's size divided by `factor` (1: the photo's pixels; REDUCED_FACTOR: its reduced copy).
 * Scaled with this as alpha (libvips premultiplies), the crop carries nothing of what lies under the hole: the
 * object being removed has no say in what replaces it. The reduced copy's pixels mix their neighbours' (its
 * linear shrink reaches one pixel past each block), so there the holes grow by one pixel.
 */
export async function knownAlpha(mask: MaskWindow, photoWidth: number, photoHeight: number, crop: Box, factor: number): Promise<Buffer> {
  const width = crop.width / factor;
  const height = crop.height / factor;
  if (factor === 1) {
    const inside = insidePhoto(crop, photoWidth, photoHeight).rect;
    const inPhoto = await windowPart(mask, inside);
    const holes = sameRect(inside, crop) ? inPhoto : await placeIn(sharp(inPhoto, raw1(inside.width, inside.height)), inside, crop, 255, 1);
    return sharp(holes, raw1(width, height)).negate().toColourspace('b-w').raw().toBuffer();
  }
  const holes = await tileHoles(mask, photoWidth, photoHeight, { crop, width, height });
  // libvips negates before it erodes: the known pixels shrink, i.e. the holes grow.
  return sharp(holes, raw1(width, height)).negate().erode(1).toColourspace('b-w').raw().toBuffer();
}

/** Share of hole pixels in a binary mask: its mean, as libvips shrinks it to one pixel (an exact box average for a
 * tile, whose sides are multiples of 256; close to it for any other size; stats() would cost 6x more). */
export async function holeShare(holes: Buffer, width: number, height: number): Promise<number> {
  const [mean] = await sharp(holes, raw1(width, height)).resize(1, 1, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
  return mean! / 255;
}

/**
 * Whether every hole pixel of a tile's holes (tileHoles: 255 = hole) lies within `reach` pixels, on either axis, of a
 * known one, as native-models/pconv/evaluate.py's hole_depth (OpenCV's chessboard distance) reads it. libvips'
 * morphology widens the dark pixels under `dilate`, so here it wears the holes away by `reach`: what is left is deeper.
 */
export async function holesWithin(holes: Buffer, width: number, height: number, reach: number): Promise<boolean> {
  const deeper = await sharp(holes, raw1(width, height)).dilate(reach).extractChannel(0).raw().toBuffer();
  const { channels } = await sharp(deeper, raw1(width, height)).stats();
  return channels[0]!.max === 0;
}

// Long thin holes (a wire, a line of text, a trail of specks) are filled in pieces. One crop around such a group
// spans much of the photo and is scaled down many times to the network's size: a 7 px wire becomes a sub-pixel
// line and its fill an enlarged smear. Cut into cells of about the network's size, each piece is seen at about
// full resolution with the photo around it as context, and the pieces before it already filled (pipeline.ts fills
// them in turn, so that they meet without a step). A blob (a person, a car) stays whole: the middle of it
// has no context at that scale.
import sharp from 'sharp';
import type { Rect } from '../../contract/app-api';
import { tightBox } from './hole-groups';
import type { MaskWindow } from './read-mask';
import { planTile, type Tile } from './tile-geometry';
import { holeShare, tileHoles } from './tile-holes';

/** A cell's side in photo pixels: with planTile's context (half its side around it) a piece's tile is not scaled
 * (224 would scale it by 1.25, and cost a thin wire 0.6 dB: native-models/README.md, Thin holes). */
const PIECE = 160;
/** Groups whose crop is scaled down no more than this are filled whole (on a 512x512 photo, as evaluate.py scores,
 * all are)... */
const SPLIT_REDUCTION = 1.5;
/** ...unless they are strokes (thickness at most STROKE): for those any scaling is too much. A line of watermark
 * letters whose crop was scaled 1.5x came back as readable flat letters, 6-8 dB below Telea; in pieces its fill beats
 * Telea (pconv.objects, 25 validation photos: text -1.97 -> +0.44 dB against the better classical fill, wires -0.43
 * -> +0.50). A blob-like hole (the bench's 1 % hole, 266x360 px, thickness 167) stays whole: split, it ran the network
 * three times, 3.5x the 512x512 photo's time against 1.23x whole (npm run bench -- --quick --only e2e). */
const STROKE = 64;
/** A group whose holes are thicker than this (hole pixels / its box's long side) is a blob; checked first, as it is
 * one libvips pass where the pieces' own check (below) is one per piece. */
const MAX_THICKNESS = 2 * PIECE;
/** Each piece costs one run of the network: past this many, the cells double in size. */
const MAX_PIECES = 48;
/** A piece's tile must be at least half photo, or the network has too little to fill it from (as 'auto' reads EVAL.md). */
const MAX_PIECE_HOLE_SHARE = 0.5;

const reduction = (tile: Tile) => Math.max(tile.crop.width / tile.width, tile.crop.height / tile.height);

/**
 * The boxes one hole group is filled in (photo pixels): the group itself, or, for a thin group its crop would
 * shrink, the hole pixels of each cell of a grid over it. The boxes are disjoint and hold every hole pixel of
 * the group.
 */
export async function piecesOf(mask: MaskWindow, group: Rect, photoWidth: number, photoHeight: number): Promise<Rect[]> {
  const whole = reduction(planTile(group, photoWidth, photoHeight, 512));
  if (whole <= 1) return [group];
  const thickness = ((await shareOver(mask, group)) * group.width * group.height) / Math.max(group.width, group.height);
  if (thickness > (whole <= SPLIT_REDUCTION ? STROKE : MAX_THICKNESS)) return [group];
  for (let side = PIECE; ; side *= 2) {
    const cell = reduction(planTile({ x: 0, y: 0, width: side, height: side }, photoWidth, photoHeight, 512));
    if (side > PIECE && cell * SPLIT_REDUCTION > whole) return [group]; // cells this large gain too little
    const pieces = cellsOver(group, side)
      .map((c) => tightBox(mask.data, mask.rect.width, { ...c, x: c.x - mask.rect.x, y: c.y - mask.rect.y }))
      .filter((b): b is Rect => b !== null)
      .map((b) => ({ ...b, x: b.x + mask.rect.x, y: b.y + mask.rect.y }));
    if (pieces.length > MAX_PIECES) continue;
    for (const piece of pieces) {
      const tile = planTile(piece, photoWidth, photoHeight, 512);
      if ((await holeShare(await tileHoles(mask, photoWidth, photoHeight, tile), tile.width, tile.height)) > MAX_PIECE_HOLE_SHARE) return [group];
    }
    return pieces;
  }
}

/** A grid of side x side cells over the box (the last row and column cut to it). */
function cellsOver(box: Rect, side: number): Rect[] {
  const cells: Rect[] = [];
  for (let y = box.y; y < box.y + box.height; y += side) {
    for (let x = box.x; x < box.x + box.width; x += side) {
      cells.push({ x, y, width: Math.min(side, box.x + box.width - x), height: Math.min(side, box.y + box.height - y) });
    }
  }
  return cells;
}

/** The share of hole pixels in a rectangle of the window, in one libvips pass (close to exact: see holeShare). */
async function shareOver(mask: MaskWindow, rect: Rect): Promise<number> {
  const [mean] = await sharp(mask.data, { raw: { width: mask.rect.width, height: mask.rect.height, channels: 1 } })
    .extract({ left: rect.x - mask.rect.x, top: rect.y - mask.rect.y, width: rect.width, height: rect.height })
    .resize(1, 1, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  return mean! / 255;
}

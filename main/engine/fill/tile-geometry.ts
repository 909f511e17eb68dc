// Where each hole is cut from the photo and at what size the model sees it. Pure geometry.
import type { Rect } from '../../contract/app-api';

/** The model's sides are multiples of this (8 stride-2 levels line up exactly). */
export const MODEL_STEP = 256;
/** Context around a hole, each side: about half its long side, so the crop is about twice the hole... */
const CONTEXT_FRACTION = 0.5;
/** ...and never less than this many pixels. */
const MIN_CONTEXT = 64;
/** Scales between 1x and this are rounded up to it (more context) so the mask shrink never meets a sliver. */
const MIN_REDUCTION = 1.25;
/**
 * The open photo keeps a copy shrunk this many times (photo-cache.ts). A crop scaled down at least 1.5 times
 * more than that is read from the copy (the rest of the way is still a real reduction, so lanczos3 smooths
 * before it samples), and so it starts and ends on multiples of it: the copy's pixels then cover it exactly.
 */
export const REDUCED_FACTOR = 4;
const FROM_REDUCED = 1.5 * REDUCED_FACTOR;

/** A crop may reach past the photo's edges (only when the photo is smaller than the crop); that part is padding. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Tile {
  /** The region of the photo the model sees, in photo pixels; outside the photo it is padding (treated as hole). */
  crop: Box;
  /** The model's input size: multiples of MODEL_STEP. */
  width: number;
  height: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const toStep = (v: number) => Math.max(MODEL_STEP, Math.round(v / MODEL_STEP) * MODEL_STEP);

/**
 * Plans the crop for one group of holes: the hole box grown by its context, widened to the aspect of a
 * MODEL_STEP grid whose long side is the infer size, scaled so that grid covers it (never enlarged: a small
 * hole gets more context at full resolution instead), and moved inside the photo.
 */
export function planTile(hole: Rect, photoWidth: number, photoHeight: number, inferSize: number): Tile {
  const margin = Math.max(MIN_CONTEXT, Math.round(CONTEXT_FRACTION * Math.max(hole.width, hole.height)));
  const needW = Math.min(photoWidth, hole.width + 2 * margin);
  const needH = Math.min(photoHeight, hole.height + 2 * margin);

  const long = inferSize;
  const short = clamp(toStep((long * Math.min(needW, needH)) / Math.max(needW, needH)), MODEL_STEP, long);
  const [width, height] = needW >= needH ? [long, short] : [short, long];

  let scale = Math.max(1, needW / width, needH / height);
  if (scale > 1 && scale < MIN_REDUCTION) scale = MIN_REDUCTION;
  // Aligned, a crop grows by up to 3 px (unless that would pass the photo's edge) and moves by up to 3.
  const align = scale >= FROM_REDUCED ? REDUCED_FACTOR : 1;
  const size = (v: number, photo: number) => (alignUp(v, align) <= photo ? alignUp(v, align) : v);
  const cropW = size(Math.round(width * scale), photoWidth);
  const cropH = size(Math.round(height * scale), photoHeight);

  const place = (start: number, size: number, crop: number, photo: number) => {
    if (crop >= photo) return Math.floor((photo - crop) / 2);
    const at = clamp(Math.round(start + size / 2 - crop / 2), 0, photo - crop);
    const aligned = alignDown(at, align);
    return aligned + crop >= start + size ? aligned : at; // not at the cost of the hole's far edge
  };
  return {
    crop: { x: place(hole.x, hole.width, cropW, photoWidth), y: place(hole.y, hole.height, cropH, photoHeight), width: cropW, height: cropH },
    width,
    height,
  };
}

/** Whether the model sees the crop's pixels one for one ('auto' may then magnify it: pipeline.ts). */
export const atFullResolution = (tile: Tile) => tile.crop.width === tile.width && tile.crop.height === tile.height;

const alignDown = (v: number, step: number) => v - (v % step);
const alignUp = (v: number, step: number) => alignDown(v + step - 1, step);

/** Whether the tile's crop is read from the open photo's reduced copy, when it has one (see REDUCED_FACTOR): scaled
 * down enough, and aligned (planTile aligns it unless that would cut off a hole at the photo's far edge). */
export function readsReduced(tile: Tile): boolean {
  const { crop } = tile;
  const onCopy = [crop.x, crop.y, crop.width, crop.height].every((v) => v % REDUCED_FACTOR === 0);
  return onCopy && Math.min(crop.width / tile.width, crop.height / tile.height) >= FROM_REDUCED;
}

/** The part of `box` inside the photo, and where it sits within the box. */
export function insidePhoto(box: Box, photoWidth: number, photoHeight: number): { rect: Rect; offsetX: number; offsetY: number } {
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(photoWidth, box.x + box.width);
  const y1 = Math.min(photoHeight, box.y + box.height);
  return { rect: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, offsetX: x0 - box.x, offsetY: y0 - box.y };
}

/** The overlap of two boxes, or null when they do not overlap. */
export function intersect(a: Box, b: Box): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const width = Math.min(a.x + a.width, b.x + b.width) - x;
  const height = Math.min(a.y + a.height, b.y + b.height) - y;
  return width > 0 && height > 0 ? { x, y, width, height } : null;
}

export const sameRect = (a: Box, b: Box) => a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;

// Finding the holes: groups of nearby hole pixels, each with its exact bounding box. The full-resolution
// mask is only ever touched by libvips; JavaScript looks at a grid of at most GRID x GRID cells.
import sharp from 'sharp';
import type { Rect } from '../contract/app-api';

/** Long side of the grid the holes are grouped on. */
const GRID = 256;
/** Holes closer than this (pixels, on either axis) share one crop. */
const MERGE_GAP = 64;
/** More groups than this and the gap doubles until they fit: specks over a whole photo become a few crops. */
const MAX_GROUPS = 24;
/** Largest reduction per resize step: beyond about 4x an isolated hole pixel's weight rounds to 0 in 8 bits. */
const MAX_STEP = 4;

const raw1 = (width: number, height: number) => ({ raw: { width, height, channels: 1 as const } });

/**
 * Shrinks a binary mask (255 = hole) so that a target pixel is a hole if any part of it was: an area-style resize
 * (linear kernel, all weights positive) followed by "> 0", in steps of at most MAX_STEP so no hole pixel's
 * contribution rounds away. Conservative: it may mark up to a pixel more around a hole, never less. `exact` (the
 * model's holes, where that pixel is context the network loses): at a whole-number reduction made of steps of at
 * most MAX_STEP (2, 3, 4, 6, 8...) each target pixel is the OR of its block, as native-models/eval.py shrinks holes
 * (INTER_AREA, "> 0"), at about 2f libvips passes a step where the resize is one.
 * Reductions between 1x and 1.25x can lose slivers; the crop planner never asks for them (tests/engine).
 */
export async function shrinkAny(mask: Buffer, width: number, height: number, toWidth: number, toHeight: number, exact = false): Promise<Buffer> {
  if (width === toWidth && height === toHeight) return mask;
  if (toWidth > width || toHeight > height) throw new Error(`shrinkAny cannot enlarge ${width}x${height} to ${toWidth}x${toHeight}`);
  const blocks = exact && width / toWidth === height / toHeight ? blockSteps(width / toWidth) : null;
  if (blocks) {
    let [current, w, h] = [mask, width, height];
    for (const f of blocks) [current, w, h] = [await orAlong(await orAlong(current, w, h, f, 'x'), w / f, h, f, 'y'), w / f, h / f];
    return current;
  }
  const steps = Math.max(1, Math.ceil(Math.log(Math.max(width / toWidth, height / toHeight)) / Math.log(MAX_STEP)));
  let current = mask;
  let [w, h] = [width, height];
  for (let i = 1; i <= steps; i++) {
    const nw = i === steps ? toWidth : Math.round(width * (toWidth / width) ** (i / steps));
    const nh = i === steps ? toHeight : Math.round(height * (toHeight / height) ** (i / steps));
    current = await sharp(current, raw1(w, h))
      .resize(nw, nh, { fit: 'fill', kernel: 'linear' })
      .threshold(1)
      .toColourspace('b-w')
      .raw()
      .toBuffer();
    [w, h] = [nw, nh];
  }
  return current;
}

/** A whole-number reduction as factors of at most MAX_STEP, largest first (8 -> 4, 2); null when it has none. */
function blockSteps(reduction: number): number[] | null {
  if (!Number.isInteger(reduction)) return null;
  const steps: number[] = [];
  for (let rest = reduction; rest > 1; ) {
    const f = [4, 3, 2].find((d) => d <= MAX_STEP && rest % d === 0);
    if (!f) return null;
    steps.push(f);
    rest /= f;
  }
  return steps;
}

/**
 * Along one axis, each run of f pixels to one: their OR. libvips' nearest-neighbour resize keeps pixel floor(f/2)
 * of each run; on the mask padded once, f windows shifted by a pixel each keep every pixel of the run once, and
 * each is ORed into the next as it is made (one libvips pass a window).
 */
async function orAlong(mask: Buffer, w: number, h: number, f: number, axis: 'x' | 'y'): Promise<Buffer> {
  const [tw, th] = axis === 'x' ? [w / f, h] : [w, h / f];
  const kept = Math.floor(f / 2);
  const [before, after] = [kept, f - 1 - kept];
  const pad = axis === 'x' ? { left: before, right: after, top: 0, bottom: 0 } : { left: 0, right: 0, top: before, bottom: after };
  const [pw, ph] = [w + pad.left + pad.right, h + pad.top + pad.bottom];
  const padded = await sharp(mask, raw1(w, h)).extend({ ...pad, background: { r: 0, g: 0, b: 0 } }).toColourspace('b-w').raw().toBuffer();
  let out: Buffer | null = null;
  for (let d = 0; d < f; d++) {
    // Window d: its kept pixel is pixel d of the mask's run.
    let window = sharp(padded, raw1(pw, ph))
      .extract({ left: axis === 'x' ? d : 0, top: axis === 'y' ? d : 0, width: w, height: h })
      .resize(tw, th, { fit: 'fill', kernel: 'nearest' });
    if (out) window = window.boolean(out, 'or', raw1(tw, th));
    out = await window.toColourspace('b-w').raw().toBuffer();
  }
  return out!;
}

/**
 * Groups of nearby holes, as their exact bounding boxes in the photo. Boxes never overlap, and every hole
 * pixel lies in exactly one box. Connected components of the dilated grid, merged while boxes are close.
 */
export async function findHoleGroups(mask: Buffer, width: number, height: number): Promise<Rect[]> {
  const cell = Math.max(1, Math.ceil(Math.max(width, height) / GRID));
  const gw = Math.ceil(width / cell);
  const gh = Math.ceil(height / cell);
  const grid = await shrinkAny(mask, width, height, gw, gh);
  // One cell of dilation joins the strokes of one scribble and absorbs resampling's sub-cell offsets.
  // sharp's morphology takes black as the foreground, so growing the white holes is its erode().
  const dilated = await sharp(grid, raw1(gw, gh)).erode(1).toColourspace('b-w').raw().toBuffer();
  const toPhoto = (b: GridBox): Rect => {
    const x = Math.floor((b.x0 * width) / gw);
    const y = Math.floor((b.y0 * height) / gh);
    return { x, y, width: Math.min(width, Math.ceil(((b.x1 + 1) * width) / gw)) - x, height: Math.min(height, Math.ceil(((b.y1 + 1) * height) / gh)) - y };
  };
  let boxes = components(dilated, gw, gh).map(toPhoto);
  for (let gap = MERGE_GAP; ; gap *= 2) {
    boxes = mergeClose(boxes, gap);
    if (boxes.length <= MAX_GROUPS) break;
  }
  return boxes.map((box) => tightBox(mask, width, box)).filter((b): b is Rect => b !== null);
}

interface GridBox {
  x0: number;
  y0: number;
  x1: number; // inclusive
  y1: number;
}

/** Bounding boxes of the 8-connected components of non-zero cells (a small grid: a plain flood fill). */
function components(grid: Buffer, w: number, h: number): GridBox[] {
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  const boxes: GridBox[] = [];
  for (let start = 0; start < w * h; start++) {
    if (!grid[start] || seen[start]) continue;
    const box = { x0: w, y0: h, x1: 0, y1: 0 };
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % w;
      const y = (i - x) / w;
      box.x0 = Math.min(box.x0, x);
      box.x1 = Math.max(box.x1, x);
      box.y0 = Math.min(box.y0, y);
      box.y1 = Math.max(box.y1, y);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const j = ny * w + nx;
          if (grid[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
    boxes.push(box);
  }
  return boxes;
}

/** Distance between two boxes along the axis where they are farthest apart (0 when they touch or overlap). */
function gapBetween(a: Rect, b: Rect): number {
  const dx = Math.max(a.x, b.x) - Math.min(a.x + a.width, b.x + b.width);
  const dy = Math.max(a.y, b.y) - Math.min(a.y + a.height, b.y + b.height);
  return Math.max(0, dx, dy);
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/** Merges boxes closer than `gap` until none are: the result's boxes are pairwise apart, so disjoint. */
export function mergeClose(boxes: Rect[], gap: number): Rect[] {
  const out = [...boxes];
  for (let merged = true; merged; ) {
    merged = false;
    for (let i = 0; i < out.length && !merged; i++) {
      for (let j = i + 1; j < out.length; j++) {
        if (gapBetween(out[i]!, out[j]!) < gap) {
          out[i] = union(out[i]!, out[j]!);
          out.splice(j, 1);
          merged = true;
          break;
        }
      }
    }
  }
  return out;
}

/**
 * The exact bounding box of the hole pixels inside `region`, or null when it has none. The mask is binary, so
 * each row's first and last hole pixel is a native byte search (indexOf/lastIndexOf on a view of the row):
 * a few microseconds a row, where libvips' trim costs about 30 ns a pixel.
 */
export function tightBox(mask: Buffer, width: number, region: Rect): Rect | null {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let y = region.y; y < region.y + region.height; y++) {
    const start = y * width + region.x;
    const row = mask.subarray(start, start + region.width);
    const first = row.indexOf(255);
    if (first < 0) continue;
    x0 = Math.min(x0, first);
    x1 = Math.max(x1, row.lastIndexOf(255));
    y0 = Math.min(y0, y);
    y1 = y;
  }
  return y1 < 0 ? null : { x: region.x + x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** The smallest rectangle holding all the boxes. */
export function unionAll(boxes: readonly Rect[]): Rect {
  return boxes.reduce((acc, b) => union(acc, b));
}

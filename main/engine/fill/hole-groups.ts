// Finding the holes: groups of nearby hole pixels, each with its exact bounding box. The full-resolution
// mask is only ever touched by onnxruntime (mask-ops.ts), libvips and native byte searches; JavaScript looks at
// a grid of at most GRID x GRID cells.
import sharp from 'sharp';
import type { Rect } from '../../contract/app-api';
import { shrinkHoles } from './mask-ops';

/** Long side of the grid the holes are grouped on. */
const GRID = 256;
/** Holes closer than this (pixels, on either axis) share one crop. */
const MERGE_GAP = 64;
/** More groups than this and the gap doubles until they fit: specks over a whole photo become a few crops. */
const MAX_GROUPS = 24;
/**
 * Groups of nearby holes, as their exact bounding boxes in the photo. Boxes never overlap, and every hole
 * pixel lies in exactly one box. Connected components of the dilated grid, merged while boxes are close.
 */
export async function findHoleGroups(mask: Buffer, width: number, height: number): Promise<Rect[]> {
  const cell = Math.max(1, Math.ceil(Math.max(width, height) / GRID));
  const gw = Math.ceil(width / cell);
  const gh = Math.ceil(height / cell);
  const grid = await shrinkHoles(mask, width, height, { x: 0, y: 0, cellWidth: cell, cellHeight: cell, width: gw, height: gh });
  // One cell of dilation joins the strokes of one scribble. sharp's morphology takes black as the foreground, so
  // growing the white holes is its erode().
  const dilated = await sharp(grid, { raw: { width: gw, height: gh, channels: 1 } }).erode(1).toColourspace('b-w').raw().toBuffer();
  const toPhoto = (b: GridBox): Rect => {
    const [x, y] = [b.x0 * cell, b.y0 * cell];
    return { x, y, width: Math.min(width, (b.x1 + 1) * cell) - x, height: Math.min(height, (b.y1 + 1) * cell) - y };
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

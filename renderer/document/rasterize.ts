// Mask layers to pixels. The same drawing code serves the screen (tinted, at the preview's scale) and
// Remove Object (white on black, at the photo's full resolution, but only over the box the painting can
// cover, so its cost follows the painted area, not the photo's size); all pixel work is the canvas's own.
import type { MaskRegion, Rect } from '../../main/contract/app-api';
import { RAW_REGION_MAX_PIXELS } from '../../main/contract/limits';
import type { DocState, MaskLayer, MaskOp, Points } from './layers';
import { visibleMasks } from './layers';

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

function tracePolyline(ctx: Context2D, points: Points): void {
  ctx.beginPath();
  ctx.moveTo(points[0]!, points[1]!);
  for (let i = 2; i < points.length; i += 2) ctx.lineTo(points[i]!, points[i + 1]!);
}

/** Draws one op in `color` onto a context already scaled from photo pixels to its own. */
export function drawMaskOp(ctx: Context2D, op: MaskOp, color: string): void {
  ctx.save();
  ctx.fillStyle = ctx.strokeStyle = color;
  switch (op.kind) {
    case 'clear':
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
      break;
    case 'invert':
      // XOR with an opaque fill turns alpha a into 1 - a: an exact inversion, soft edges included.
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.globalCompositeOperation = 'xor';
      ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
      break;
    case 'stroke':
      ctx.globalCompositeOperation = op.erase ? 'destination-out' : 'source-over';
      if (op.points.length === 2) {
        ctx.beginPath(); // a click: one dab of the brush
        ctx.arc(op.points[0]!, op.points[1]!, op.size / 2, 0, Math.PI * 2);
        ctx.fill();
      } else {
        ctx.lineWidth = op.size;
        ctx.lineCap = ctx.lineJoin = 'round';
        tracePolyline(ctx, op.points);
        ctx.stroke();
      }
      break;
    case 'rect':
      ctx.globalCompositeOperation = op.erase ? 'destination-out' : 'source-over';
      ctx.fillRect(op.x, op.y, op.width, op.height);
      break;
    case 'lasso':
      ctx.globalCompositeOperation = op.erase ? 'destination-out' : 'source-over';
      tracePolyline(ctx, op.points);
      ctx.closePath();
      ctx.fill();
      break;
  }
  ctx.restore();
}

/**
 * Redraws a whole mask layer onto `ctx` (cleared first) at `scale` canvas pixels per photo pixel, with the
 * photo point `origin` at the canvas's top left.
 */
export function drawMask(
  ctx: Context2D,
  ops: readonly MaskOp[],
  scale: number,
  color: string,
  origin: { x: number; y: number } = { x: 0, y: 0 },
): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(scale, 0, 0, scale, -origin.x * scale, -origin.y * scale);
  for (const op of ops) drawMaskOp(ctx, op, color);
}

// ---- the box the painting can cover -------------------------------------------------------------------

/** Edges in photo pixels, [x0, x1) x [y0, y1); empty when x0 >= x1 or y0 >= y1. */
interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const EMPTY: Box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };

/** Antialiasing reaches a little past the geometry; the threshold decides those pixels, so keep them. */
const AA_MARGIN = 2;

function grow(box: Box, x0: number, y0: number, x1: number, y1: number): Box {
  return { x0: Math.min(box.x0, x0), y0: Math.min(box.y0, y0), x1: Math.max(box.x1, x1), y1: Math.max(box.y1, y1) };
}

/** The points' box, padded. A point that is not finite is skipped, as the canvas skips it when drawing. */
function pointsBox(points: Points, pad: number): Box {
  let box = EMPTY;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (Number.isFinite(x) && Number.isFinite(y)) box = grow(box, x - pad, y - pad, x + pad, y + pad);
  }
  return box;
}

/**
 * Photo pixels one mask layer's ops can make part of the hole (a safe over-estimate): painting grows it,
 * erasing never does, a clear empties it, an invert makes it the whole photo.
 */
function layerBox(ops: readonly MaskOp[], width: number, height: number): Box {
  let box = EMPTY;
  for (const op of ops) {
    switch (op.kind) {
      case 'clear':
        box = EMPTY;
        break;
      case 'invert':
        box = { x0: 0, y0: 0, x1: width, y1: height };
        break;
      case 'stroke': {
        if (op.erase) break;
        const radius = Number.isFinite(op.size) && op.size > 0 ? op.size / 2 : 1; // else the default 1px line
        const b = pointsBox(op.points, radius + AA_MARGIN);
        box = grow(box, b.x0, b.y0, b.x1, b.y1);
        break;
      }
      case 'rect': {
        const xs = [op.x, op.x + op.width];
        const ys = [op.y, op.y + op.height];
        if (op.erase || !xs.concat(ys).every(Number.isFinite)) break; // fillRect ignores non-finite rects
        box = grow(box, Math.min(...xs) - AA_MARGIN, Math.min(...ys) - AA_MARGIN, Math.max(...xs) + AA_MARGIN, Math.max(...ys) + AA_MARGIN);
        break;
      }
      case 'lasso': {
        if (op.erase) break;
        const b = pointsBox(op.points, AA_MARGIN);
        box = grow(box, b.x0, b.y0, b.x1, b.y1);
        break;
      }
    }
  }
  return box;
}

/** The union of the layers' boxes in whole pixels, clipped to the photo; null when it is empty. */
export function paintedBounds(masks: readonly Pick<MaskLayer, 'ops'>[], width: number, height: number): Rect | null {
  let box = EMPTY;
  for (const mask of masks) {
    const b = layerBox(mask.ops, width, height);
    if (b.x0 < b.x1 && b.y0 < b.y1) box = grow(box, b.x0, b.y0, b.x1, b.y1);
  }
  const x0 = Math.max(0, Math.floor(box.x0));
  const y0 = Math.max(0, Math.floor(box.y0));
  const x1 = Math.min(width, Math.ceil(box.x1));
  const y1 = Math.min(height, Math.ceil(box.y1));
  if (x0 >= x1 || y0 >= y1) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

// ---- the hole ---------------------------------------------------------------------------------------

function context(canvas: OffscreenCanvas): OffscreenCanvasRenderingContext2D {
  const ctx = canvas.getContext('2d', { willReadFrequently: false });
  if (!ctx) throw new Error('This browser cannot draw the mask (no 2D canvas).');
  return ctx;
}

// contrast(c) maps v to (v - 0.5) * c + 0.5; any c > 255 sends every 8-bit grey to 0 or 255:
// a threshold at half coverage, done by the canvas instead of a loop over pixels.
const THRESHOLD = 'contrast(100000%)';

/** Opaque white as a 32-bit word (either byte order): a hole pixel after the threshold. */
const WHITE = 0xffffffff;

async function encodePng(canvas: OffscreenCanvas): Promise<Uint8Array> {
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
}

/**
 * The union of `masks` over the photo pixels in `rect`, thresholded to white (hole) on black (keep), on a
 * canvas of rect's size, with its pixels and the first and last rows holding any hole. Null when no pixel
 * is a hole.
 */
function rasterizeBox(masks: readonly MaskLayer[], rect: Rect): { canvas: OffscreenCanvas; rgba: Uint8ClampedArray; rows: [number, number] } | null {
  const { width, height } = rect;
  const layer = new OffscreenCanvas(width, height);
  const union = new OffscreenCanvas(width, height);
  const layerCtx = context(layer);
  const unionCtx = context(union);
  unionCtx.fillStyle = '#000';
  unionCtx.fillRect(0, 0, width, height);
  for (const mask of masks) {
    drawMask(layerCtx, mask.ops, 1, '#fff', rect); // each layer on its own: erase and invert act within it
    unionCtx.drawImage(layer, 0, 0);
  }

  // Threshold into the (now free) layer canvas.
  layerCtx.setTransform(1, 0, 0, 1, 0, 0);
  layerCtx.filter = THRESHOLD;
  layerCtx.drawImage(union, 0, 0);
  layerCtx.filter = 'none';

  // Empty? indexOf and lastIndexOf are native scans, not JS loops; they also give the first and last rows.
  const rgba = layerCtx.getImageData(0, 0, width, height).data;
  const pixels = new Uint32Array(rgba.buffer);
  const first = pixels.indexOf(WHITE);
  if (first < 0) return null;
  const last = pixels.lastIndexOf(WHITE);
  return { canvas: layer, rgba, rows: [Math.floor(first / width), Math.floor(last / width)] };
}

/**
 * The hole for Remove Object: the union of the visible mask layers at full resolution, as a binary mask
 * (soft brush edges rounded to hole or keep), rasterized only over the box the painting can cover and
 * trimmed to the rows that hold a hole: the canvas's own RGBA bytes, or a PNG when the region is large
 * (MaskRegion says why). Null when nothing is painted, so no engine call is made.
 */
export async function rasterizeHole(state: DocState, width: number, height: number): Promise<MaskRegion | null> {
  const masks = visibleMasks(state).filter((m) => m.ops.length > 0);
  const bounds = paintedBounds(masks, width, height);
  if (!bounds) return null;
  const drawn = rasterizeBox(masks, bounds);
  if (!drawn) return null;

  const [top, bottom] = drawn.rows;
  const whole = top === 0 && bottom === bounds.height - 1;
  const rect = { x: bounds.x, y: bounds.y + top, width: bounds.width, height: bottom - top + 1 };
  if (rect.width * rect.height <= RAW_REGION_MAX_PIXELS) {
    // Rows are contiguous: the trimmed band is a slice (a copy, so IPC clones only the band, not the buffer).
    const bytes = new Uint8Array(drawn.rgba.buffer, drawn.rgba.byteOffset, drawn.rgba.byteLength);
    return { kind: 'pixels', rect, channels: 4, data: whole ? bytes : bytes.slice(top * bounds.width * 4, (bottom + 1) * bounds.width * 4) };
  }
  if (whole) return { kind: 'region', rect, data: await encodePng(drawn.canvas) };
  const band = new OffscreenCanvas(rect.width, rect.height); // the trimmed band, copied by the canvas
  context(band).drawImage(drawn.canvas, 0, -top);
  return { kind: 'region', rect, data: await encodePng(band) };
}

/**
 * The same hole as a PNG of the photo's whole size (for batch processing, which applies it to other
 * photos). Null when nothing is painted.
 */
export async function rasterizeHoleFullSize(state: DocState, width: number, height: number): Promise<Uint8Array | null> {
  const masks = visibleMasks(state).filter((m) => m.ops.length > 0);
  if (!paintedBounds(masks, width, height)) return null;
  const drawn = rasterizeBox(masks, { x: 0, y: 0, width, height });
  return drawn && encodePng(drawn.canvas);
}

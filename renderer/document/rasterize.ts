// Mask layers to pixels. The same drawing code serves the screen (tinted, at the preview's scale) and
// Remove Object (white on black, at the photo's full resolution); all pixel work is the canvas's own.
import type { DocState, MaskOp, Points } from './layers';
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

/** Redraws a whole mask layer onto `ctx` (cleared first) at `scale` canvas pixels per photo pixel. */
export function drawMask(ctx: Context2D, ops: readonly MaskOp[], scale: number, color: string): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  for (const op of ops) drawMaskOp(ctx, op, color);
}

function context(canvas: OffscreenCanvas): OffscreenCanvasRenderingContext2D {
  const ctx = canvas.getContext('2d', { willReadFrequently: false });
  if (!ctx) throw new Error('This browser cannot draw the mask (no 2D canvas).');
  return ctx;
}

// contrast(c) maps v to (v - 0.5) * c + 0.5; any c > 255 sends every 8-bit grey to 0 or 255:
// a threshold at half coverage, done by the canvas instead of a loop over pixels.
const THRESHOLD = 'contrast(100000%)';

export interface Hole {
  /** PNG, the photo's full size, white = hole, black = keep. */
  png: Uint8Array;
}

/**
 * The hole for Remove Object: the union of the visible mask layers at full resolution, as a binary mask
 * (soft brush edges rounded to hole or keep). Null when nothing is painted, so no engine call is made.
 */
export async function rasterizeHole(state: DocState, width: number, height: number): Promise<Hole | null> {
  const masks = visibleMasks(state).filter((m) => m.ops.length > 0);
  if (masks.length === 0) return null;

  const layer = new OffscreenCanvas(width, height);
  const union = new OffscreenCanvas(width, height);
  const layerCtx = context(layer);
  const unionCtx = context(union);
  unionCtx.fillStyle = '#000';
  unionCtx.fillRect(0, 0, width, height);
  for (const mask of masks) {
    drawMask(layerCtx, mask.ops, 1, '#fff'); // each layer on its own: erase and invert act within it
    unionCtx.drawImage(layer, 0, 0);
  }

  // Threshold into the (now free) layer canvas.
  layerCtx.setTransform(1, 0, 0, 1, 0, 0);
  layerCtx.filter = THRESHOLD;
  layerCtx.drawImage(union, 0, 0);
  layerCtx.filter = 'none';

  // Empty? Opaque white is 0xffffffff as a 32-bit word; indexOf is a native scan, not a JS loop.
  const pixels = new Uint32Array(layerCtx.getImageData(0, 0, width, height).data.buffer);
  if (pixels.indexOf(0xffffffff) < 0) return null;

  const blob = await layer.convertToBlob({ type: 'image/png' });
  return { png: new Uint8Array(await blob.arrayBuffer()) };
}

// The texture step, at the photo's resolution: the network fills a large hole in a textured surface with its smooth
// mean, which at 100 % reads as a flat patch in the shape of the removed object. This adds the grain of the photo
// around the hole back, copied from the nearby region whose colours best match the fill (native-models/pconv/texture.py
// says how; texture-graph.ts is that code exported to ONNX, so evaluate.py scores exactly this). It reads a box of
// TEXTURE_REACH pixels around the hole: only known pixels, never what lies under the hole.
import sharp from 'sharp';
import type * as Ort from 'onnxruntime-node';
import type { Rect } from '../../contract/app-api';
import { EngineError } from '../errors';
import { autoThreads } from '../model/cpu-cores';
import { placeIn } from '../images/decode';
import type { MaskWindow } from './read-mask';
import { intersect } from './tile-geometry';
import { TEXTURE_CELL, TEXTURE_GRAPH, TEXTURE_MARGIN, TEXTURE_REACH, TEXTURE_STRENGTHS } from './texture-graph';

/** The grain's strength for a hole that fills `share` of the network's tile (pconv/texture.py texture_strength). */
export const textureStrength = (share: number) => TEXTURE_STRENGTHS.find(([upto]) => share <= upto)?.[1] ?? 0;

/** Where the step works around a hole's rectangle: `box`, the pixels it fills (the rectangle and TEXTURE_MARGIN
 * around it, within the photo's whole cells), and `around`, the photo it reads (TEXTURE_REACH more on each side; past
 * the photo's edge neither known nor hole). Both on the photo's TEXTURE_CELL grid, as evaluate.py's whole-photo run
 * lays them, so that both choose the same sources. */
export function textureBoxes(hole: Rect, photoWidth: number, photoHeight: number): { box: Rect; around: Rect } {
  const down = (v: number) => Math.floor(v / TEXTURE_CELL) * TEXTURE_CELL;
  const up = (v: number) => Math.ceil(v / TEXTURE_CELL) * TEXTURE_CELL;
  const x = down(Math.max(0, hole.x - TEXTURE_MARGIN));
  const y = down(Math.max(0, hole.y - TEXTURE_MARGIN));
  const right = Math.min(up(photoWidth), up(hole.x + hole.width + TEXTURE_MARGIN));
  const bottom = Math.min(up(photoHeight), up(hole.y + hole.height + TEXTURE_MARGIN));
  const box = { x, y, width: right - x, height: bottom - y };
  const r = TEXTURE_REACH;
  return { box, around: { x: x - r, y: y - r, width: box.width + 2 * r, height: box.height + 2 * r } };
}

/** Where the step reads from. */
export interface TextureSource {
  /** The photo's pixels over `rect` (RGB, the result layers over them; zeros past its edge) and which may be read
   * (255; 0 in any hole and past the edge). `rect` may pass the photo's edges. */
  read(rect: Rect): Promise<{ photo: Buffer; known: Buffer }>;
  /** The network's fills over `rect` (8-bit RGB; anything where there is no hole). */
  fills(rect: Rect): Promise<Buffer>;
  mask: MaskWindow;
  width: number;
  height: number;
}

/** The largest part of a hole's rectangle one run takes (a side, px): a run reads TEXTURE_REACH around its part, so
 * a huge hole in parts stays under 3 MP a run (about 100 bytes a pixel in onnxruntime). Parts of 2048 px were no
 * faster on a 10 % hole in a 24 MP photo (`npm run bench -- --only e2e`: 2971 against 3049 ms on a loaded machine):
 * the work follows the pixels, not the rings read again. Parts do not show: each pixel's grain depends only on what
 * lies within TEXTURE_MARGIN + TEXTURE_REACH of it, which every part's run reads. */
export const TEXTURE_PART = 1024;

type TextureGraph = { ort: typeof Ort; session: Ort.InferenceSession };

async function createTextureGraph(): Promise<TextureGraph> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(TEXTURE_GRAPH, {
    executionProviders: ['cpu'],
    intraOpNumThreads: autoThreads(),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  return { ort, session };
}

let load = createTextureGraph;
let loading: Promise<TextureGraph> | null = null;

/** Tests put a loader that fails in its place (as mask-ops.ts's setMaskGraphLoader); no argument restores the real one. */
export function setTextureGraphLoader(loader: () => Promise<TextureGraph> = createTextureGraph): void {
  load = loader;
  loading = null;
}

/** Created on first use and kept for the process; a failed start is not kept (the next job tries again). */
function textureSession(): Promise<TextureGraph> {
  loading ??= load().catch((err: unknown) => {
    loading = null;
    throw textureFailed('onnxruntime could not start it', err);
  });
  return loading;
}

const textureFailed = (what: string, err: unknown) =>
  new EngineError('failed', `Holefill could not add the texture to the fill: ${what} (${err instanceof Error ? err.message.split('\n')[0] : String(err)}).`);

const raw = (width: number, height: number, channels: 1 | 3) => ({ raw: { width, height, channels } });

/** The fill of `hole` (a rectangle of the mask's) with the photo's grain added: 8-bit RGB of its size. */
export async function withTexture(source: TextureSource, hole: Rect, strength: number, part = TEXTURE_PART): Promise<Buffer> {
  const parts: Rect[] = [];
  for (let y = hole.y; y < hole.y + hole.height; y += part) {
    for (let x = hole.x; x < hole.x + hole.width; x += part) {
      parts.push({ x, y, width: Math.min(part, hole.x + hole.width - x), height: Math.min(part, hole.y + hole.height - y) });
    }
  }
  if (parts.length === 1) return texturePart(source, hole, strength);
  const over: sharp.OverlayOptions[] = [];
  for (const p of parts) over.push({ input: await texturePart(source, p, strength), raw: raw(p.width, p.height, 3).raw, left: p.x - hole.x, top: p.y - hole.y });
  return sharp({ create: { width: hole.width, height: hole.height, channels: 3, background: { r: 0, g: 0, b: 0 } } }).composite(over).removeAlpha().raw().toBuffer();
}

async function texturePart(source: TextureSource, hole: Rect, strength: number): Promise<Buffer> {
  const { mask } = source;
  const { box, around } = textureBoxes(hole, source.width, source.height);
  const r = TEXTURE_REACH;
  const [{ ort, session }, { photo, known }, fill] = await Promise.all([textureSession(), source.read(around), source.fills(box)]);
  const at = { left: hole.x - box.x, top: hole.y - box.y };
  const inMask = intersect(box, mask.rect);
  const holes = inMask
    ? await placeIn(sharp(mask.data, raw(mask.rect.width, mask.rect.height, 1)).extract({ left: inMask.x - mask.rect.x, top: inMask.y - mask.rect.y, width: inMask.width, height: inMask.height }), inMask, box, 0, 1)
    : Buffer.alloc(box.width * box.height);
  const [h, w] = [box.height, box.width];
  const [bigH, bigW] = [h + 2 * r, w + 2 * r];
  let out: Ort.InferenceSession.ReturnType;
  try {
    out = await session.run({
      photo: new ort.Tensor('uint8', photo, [bigH, bigW, 3]),
      known: new ort.Tensor('uint8', known, [bigH, bigW]),
      holes: new ort.Tensor('uint8', holes, [h, w]),
      fill: new ort.Tensor('uint8', fill, [h, w, 3]),
      strength: new ort.Tensor('float32', Float32Array.from([strength]), [1]),
    });
  } catch (err) {
    throw textureFailed('onnxruntime failed on it', err);
  }
  const rgb = out.rgb!.data as Uint8Array;
  return sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), raw(w, h, 3))
    .extract({ ...at, width: hole.width, height: hole.height })
    .raw()
    .toBuffer();
}

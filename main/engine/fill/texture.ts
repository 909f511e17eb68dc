// The texture step, at the photo's resolution: the network fills a large hole in a textured surface with its smooth
// mean, which at 100 % reads as a flat patch in the shape of the removed object. This adds the grain of the photo
// around the hole back, copied from the nearby region whose colours best match the fill (native-models/pconv/texture.py
// says how; texture-graph.ts is that code exported to ONNX, so evaluate.py scores exactly this). It reads a box of
// TEXTURE_REACH pixels around the hole: only known pixels, never what lies under the hole.
import sharp from 'sharp';
import type * as Ort from 'onnxruntime-node';
import type { Rect } from '../../contract/app-api';
import { EngineError } from '../errors';
import { placeIn } from '../images/decode';
import { firstLine, lazyGraphs, pixelGraphSession } from './pixel-graphs';
import type { MaskWindow } from './read-mask';
import { tightBox, unionAll } from './hole-groups';
import { intersect, sameRect } from './tile-geometry';
import { PATCHES_CELL, PATCHES_GRAPH, PATCHES_MARGIN, PATCHES_PASSES, PATCHES_REACH } from './patches-graph';
import { TEXTURE_CELL, TEXTURE_GRAPH, TEXTURE_MARGIN, TEXTURE_REACH, TEXTURE_STRENGTHS } from './texture-graph';

/** The two texture steps (contract/engine.ts Texture): `grain` (pconv/texture.py) and `patches` (pconv/patches.py),
 * one graph each, with the same inputs; what each reads around its box and how its boxes lie on the photo's grid. */
export type TextureKind = 'grain' | 'patches';
interface Geometry {
  graph: Uint8Array;
  reach: number;
  margin: number;
  cell: number;
  /** At most this many passes over a hole, each from the last one's copies inwards. */
  passes: number;
}
const KINDS: Record<TextureKind, Geometry> = {
  grain: { graph: TEXTURE_GRAPH, reach: TEXTURE_REACH, margin: TEXTURE_MARGIN, cell: TEXTURE_CELL, passes: 1 },
  patches: { graph: PATCHES_GRAPH, reach: PATCHES_REACH, margin: PATCHES_MARGIN, cell: PATCHES_CELL, passes: PATCHES_PASSES },
};

/** The step's strength for a hole that fills `share` of the network's tile: the grain's by share (pconv/texture.py
 * texture_strength); the patches' whole. */
export const textureStrength = (share: number, kind: TextureKind = 'grain') =>
  kind === 'patches' ? 1 : (TEXTURE_STRENGTHS.find(([upto]) => share <= upto)?.[1] ?? 0);

/** Where the step works around a hole's rectangle: `box`, the pixels it fills (the rectangle and TEXTURE_MARGIN
 * around it, within the photo's whole cells), and `around`, the photo it reads (TEXTURE_REACH more on each side; past
 * the photo's edge neither known nor hole). Both on the photo's TEXTURE_CELL grid, as evaluate.py's whole-photo run
 * lays them, so that both choose the same sources. */
export function textureBoxes(hole: Rect, photoWidth: number, photoHeight: number, kind: TextureKind = 'grain'): { box: Rect; around: Rect } {
  const { cell, margin, reach: r } = KINDS[kind];
  const down = (v: number) => Math.floor(v / cell) * cell;
  const up = (v: number) => Math.ceil(v / cell) * cell;
  const x = down(Math.max(0, hole.x - margin));
  const y = down(Math.max(0, hole.y - margin));
  const right = Math.min(up(photoWidth), up(hole.x + hole.width + margin));
  const bottom = Math.min(up(photoHeight), up(hole.y + hole.height + margin));
  const box = { x, y, width: right - x, height: bottom - y };
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

/** The most photo pixels one run reads (its part, and TEXTURE_MARGIN + TEXTURE_REACH around it): a part of 1024 x
 * 1024 px, about 100 bytes a pixel in onnxruntime. A larger hole is cut into parts (they do not show: each pixel's grain
 * depends only on what lies within TEXTURE_MARGIN + TEXTURE_REACH of it, which every part's run reads). */
export const TEXTURE_RUN_PIXELS = 2_700_000;

/** The photo pixels a run over a part of w x h px reads, at most (textureBoxes: the margin, the reach, cell rounding). */
const readAreaOf = (w: number, h: number, kind: TextureKind) => {
  const { margin, reach, cell } = KINDS[kind];
  const around = 2 * (margin + reach + cell);
  return (w + around) * (h + around);
};

/**
 * The grid that cuts `rect` into parts of at most `runPixels` read each, reading the least in all: every run reads
 * ~300 px around its part again, so a 1510 x 2100 px hole (10 % of 24 MP) in 2 x 2 parts reads 9.1 MP where
 * 1024 px squares read 10.8 (`npm run bench -- --only e2e`, texture row).
 */
export function textureGrid(rect: Rect, runPixels = TEXTURE_RUN_PIXELS, kind: TextureKind = 'grain'): Rect[] {
  const readArea = (w: number, h: number) => readAreaOf(w, h, kind);
  const a = Math.sqrt(readArea(0, 0)); // what a run reads past its part's sides
  let best = { nx: 1, ny: 1, read: Infinity };
  // nx columns read at least (width + a nx)(height + a): past the best, more columns only read more.
  for (let nx = 1; nx <= rect.width && (rect.width + a * nx) * (rect.height + a) < best.read; nx++) {
    const w = Math.ceil(rect.width / nx);
    if (readArea(w, 1) > runPixels) continue;
    // For nx columns the fewest rows that fit read the least (nx (w + a)(height + a ny)).
    for (let ny = 1; ny <= rect.height; ny++) {
      const h = Math.ceil(rect.height / ny);
      if (readArea(w, h) > runPixels) continue;
      if (nx * ny * readArea(w, h) < best.read) best = { nx, ny, read: nx * ny * readArea(w, h) };
      break;
    }
  }
  const cuts = (start: number, length: number, n: number) =>
    Array.from({ length: n }, (_, i) => [start + Math.round((i * length) / n), start + Math.round(((i + 1) * length) / n)] as const);
  return cuts(rect.y, rect.height, best.ny).flatMap(([y0, y1]) =>
    cuts(rect.x, rect.width, best.nx).map(([x0, x1]) => ({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 })),
  );
}

type TextureGraph = { ort: typeof Ort; session: Ort.InferenceSession };

const createGraph = (kind: TextureKind) => async (): Promise<TextureGraph> => {
  const ort = await import('onnxruntime-node');
  return { ort, session: await pixelGraphSession(ort, KINDS[kind].graph) };
};

const textureFailed = (what: string, err: unknown) =>
  new EngineError('failed', `Holefill could not add the texture to the fill: ${what} (${firstLine(err)}).`);

const graphs = {
  grain: lazyGraphs(createGraph('grain'), (err) => textureFailed('onnxruntime could not start it', err)),
  patches: lazyGraphs(createGraph('patches'), (err) => textureFailed('onnxruntime could not start it', err)),
};

/** Tests put a loader that fails in the place of both (as mask-ops.ts's setMaskGraphLoader); no argument restores the
 * real ones. */
export const setTextureGraphLoader = (loader?: () => Promise<TextureGraph>) => {
  for (const g of Object.values(graphs)) g.setLoader(loader);
};

const raw = (width: number, height: number, channels: 1 | 3) => ({ raw: { width, height, channels } });

/** A pass's result over a rectangle: 8-bit RGB, and the hole pixels no copy reached yet (255; patches only). */
interface Pass {
  rgb: Buffer;
  pending: Buffer | null;
}

/**
 * The fill of the hole group made of `pieces` (the rectangles the network filled) with the photo's grain added: 8-bit
 * RGB of their union's size. The union is cut by textureGrid; a part no piece reaches is left as the fill, and a run
 * covers only what the pieces cover of its part (a wire across the photo: the parts along it, not the whole frame).
 * Patches reach PATCHES_REACH into the photo; a hole deeper than that (a person on a 24 MP photo) is filled in passes
 * from its rim inwards, each reading the last one's copies as the photo's own (pconv/patches.py patches_fill).
 */
export async function withTexture(source: TextureSource, pieces: readonly Rect[], strength: number, runPixels = TEXTURE_RUN_PIXELS, kind: TextureKind = 'grain'): Promise<Buffer> {
  const hole = unionAll(pieces);
  let { rgb, pending } = await texturePass(source, pieces, strength, runPixels, kind);
  for (let pass = 1; pending && pass < KINDS[kind].passes; pass++) {
    const left = tightBox(pending, hole.width, { x: 0, y: 0, width: hole.width, height: hole.height });
    if (!left) break;
    const inner = { x: hole.x + left.x, y: hole.y + left.y, width: left.width, height: left.height };
    const next = await texturePass(peeled(source, hole, rgb, pending), [inner], strength, runPixels, kind);
    const stillPending = await placeIn(sharp(next.pending!, raw(inner.width, inner.height, 1)), inner, hole, 0, 1);
    rgb = await sharp(rgb, raw(hole.width, hole.height, 3)).composite([{ input: next.rgb, raw: raw(inner.width, inner.height, 3).raw, left: left.x, top: left.y }]).removeAlpha().raw().toBuffer();
    if (stillPending.equals(pending)) break; // no source anywhere near what is left: it keeps the network's fill
    pending = stillPending;
  }
  return rgb;
}

/** The source for the next pass: the last pass's result over `hole` is the photo there, and its copied pixels known.
 * Other hole groups stay unknown (pconv/patches.py's passes over the whole photo take their copies too: the two differ
 * only where another hole lies within PATCHES_REACH of a hole this deep). */
function peeled(source: TextureSource, hole: Rect, rgb: Buffer, pending: Buffer): TextureSource {
  const cut = (buf: Buffer, inside: Rect, channels: 1 | 3) =>
    sharp(buf, raw(hole.width, hole.height, channels)).extract({ left: inside.x - hole.x, top: inside.y - hole.y, width: inside.width, height: inside.height });
  return {
    ...source,
    mask: { rect: hole, data: pending },
    fills: async (rect) => {
      const inside = intersect(hole, rect);
      return inside ? placeIn(cut(rgb, inside, 3), inside, rect, 0, 3) : Buffer.alloc(rect.width * rect.height * 3);
    },
    read: async (rect) => {
      const { photo, known } = await source.read(rect);
      const inside = intersect(hole, rect);
      if (!inside) return { photo, known };
      const at = { left: inside.x - rect.x, top: inside.y - rect.y };
      const copied = await placeIn(cut(pending, inside, 1).negate(), inside, rect, 0, 1);
      const [rgbOver, knownOver] = await Promise.all([
        sharp(photo, raw(rect.width, rect.height, 3)).composite([{ input: await cut(rgb, inside, 3).raw().toBuffer(), raw: raw(inside.width, inside.height, 3).raw, ...at }]).removeAlpha().raw().toBuffer(),
        sharp(known, raw(rect.width, rect.height, 1)).boolean(copied, 'or', raw(rect.width, rect.height, 1)).toColourspace('b-w').raw().toBuffer(),
      ]);
      return { photo: rgbOver, known: knownOver };
    },
  };
}

/** One pass over the pieces' union, cut into parts that each read at most `runPixels`. */
async function texturePass(source: TextureSource, pieces: readonly Rect[], strength: number, runPixels: number, kind: TextureKind): Promise<Pass> {
  const hole = unionAll(pieces);
  const parts = textureGrid(hole, runPixels, kind).flatMap((cell) => {
    const covered = pieces.map((p) => intersect(p, cell)).filter((r): r is Rect => r !== null);
    return covered.length ? [unionAll(covered)] : [];
  });
  if (parts.length === 1 && sameRect(parts[0]!, hole)) return texturePart(source, hole, strength, kind);
  const done: { p: Rect; pass: Pass }[] = [];
  for (const p of parts) done.push({ p, pass: await texturePart(source, p, strength, kind) });
  const over = (channels: 1 | 3, pick: (pass: Pass) => Buffer) =>
    done.map(({ p, pass }) => ({ input: pick(pass), raw: raw(p.width, p.height, channels).raw, left: p.x - hole.x, top: p.y - hole.y }));
  const rgb = await sharp(await source.fills(hole), raw(hole.width, hole.height, 3)).composite(over(3, (d) => d.rgb)).removeAlpha().raw().toBuffer();
  if (KINDS[kind].passes === 1) return { rgb, pending: null };
  const pending = await sharp(Buffer.alloc(hole.width * hole.height), raw(hole.width, hole.height, 1))
    .composite(over(1, (d) => d.pending!))
    .extractChannel(0)
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  return { rgb, pending };
}

async function texturePart(source: TextureSource, hole: Rect, strength: number, kind: TextureKind): Promise<Pass> {
  const { mask } = source;
  const { box, around } = textureBoxes(hole, source.width, source.height, kind);
  const r = KINDS[kind].reach;
  const [{ ort, session }, { photo, known }, fill] = await Promise.all([graphs[kind].get(), source.read(around), source.fills(box)]);
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
  const part = (name: string, channels: 1 | 3) => {
    const data = out[name]!.data as Uint8Array;
    return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), raw(w, h, channels))
      .extract({ ...at, width: hole.width, height: hole.height })
      .toColourspace(channels === 1 ? 'b-w' : 'srgb')
      .raw()
      .toBuffer();
  };
  return { rgb: await part('rgb', 3), pending: out.pending ? await part('pending', 1) : null };
}

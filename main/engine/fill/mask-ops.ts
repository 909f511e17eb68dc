// The pixel work on a hole mask before the network, in four small onnxruntime graphs (mask-graph.ts): binarizing
// it and shrinking it to a coarser grid so that no hole is lost. A painted mask covers megapixels: on the 3.2 MP
// region of a 10 % hole in a 24 MP photo libvips took 10-20 ms for each (threshold; a linear resize in steps, then
// threshold), these take 1.5-6 ms (threaded, SIMD).
import type * as Ort from 'onnxruntime-node';
import { EngineError } from '../errors';
import { firstLine, lazyGraphs, pixelGraphSession } from './pixel-graphs';
import { BINARIZE_GRAPH, BLOCK_OR_GRAPH, BLOCK_OR_PADDED_GRAPH, COVER_GRAPH } from './mask-graph';

/** Where a coarser grid lies on a mask: its origin (in mask pixels, may be fractional), the size of its cells
 * (at least one pixel) and its size in cells. It starts on the mask and ends at or past its right and bottom edges
 * (cells there see keep beyond them). */
export interface Grid {
  x: number;
  y: number;
  cellWidth: number;
  cellHeight: number;
  width: number;
  height: number;
}

/** The graphs' onnxruntime sessions. */
export interface MaskGraphs {
  ort: typeof Ort;
  binarize: Ort.InferenceSession;
  blockOr: Ort.InferenceSession;
  blockOrPadded: Ort.InferenceSession;
  cover: Ort.InferenceSession;
}

/** The four sessions (a few hundred bytes each), started on first use (pixel-graphs.ts). */
export async function createMaskGraphs(): Promise<MaskGraphs> {
  const ort = await import('onnxruntime-node');
  const graphs = [BINARIZE_GRAPH, BLOCK_OR_GRAPH, BLOCK_OR_PADDED_GRAPH, COVER_GRAPH];
  const [binarize, blockOr, blockOrPadded, cover] = await Promise.all(graphs.map((g) => pixelGraphSession(ort, g)));
  return { ort, binarize: binarize!, blockOr: blockOr!, blockOrPadded: blockOrPadded!, cover: cover! };
}

const maskWorkFailed = (what: string, err: unknown) => new EngineError('failed', `Holefill could not process the mask: ${what} (${firstLine(err)}).`);

/** The sessions, or an engine error that says the mask work failed (readMask would otherwise report any error as a
 * damaged mask file). */
const maskGraphs = lazyGraphs(createMaskGraphs, (err) => maskWorkFailed('onnxruntime could not start its mask graphs', err));
const sessions = () => maskGraphs.get();

/** Tests put a loader that fails in its place; no argument restores the real one. */
export const setMaskGraphLoader = maskGraphs.setLoader;

/** One graph's run; a failure is the engine's, said as such. */
async function run(session: Ort.InferenceSession, feeds: Ort.InferenceSession.FeedsType): Promise<Buffer> {
  let out: Ort.InferenceSession.ReturnType;
  try {
    out = await session.run(feeds);
  } catch (err) {
    throw maskWorkFailed('onnxruntime failed on it', err);
  }
  const data = out.out!.data as Uint8Array;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

const int64 = (ort: typeof Ort, values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [values.length]);

/** 8-bit values -> 255 where at least 128 (a hole), else 0. */
export async function binarize(values: Uint8Array): Promise<Buffer> {
  const { ort, binarize } = await sessions();
  return run(binarize, { mask: new ort.Tensor('uint8', values, [values.length]) });
}

/**
 * The mask (255 = hole) on `grid`, each cell a hole if any mask pixel under it is; cells past the mask's edge see
 * keep. A grid of whole-pixel cells from the mask's corner takes each block's OR, exactly; any other is covered
 * conservatively: a cell next to a hole may be marked too (a hole pixel within about half a cell of it), never a
 * hole lost.
 */
export async function shrinkHoles(mask: Uint8Array, width: number, height: number, grid: Grid): Promise<Buffer> {
  if (mask.length !== width * height) throw new Error(`mask of ${mask.length} bytes is not ${width}x${height}`);
  const { x, y, cellWidth: fx, cellHeight: fy } = grid;
  if (fx < 1 || fy < 1) throw new Error(`cannot shrink a mask to cells of ${fx}x${fy} pixels`);
  if (x === 0 && y === 0 && fx === 1 && fy === 1 && grid.width === width && grid.height === height) return Buffer.from(mask.buffer, mask.byteOffset, mask.byteLength);
  if (x === 0 && y === 0 && Number.isInteger(fx) && Number.isInteger(fy)) return blockOr(mask, width, height, grid);
  return cover(mask, width, height, grid);
}

async function blockOr(mask: Uint8Array, width: number, height: number, grid: Grid): Promise<Buffer> {
  const { cellWidth: fx, cellHeight: fy } = grid;
  const [w, h] = [grid.width * fx, grid.height * fy];
  const { ort, blockOr, blockOrPadded } = await sessions();
  const blocks = int64(ort, [grid.height, fy, grid.width, fx]);
  if (width === w && height === h) return run(blockOr, { mask: new ort.Tensor('uint8', mask, [h, w]), blocks });
  if (width > w || height > h) throw new Error(`a grid of ${w}x${h} pixels ends inside its ${width}x${height} mask`);
  const pads = int64(ort, [0, 0, h - height, w - width]);
  return run(blockOrPadded, { mask: new ort.Tensor('uint8', mask, [height, width]), pads, blocks });
}

/** From this many pixels a mask is worth sparing a padded copy (below it, the largest blocks are faster). */
const LARGE_MASK = 16_000_000;

/**
 * A large reduction is first made by whole blocks of at most half a cell (exact), then covered: the float copy the
 * cover makes stays small (a 200 MP crop past a panorama's edge: peak 1.2 GB without, 0.4 GB with blocks that divide
 * it, 0.55 GB with a padded copy), and it is faster. A block reaches less than half a cell past its hole pixels, so
 * the margin stays within one cell.
 */
async function cover(mask: Uint8Array, width: number, height: number, grid: Grid): Promise<Buffer> {
  const most = Math.floor(Math.min(grid.cellWidth, grid.cellHeight) / 2);
  if (most < 2) return coverOnce(mask, width, height, grid);
  let k = most;
  if (width * height >= LARGE_MASK) {
    while (k > 2 && (width % k || height % k)) k--;
    if (width % k || height % k) k = most; // none divides: padded after all
  }
  const [w, h] = [Math.ceil(width / k), Math.ceil(height / k)];
  const blocks = await blockOr(mask, width, height, { x: 0, y: 0, cellWidth: k, cellHeight: k, width: w, height: h });
  return coverOnce(blocks, w, h, { ...grid, x: grid.x / k, y: grid.y / k, cellWidth: grid.cellWidth / k, cellHeight: grid.cellHeight / k });
}

/**
 * tf_crop_and_resize samples target pixel j at start * (len - 1) + j * (end - start) * (len - 1) / (count - 1) on
 * the mask's pixel indices: the roi that puts it at the centre of the grid's cell j. Those centres lie inside the
 * mask whenever the grid does.
 */
async function coverOnce(mask: Uint8Array, width: number, height: number, grid: Grid): Promise<Buffer> {
  const axis = (origin: number, cell: number, count: number, length: number) => {
    const first = origin + 0.5 * cell - 0.5;
    const last = origin + (count - 0.5) * cell - 0.5;
    return length > 1 ? [first / (length - 1), last / (length - 1)] : [0, 0];
  };
  const [y0, y1] = axis(grid.y, grid.cellHeight, grid.height, height);
  const [x0, x1] = axis(grid.x, grid.cellWidth, grid.width, width);
  const { ort, cover } = await sessions();
  return run(cover, {
    mask: new ort.Tensor('uint8', mask, [1, 1, height, width]),
    roi: new ort.Tensor('float32', Float32Array.from([0, 0, y0!, x0!, 1, 1, y1!, x1!]), [8]),
    sizes: int64(ort, [1, 1, grid.height, grid.width]),
  });
}

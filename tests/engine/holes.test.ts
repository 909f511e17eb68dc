// Finding holes and planning crops: the properties the composite's exactness rests on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import type { Rect } from '../../main/contract/app-api';
import { MODEL_STEP, planTile, readsReduced, REDUCED_FACTOR } from '../../main/engine/fill/tile-geometry';
import { findHoleGroups, mergeClose } from '../../main/engine/fill/hole-groups';
import { reducedCopy } from '../../main/engine/fill/photo-cache';
import { readMask } from '../../main/engine/fill/read-mask';
import { binarize, createMaskGraphs, setMaskGraphLoader, shrinkHoles, type Grid } from '../../main/engine/fill/mask-ops';
import { EngineError } from '../../main/engine/errors';
import { tileHoles } from '../../main/engine/fill/tile-holes';
import { nvidiaMask } from '../helpers/engine-data';

/** Exact reference: a grid cell is a hole if any hole pixel overlaps its area (loops are fine in tests). */
function gridReference(mask: Uint8Array, w: number, h: number, grid: Grid): Uint8Array {
  const { x: ox, y: oy, cellWidth: fx, cellHeight: fy, width: tw, height: th } = grid;
  const out = new Uint8Array(tw * th);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      // Pixel [x, x+1) overlaps cell j when j * fx + ox < x + 1 and (j + 1) * fx + ox > x.
      for (let ty = Math.max(0, Math.floor((y - oy) / fy)); ty <= Math.min(th - 1, Math.ceil((y + 1 - oy) / fy) - 1); ty++) {
        for (let tx = Math.max(0, Math.floor((x - ox) / fx)); tx <= Math.min(tw - 1, Math.ceil((x + 1 - ox) / fx) - 1); tx++) out[ty * tw + tx] = 1;
      }
    }
  }
  return out;
}

const anyReference = (mask: Uint8Array, w: number, h: number, tw: number, th: number) =>
  gridReference(mask, w, h, { x: 0, y: 0, cellWidth: w / tw, cellHeight: h / th, width: tw, height: th });

/** Cells marked that no hole pixel touches and that have no touched cell among their 8 neighbours. */
function farExtras(got: Uint8Array, want: Uint8Array, tw: number, th: number): number {
  let far = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      if (!got[y * tw + x] || want[y * tw + x]) continue;
      let near = false;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) near ||= Boolean(want[(y + dy) * tw + x + dx]) && x + dx >= 0 && x + dx < tw && y + dy >= 0 && y + dy < th;
      if (!near) far++;
    }
  }
  return far;
}

function seeded(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

test('shrinkHoles never loses a hole: every cell touched by a hole pixel is a hole, at most one cell of margin (isolated pixels, 1x-30x, grids off the pixels)', async () => {
  const rnd = seeded(42);
  let holes = 0;
  let missed = 0;
  let extra = 0;
  let far = 0;
  for (let t = 0; t < 60; t++) {
    const [tw, th] = ([[256, 256], [512, 256], [256, 512]] as const)[t % 3]!;
    const f = t % 10 === 0 ? 1 : 1.01 + rnd() * (t % 4 === 0 ? 28 : 3);
    // Every third grid starts inside the mask's first pixel (as a model grid on a cut of whole photo pixels).
    const [ox, oy] = t % 3 === 1 ? [rnd(), rnd()] : [0, 0];
    const w = Math.ceil(ox + tw * f);
    const h = Math.ceil(oy + th * f);
    const grid = { x: ox, y: oy, cellWidth: f, cellHeight: f, width: tw, height: th };
    const mask = new Uint8Array(w * h);
    for (let k = 0; k < 1 + rnd() * 60; k++) mask[Math.floor(rnd() * h) * w + Math.floor(rnd() * w)] = 255; // the hardest case: single pixels
    const got = await shrinkHoles(mask, w, h, grid);
    const want = gridReference(mask, w, h, grid);
    for (let i = 0; i < tw * th; i++) {
      if (want[i]) {
        holes++;
        if (!got[i]) missed++;
      } else if (got[i]) extra++;
    }
    far += farExtras(got, want, tw, th);
  }
  console.log(`shrinkHoles: ${holes} hole pixels at model scale, ${missed} missed, ${extra} extra (conservative margin), ${far} beyond one cell`);
  assert.equal(missed, 0);
  assert.equal(far, 0, 'the margin is at most one cell');
  assert.ok(extra < 3 * holes, 'the margin stays about a pixel');
});

test('shrinkHoles at a whole-number reduction: each cell is a hole if and only if its block holds one (as evaluate.py), also with blocks past the edge', async () => {
  const rnd = seeded(7);
  for (const [fx, fy] of [[2, 2], [3, 3], [4, 4], [6, 6], [8, 8], [9, 9], [16, 16], [3, 5]] as const) {
    const [tw, th] = [37, 23];
    const [w, h] = [tw * fx - (fx > 8 ? 5 : 0), th * fy - (fy > 8 ? 3 : 0)]; // the last blocks cut short: the holes grid's case
    const mask = new Uint8Array(w * h);
    for (let k = 0; k < 40; k++) mask[Math.floor(rnd() * h) * w + Math.floor(rnd() * w)] = 255; // single pixels, anywhere in their block
    mask.fill(255, 5 * fy * w, 5 * fy * w + w); // and a thin line along one block row's top
    const grid = { x: 0, y: 0, cellWidth: fx, cellHeight: fy, width: tw, height: th };
    const got = await shrinkHoles(mask, w, h, grid);
    const want = gridReference(mask, w, h, grid);
    let wrong = 0;
    for (let i = 0; i < tw * th; i++) if (Boolean(got[i]) !== Boolean(want[i])) wrong++;
    assert.equal(wrong, 0, `${fx}x${fy}: ${wrong} cells differ from their blocks' OR`);
  }
});

test('binarize: a hole where the value is at least 128 (a soft brush edge rounds to hole or keep)', async () => {
  const values = Uint8Array.from({ length: 256 * 3 + 5 }, (_, i) => i % 256); // not a multiple of anything
  const got = await binarize(values);
  assert.equal(got.length, values.length);
  for (let i = 0; i < values.length; i++) assert.equal(got[i], values[i]! >= 128 ? 255 : 0, `value ${values[i]}`);
});

test('shrinkHoles refuses what no caller may ask: a mask of the wrong length, cells under a pixel, whole blocks ending inside the mask', async () => {
  const mask = new Uint8Array(40 * 30);
  const grid = { x: 0, y: 0, cellWidth: 4, cellHeight: 4, width: 10, height: 8 };
  await assert.rejects(shrinkHoles(mask.subarray(1), 40, 30, grid), /1199 bytes is not 40x30/);
  await assert.rejects(shrinkHoles(mask, 40, 30, { ...grid, cellWidth: 0.5 }), /cells of 0.5x4 pixels/);
  await assert.rejects(shrinkHoles(mask, 40, 30, { ...grid, width: 9 }), /a grid of 36x32 pixels ends inside its 40x30 mask/);
});

test('when onnxruntime cannot run the mask graphs, the job fails saying so (not "the mask is damaged"), and the next one starts them anew', async () => {
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#000' } }).composite([{ input: Buffer.alloc(10 * 10 * 3, 255), raw: { width: 10, height: 10, channels: 3 }, left: 5, top: 5 }]).png().toBuffer();
  const pixels = { kind: 'pixels' as const, rect: { x: 0, y: 0, width: 4, height: 2 }, channels: 4 as const, data: Buffer.alloc(4 * 2 * 4, 255) };
  let starts = 0;
  setMaskGraphLoader(async () => {
    if (++starts <= 2) throw new Error('no onnxruntime here');
    return createMaskGraphs();
  });
  try {
    for (const mask of [{ kind: 'bytes' as const, data: png }, pixels]) {
      const err = await readMask(mask, 40, 30, false).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof EngineError, `${mask.kind}: an engine error`);
      assert.equal(err.code, 'failed');
      assert.match(err.message, /could not process the mask: onnxruntime could not start its mask graphs \(no onnxruntime here\)/);
    }
    const window = await readMask({ kind: 'bytes', data: png }, 40, 30, false);
    assert.equal(window?.data.filter((v) => v === 255).length, 100, 'the same mask reads once the graphs start');
    assert.equal(starts, 3, 'each job after a failed start tried again');
    // A graph that fails while running (as out of memory would).
    const real = await createMaskGraphs();
    setMaskGraphLoader(async () => ({ ...real, binarize: { run: () => Promise.reject(new Error('bad allocation')) } as unknown as typeof real.binarize }));
    await assert.rejects(readMask({ kind: 'bytes', data: png }, 40, 30, false), (e: unknown) => e instanceof EngineError && e.code === 'failed' && /could not process the mask: onnxruntime failed on it \(bad allocation\)/.test(e.message));
  } finally {
    setMaskGraphLoader();
  }
});

/** Every hole pixel lies in exactly one box, and the boxes are tight (test-side loops). */
function checkGroups(mask: Buffer, w: number, h: number, groups: Rect[]) {
  const owner = new Int32Array(w * h).fill(-1);
  groups.forEach((g, i) => {
    for (let y = g.y; y < g.y + g.height; y++) {
      for (let x = g.x; x < g.x + g.width; x++) {
        assert.equal(owner[y * w + x], -1, 'group boxes do not overlap');
        owner[y * w + x] = i;
      }
    }
  });
  const tight = groups.map(() => ({ x0: w, y0: h, x1: -1, y1: -1 }));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      const i = owner[y * w + x]!;
      assert.ok(i >= 0, `hole pixel ${x},${y} is inside a group box`);
      const b = tight[i]!;
      [b.x0, b.y0, b.x1, b.y1] = [Math.min(b.x0, x), Math.min(b.y0, y), Math.max(b.x1, x), Math.max(b.y1, y)];
    }
  }
  groups.forEach((g, i) => assert.deepEqual(g, { x: tight[i]!.x0, y: tight[i]!.y0, width: tight[i]!.x1 - tight[i]!.x0 + 1, height: tight[i]!.y1 - tight[i]!.y0 + 1 }));
}

test('hole groups of real NVIDIA masks at 512, 3000x2000 and 6000x4000: disjoint, tight, covering every hole pixel', async () => {
  for (const [n, w, h] of [
    [10, 512, 512],
    [2010, 3000, 2000],
    [6010, 6000, 4000],
  ] as const) {
    const mask = await sharp(nvidiaMask(n)).resize(w, h, { fit: 'fill', kernel: 'nearest' }).threshold(128).toColourspace('b-w').raw().toBuffer();
    const groups = await findHoleGroups(mask, w, h);
    assert.ok(groups.length >= 1 && groups.length <= 24, `${groups.length} groups`);
    checkGroups(mask, w, h, groups);
  }
});

test('two far-apart holes are two groups; holes closer than the merge gap share one', async () => {
  const w = 2000;
  const h = 1000;
  const paint = (rects: Rect[]) => {
    const m = Buffer.alloc(w * h);
    for (const r of rects) for (let y = r.y; y < r.y + r.height; y++) m.fill(255, y * w + r.x, y * w + r.x + r.width);
    return m;
  };
  const far = paint([{ x: 100, y: 100, width: 30, height: 20 }, { x: 1500, y: 700, width: 41, height: 9 }]);
  assert.deepEqual(await findHoleGroups(far, w, h), [
    { x: 100, y: 100, width: 30, height: 20 },
    { x: 1500, y: 700, width: 41, height: 9 },
  ]);
  const near = paint([{ x: 100, y: 100, width: 30, height: 20 }, { x: 150, y: 110, width: 10, height: 10 }]);
  assert.deepEqual(await findHoleGroups(near, w, h), [{ x: 100, y: 100, width: 60, height: 20 }]);
  assert.deepEqual(mergeClose([{ x: 0, y: 0, width: 10, height: 10 }, { x: 200, y: 0, width: 10, height: 10 }], 64).length, 2);
});

test('crops: model sides are multiples of 256, the crop holds the hole with context, never enlarged, 1x or at least 1.25x', () => {
  const rnd = seeded(7);
  let aligned = 0;
  for (let t = 0; t < 500; t++) {
    const W = 100 + Math.floor(rnd() * 6000);
    const H = 100 + Math.floor(rnd() * 4000);
    const width = 1 + Math.floor(rnd() * Math.min(W, 1500));
    const height = 1 + Math.floor(rnd() * Math.min(H, 1500));
    const hole = { x: Math.floor(rnd() * (W - width)), y: Math.floor(rnd() * (H - height)), width, height };
    const inferSize = ([256, 512, 768, 1024] as const)[t % 4]!;
    const tile = planTile(hole, W, H, inferSize);
    const { crop } = tile;
    assert.equal(tile.width % MODEL_STEP, 0);
    assert.equal(tile.height % MODEL_STEP, 0);
    assert.equal(Math.max(tile.width, tile.height), inferSize);
    assert.ok(crop.x <= hole.x && crop.y <= hole.y && crop.x + crop.width >= hole.x + hole.width && crop.y + crop.height >= hole.y + hole.height, 'the crop holds the hole');
    const scale = Math.min(crop.width / tile.width, crop.height / tile.height);
    assert.ok(scale === 1 || scale >= 1.249, `scale ${scale} is 1 or at least 1.25`);
    for (const [start, size, photo] of [
      [crop.x, crop.width, W],
      [crop.y, crop.height, H],
    ] as const) {
      // Inside the photo, unless the photo is smaller than the crop (then the photo is centred in it).
      if (size <= photo) assert.ok(start >= 0 && start + size <= photo);
      else assert.ok(start <= 0 && start + size >= photo);
    }
    // Context: at least 64 px each side where the photo has it; a crop aligned for the reduced copy may move by
    // up to 3 px (so a few less off-centre, and up to 3 px short of the photo's far edge).
    const slack = readsReduced(tile) ? 8 : 1;
    const context = (room: number) => Math.min(64, room) - slack;
    assert.ok(hole.x - crop.x >= context(hole.x) && hole.y - crop.y >= context(hole.y), 'context left and above');
    assert.ok(crop.x + crop.width - hole.x - hole.width >= context(W - hole.x - hole.width), 'context on the right');
    assert.ok(crop.y + crop.height - hole.y - hole.height >= context(H - hole.y - hole.height), 'context below');
    if (readsReduced(tile)) {
      aligned++;
      for (const v of [crop.x, crop.y, crop.width, crop.height]) assert.ok(v % REDUCED_FACTOR === 0, 'a crop read from the reduced copy lies on its pixels');
    }
  }
  assert.ok(aligned > 20, `${aligned} crops read from the reduced copy`);
});

test('tile holes of large crops come from the holes\' box only, yet every model pixel a hole pixel touches is a hole', async () => {
  const rnd = seeded(11);
  let boxOnly = 0;
  for (let t = 0; t < 24; t++) {
    const [W, H] = t % 2 ? [6000, 4000] : [3000, 2000];
    // A real mask's holes, shrunk into a random box of the photo: the hole of one Remove Object.
    const hw = 200 + Math.floor(rnd() * 1800);
    const hh = 200 + Math.floor(rnd() * (H / 2 - 200));
    const hx = Math.floor(rnd() * (W - hw));
    const hy = Math.floor(rnd() * (H - hh));
    const holes = await sharp(nvidiaMask(2000 * (t % 6) + 10 * t)).resize(hw, hh, { fit: 'fill', kernel: 'nearest' }).threshold(128).toColourspace('b-w').raw().toBuffer();
    const full = await sharp(holes, { raw: { width: hw, height: hh, channels: 1 } }).extend({ left: hx, top: hy, right: W - hx - hw, bottom: H - hy - hh, background: '#000' }).toColourspace('b-w').raw().toBuffer();
    const [group] = await findHoleGroups(full, W, H).then((g) => [g.reduce((a, b) => ({ x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.max(a.x + a.width, b.x + b.width) - Math.min(a.x, b.x), height: Math.max(a.y + a.height, b.y + b.height) - Math.min(a.y, b.y) }))]);
    const tile = planTile(group!, W, H, ([256, 512] as const)[t % 2]!);
    const { crop } = tile;
    if (Math.min(crop.width / tile.width, crop.height / tile.height) >= 2) boxOnly++;
    const got = await tileHoles({ rect: { x: 0, y: 0, width: W, height: H }, data: full }, W, H, tile);
    // The same from a window over the painted box only (the app's region mask) and from one reaching the edge.
    const region = { x: hx, y: hy, width: hw, height: hh };
    assert.equal(got.length, tile.width * tile.height);
    assert.ok(got.equals(await tileHoles({ rect: region, data: holes }, W, H, tile)), 'a region window gives the same tile holes');
    // Beyond the photo's edge the crop is padding, a hole to the model.
    const inside = { x: Math.max(0, crop.x), y: Math.max(0, crop.y), x1: Math.min(W, crop.x + crop.width), y1: Math.min(H, crop.y + crop.height) };
    const cropMask = await sharp(full, { raw: { width: W, height: H, channels: 1 } })
      .extract({ left: inside.x, top: inside.y, width: inside.x1 - inside.x, height: inside.y1 - inside.y })
      .extend({ left: inside.x - crop.x, top: inside.y - crop.y, right: crop.x + crop.width - inside.x1, bottom: crop.y + crop.height - inside.y1, background: '#fff' })
      .toColourspace('b-w')
      .raw()
      .toBuffer();
    const want = anyReference(cropMask, crop.width, crop.height, tile.width, tile.height);
    let holePixels = 0;
    let extra = 0;
    for (let i = 0; i < want.length; i++) {
      if (want[i]) {
        holePixels++;
        assert.ok(got[i], `tile ${t}: model pixel ${i % tile.width},${Math.floor(i / tile.width)} has a hole pixel`);
      } else if (got[i]) extra++;
    }
    assert.ok(extra < 1.5 * holePixels + 4 * (tile.width + tile.height), `tile ${t}: ${extra} extra hole pixels for ${holePixels}: about a pixel of margin`);
    assert.equal(farExtras(got, want, tile.width, tile.height), 0, `tile ${t}: at most one model pixel of margin`);
  }
  assert.ok(boxOnly >= 12, `${boxOnly} tiles took the box-only path`);
});

test('tile holes at whole-number reductions are exactly the OR of each model pixel\'s block: none lost, none grown (box path and whole crop)', async () => {
  const [W, H] = [2048, 1600];
  const full = await sharp(nvidiaMask(6010)).resize(W, H, { fit: 'fill', kernel: 'nearest' }).threshold(128).toColourspace('b-w').raw().toBuffer();
  const window = { rect: { x: 0, y: 0, width: W, height: H }, data: full };
  for (const tile of [
    { crop: { x: 512, y: 256, width: 1024, height: 1024 }, width: 512, height: 512 }, // 2x, inside the photo: the box path
    { crop: { x: 0, y: 0, width: 2048, height: 1536 }, width: 512, height: 384 }, // 4x, the box path
    { crop: { x: 0, y: -224, width: 2048, height: 2048 }, width: 512, height: 512 }, // 4x, past the photo's edge: the whole crop, padding as hole
  ]) {
    const { crop } = tile;
    const cropMask = await sharp(full, { raw: { width: W, height: H, channels: 1 } })
      .extract({ left: crop.x, top: Math.max(0, crop.y), width: crop.width, height: Math.min(H, crop.y + crop.height) - Math.max(0, crop.y) })
      .extend({ top: Math.max(0, -crop.y), bottom: Math.max(0, crop.y + crop.height - H), background: '#fff' })
      .toColourspace('b-w')
      .raw()
      .toBuffer();
    const want = anyReference(cropMask, crop.width, crop.height, tile.width, tile.height);
    const got = await tileHoles(window, W, H, tile);
    let [lost, grown] = [0, 0];
    for (let i = 0; i < want.length; i++) {
      if (want[i] && !got[i]) lost++;
      if (!want[i] && got[i]) grown++;
    }
    assert.deepEqual({ lost, grown }, { lost: 0, grown: 0 }, `crop ${JSON.stringify(crop)} -> ${tile.width}x${tile.height}`);
  }
});

test('tile holes of a crop of 72 MP past a panorama\'s edge (shrunk in whole blocks first, no padded copy): none lost, at most one model pixel of margin', async () => {
  const [W, H] = [12000, 1500];
  const hole = { x: 1500, y: 600, width: 9000, height: 300 };
  const rnd = seeded(5);
  const data = Buffer.alloc(hole.width * hole.height);
  for (let k = 0; k < 400; k++) data[Math.floor(rnd() * data.length)] = 255; // specks
  data.fill(255, 100 * hole.width, 101 * hole.width); // and a one-pixel line
  const tile = planTile(hole, W, H, 512);
  const { crop } = tile;
  assert.ok(crop.width * crop.height >= 16_000_000 && crop.y < 0, `crop ${JSON.stringify(crop)} is large and past the edge`);
  const got = await tileHoles({ rect: hole, data }, W, H, tile);
  // The crop's mask: the window's holes, keep elsewhere in the photo, hole beyond its edge.
  const inPhoto = await sharp(data, { raw: { width: hole.width, height: hole.height, channels: 1 } })
    .extend({ left: hole.x - crop.x, top: hole.y, right: crop.x + crop.width - hole.x - hole.width, bottom: H - hole.y - hole.height, background: '#000' })
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  const cropMask = await sharp(inPhoto, { raw: { width: crop.width, height: H, channels: 1 } })
    .extend({ top: -crop.y, bottom: crop.y + crop.height - H, background: '#fff' })
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  const want = anyReference(cropMask, crop.width, crop.height, tile.width, tile.height);
  let lost = 0;
  for (let i = 0; i < want.length; i++) if (want[i] && !got[i]) lost++;
  assert.equal(lost, 0);
  assert.equal(farExtras(got, want, tile.width, tile.height), 0);
});

test('the reduced copy: made once per decoded photo, whole blocks only; one that cannot be made is null, not an error', async () => {
  const [w, h] = [803, 402]; // not multiples of the factor: the partial blocks at the edges are left out
  const data = await sharp({ create: { width: w, height: h, channels: 3, background: '#3080c0' } }).raw().toBuffer();
  const photo = { data, width: w, height: h, channels: 3 };
  const copy = await reducedCopy(photo);
  assert.ok(copy);
  assert.deepEqual([copy.width, copy.height, copy.factor], [Math.floor(w / REDUCED_FACTOR), Math.floor(h / REDUCED_FACTOR), REDUCED_FACTOR]);
  assert.deepEqual([...copy.data.subarray(0, 3)], [0x30, 0x80, 0xc0], 'a flat colour stays that colour');
  assert.equal(reducedCopy(photo), reducedCopy(photo), 'the same promise for the same photo: made once');
  // Pixels that do not fill the stated size (as an allocation that failed would leave): only a speed-up is lost.
  assert.equal(await reducedCopy({ data: data.subarray(0, 100), width: w, height: h, channels: 3 }), null);
});

test("holesWithin: a hole pixel counts as within reach when a known pixel lies that many pixels away on either axis (evaluate.py's hole_depth), at the tile's edge too", async () => {
  const { holesWithin } = await import('../../main/engine/fill/tile-holes');
  const [w, h] = [41, 41];
  const square = (side: number, at: number) => {
    const holes = Buffer.alloc(w * h);
    for (let y = Math.max(0, at); y < at + side; y++) for (let x = Math.max(0, at); x < at + side; x++) holes[y * w + x] = 255;
    return holes;
  };
  // A 9x9 hole's centre is 5 pixels from the nearest known one; a 4x4 hole in the corner 4 (past the edge is no known pixel).
  assert.equal(await holesWithin(square(9, 10), w, h, 4), false);
  assert.equal(await holesWithin(square(9, 10), w, h, 5), true);
  assert.equal(await holesWithin(square(4, 0), w, h, 3), false);
  assert.equal(await holesWithin(square(4, 0), w, h, 4), true);
  assert.equal(await holesWithin(Buffer.alloc(w * h), w, h, 1), true);
});

// Finding holes and planning crops: the properties the composite's exactness rests on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import type { Rect } from '../../main/contract/app-api';
import { MODEL_STEP, planTile } from '../../main/engine/crops';
import { findHoleGroups, mergeClose, shrinkAny } from '../../main/engine/holes';
import { nvidiaMask } from '../helpers/engine-data';

/** Exact reference: a target pixel is a hole if any hole pixel overlaps its area (loops are fine in tests). */
function anyReference(mask: Uint8Array, w: number, h: number, tw: number, th: number): Uint8Array {
  const out = new Uint8Array(tw * th);
  const fx = w / tw;
  const fy = h / th;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      for (let ty = Math.floor(y / fy); ty <= Math.min(th - 1, Math.ceil((y + 1) / fy) - 1); ty++) {
        for (let tx = Math.floor(x / fx); tx <= Math.min(tw - 1, Math.ceil((x + 1) / fx) - 1); tx++) out[ty * tw + tx] = 1;
      }
    }
  }
  return out;
}

function seeded(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

test('shrinkAny never loses a hole: every model pixel touched by a hole pixel is a hole (isolated pixels, 1x and 1.25x-30x)', async () => {
  const rnd = seeded(42);
  let holes = 0;
  let missed = 0;
  let extra = 0;
  for (let t = 0; t < 60; t++) {
    const [tw, th] = ([[256, 256], [512, 256], [256, 512]] as const)[t % 3]!;
    const f = t % 10 === 0 ? 1 : 1.25 + rnd() * (t % 4 === 0 ? 28 : 3);
    const w = Math.round(tw * f);
    const h = Math.round(th * f);
    const mask = new Uint8Array(w * h);
    for (let k = 0; k < 1 + rnd() * 60; k++) mask[Math.floor(rnd() * h) * w + Math.floor(rnd() * w)] = 255; // the hardest case: single pixels
    const got = await shrinkAny(Buffer.from(mask.buffer), w, h, tw, th);
    const want = anyReference(mask, w, h, tw, th);
    for (let i = 0; i < tw * th; i++) {
      if (want[i]) {
        holes++;
        if (!got[i]) missed++;
      } else if (got[i]) extra++;
    }
  }
  console.log(`shrinkAny: ${holes} hole pixels at model scale, ${missed} missed, ${extra} extra (conservative margin)`);
  assert.equal(missed, 0);
  assert.ok(extra < 3 * holes, 'the margin stays about a pixel');
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
    // Context: at least 64 px each side where the photo has it.
    assert.ok(hole.x - crop.x >= Math.min(64, hole.x) && hole.y - crop.y >= Math.min(64, hole.y));
  }
});

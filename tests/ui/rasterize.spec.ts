// renderer/document/rasterize.ts in Debian's Chromium: Remove Object's mask is a region (the canvas's RGBA
// pixels over the painted box, placed at its rect), never a canvas of the photo's size unless the painting covers it.
// The region placed at its rect must be the very mask the whole photo would give, pixel for pixel.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { build } from 'esbuild';
import sharp from 'sharp';
import { RAW_REGION_MAX_PIXELS } from '../../main/contract/limits';
import type { DocState, MaskLayer, MaskOp } from '../../renderer/document/layers';
import { and, type Binary, count, not } from './pixels';

const root = path.resolve(import.meta.dirname, '../..');

interface Outcome {
  /** [width, height] of every OffscreenCanvas made. */
  canvases: [number, number][];
  region: { rect: { x: number; y: number; width: number; height: number }; rgba?: number[]; png?: number[] } | null;
  full: number[] | null;
}

/** rasterizeHole (and, with `full`, rasterizeHoleFullSize) in the page, for a photo of width x height. */
type Rasterize = (state: DocState, width: number, height: number, full?: boolean) => Promise<Outcome>;

const test = base.extend<{ rasterize: Rasterize }, { rasterizerBundle: string }>({
  rasterizerBundle: [
    async ({}, use) => {
      const bundle = await build({
        stdin: {
          contents: "import { rasterizeHole, rasterizeHoleFullSize } from './renderer/document/rasterize'; Object.assign(window, { rasterizeHole, rasterizeHoleFullSize });",
          resolveDir: root,
          loader: 'ts',
        },
        bundle: true,
        format: 'iife',
        write: false,
        logLevel: 'silent',
      });
      await use(bundle.outputFiles[0]!.text);
    },
    { scope: 'worker' },
  ],
  rasterize: async ({ page, rasterizerBundle }, use) => {
    await page.addScriptTag({ content: rasterizerBundle });
    // Record every canvas the rasterizer makes: its size is what the work costs.
    await page.evaluate(() => {
      const Native = OffscreenCanvas;
      const made: [number, number][] = ((window as any).canvases = []);
      (window as any).OffscreenCanvas = class extends Native {
        constructor(width: number, height: number) {
          super(width, height);
          made.push([width, height]);
        }
      };
    });
    await use((state, width, height, full = false) =>
      page.evaluate(
        async ({ state, width, height, full }) => {
          const w = window as any;
          w.canvases.length = 0;
          const hole = await w.rasterizeHole(state, width, height);
          const canvases = [...w.canvases];
          const fullPng = full ? await w.rasterizeHoleFullSize(state, width, height) : null;
          return {
            canvases,
            region: hole && { rect: hole.rect, ...(hole.kind === 'pixels' ? { rgba: Array.from(hole.data as Uint8Array) } : { png: Array.from(hole.data as Uint8Array) }) },
            full: fullPng && Array.from(fullPng as Uint8Array),
          };
        },
        { state, width, height, full },
      ),
    );
  },
});

const mask = (ops: MaskOp[], visible = true): MaskLayer => ({
  kind: 'mask', id: `m${Math.random()}`, name: 'Mask', visible, color: '#ff0000', opacity: 0.5, ops,
});
const doc = (...layers: MaskLayer[]): DocState => ({ layers, activeId: null, masksMade: layers.length, removalsMade: 0 });
const stroke = (size: number, ...points: number[]): MaskOp => ({ kind: 'stroke', erase: false, size, points });
const erase = (size: number, ...points: number[]): MaskOp => ({ kind: 'stroke', erase: true, size, points });

/** A region (RGBA bytes up to RAW_REGION_MAX_PIXELS, a PNG above), checked to be rect-sized and opaque, as a PNG. */
async function regionPng(region: NonNullable<Outcome['region']>): Promise<Buffer> {
  const { rect, rgba, png } = region;
  const raw = rect.width * rect.height <= RAW_REGION_MAX_PIXELS;
  assert.ok(raw ? rgba && !png : png && !rgba, `raw up to ${RAW_REGION_MAX_PIXELS} pixels, a PNG above`);
  if (rgba) assert.equal(rgba.length, rect.width * rect.height * 4, "the rect's RGBA pixels");
  const pixels = rgba ? sharp(Buffer.from(rgba), { raw: { width: rect.width, height: rect.height, channels: 4 } }) : sharp(Buffer.from(png!));
  const { width, height } = await pixels.metadata();
  assert.deepEqual([width, height], [rect.width, rect.height], "the rect's size");
  assert.equal((await pixels.clone().ensureAlpha().stats()).channels[3]!.min, 255, 'opaque: white on black, not strokes on transparency');
  return pixels.png().toBuffer();
}

/** A PNG as a one-channel 0/255 image. */
async function binary(png: number[] | Buffer): Promise<Binary> {
  const { data, info } = await sharp(Buffer.from(png)).removeAlpha().toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 1);
  return { data, width: info.width, height: info.height };
}

const raw = (b: Binary) => ({ raw: { width: b.width, height: b.height, channels: 1 as const } });

/**
 * The region placed at its rect on a black photo-sized mask is the whole-photo mask. The canvas may round a
 * pixel of almost exactly half coverage differently when the drawing is translated, so a difference is
 * allowed on the hole's edge only (pixels whose 3x3 neighbourhood holds both hole and keep), and rarely.
 */
async function assertSameAsFullSize(outcome: Outcome, width: number, height: number): Promise<void> {
  const { region, full } = outcome;
  assert.ok(region && full);
  const placed = await sharp({ create: { width, height, channels: 3, background: '#000' } })
    .composite([{ input: await regionPng(region), left: region.rect.x, top: region.rect.y }])
    .png()
    .toBuffer();
  const [a, b] = await Promise.all([binary(placed), binary(full)]);
  assert.deepEqual([b.width, b.height], [width, height]);
  assert.ok(b.data.every((v) => v === 0 || v === 255), 'binary: white = hole, black = keep');
  const differ = await binary(await sharp(a.data, raw(a)).boolean(b.data, 'eor', raw(b)).png().toBuffer());
  // The 3x3 mean is above 0 next to any hole pixel and 255 only inside the hole: between the two, the edge.
  const box = { width: 3, height: 3, kernel: [1, 1, 1, 1, 1, 1, 1, 1, 1] };
  const mean = await sharp(b.data, raw(b)).convolve(box).toColourspace('b-w').raw().toBuffer();
  const near = await binary(await sharp(mean, raw(b)).threshold(1).png().toBuffer());
  const inside = await binary(await sharp(mean, raw(b)).threshold(255).png().toBuffer());
  const edge = await and(near, await not(inside));
  const off = await count(await and(differ, await not(edge)));
  assert.equal(off, 0, `the region at its rect ${JSON.stringify(region.rect)} is the full-size mask`);
  const onEdge = await count(differ);
  assert.ok(onEdge <= Math.max(2, 0.02 * (await count(edge))), `only a few edge pixels rounded differently (${onEdge})`);
}

test('a stroke in the corner of a 24-megapixel photo sends a small region near it, and never draws the whole photo', async ({ rasterize }) => {
  const [W, H] = [6000, 4000];
  const size = 40;
  const out = await rasterize(doc(mask([stroke(size, 5900, 3850, 5950, 3900, 5980, 3960)])), W, H);
  assert.ok(out.region);
  const { rect } = out.region;
  // The stroke's box is x 5880..6000 (clipped), y 3830..3980: the rect holds it, with a pixel or two.
  assert.ok(rect.x >= 5880 - 3 && rect.x <= 5880, `rect.x ${rect.x}`);
  assert.ok(rect.y >= 3830 - 3 && rect.y <= 3830, `rect.y ${rect.y}`);
  assert.equal(rect.x + rect.width, W, 'clipped to the photo');
  assert.ok(rect.y + rect.height >= 3978 && rect.y + rect.height <= 3983, `ends at the stroke: ${JSON.stringify(rect)}`);
  await regionPng(out.region);
  // Drawn over the stroke's box (before rows without a hole are trimmed off): a few rows more at most.
  const largest = Math.max(...out.canvases.map(([w, h]) => w * h));
  assert.ok(largest <= rect.width * (rect.height + 8), `no canvas much larger than the region (largest ${largest} px)`);
});

test('an invert makes the region the whole photo; the same mask as rasterizing the whole photo', async ({ rasterize }) => {
  const [W, H] = [320, 240];
  const out = await rasterize(doc(mask([stroke(30, 100, 100, 140, 120), { kind: 'invert' }])), W, H, true);
  assert.deepEqual(out.region?.rect, { x: 0, y: 0, width: W, height: H });
  await assertSameAsFullSize(out, W, H);
  const hole = await binary(await regionPng(out.region!));
  assert.equal(hole.data[(110 * W + 120)], 0, 'the stroke, inverted, is kept');
  assert.equal(hole.data[(10 * W + 10)], 255, 'everything else is the hole');
});

test('a region over the raw limit travels as a PNG of its rect: the same mask', async ({ rasterize }) => {
  const [W, H] = [2400, 1800]; // 4.3 MP: an invert makes the region the whole photo
  const out = await rasterize(doc(mask([stroke(60, 600, 500, 1400, 900), { kind: 'invert' }])), W, H, true);
  assert.deepEqual(out.region?.rect, { x: 0, y: 0, width: W, height: H });
  assert.ok(out.region?.png, 'a PNG');
  await assertSameAsFullSize(out, W, H);
});

test('a clear resets its layer, erasing never grows the region, hidden layers are left out', async ({ rasterize }) => {
  const [W, H] = [640, 480];
  const first = stroke(20, 50, 50, 90, 60); // cleared below
  const kept = stroke(20, 400, 300, 460, 320);
  const hidden = mask([stroke(20, 600, 20, 620, 40)], false);
  const state = doc(
    mask([first, { kind: 'clear' }, kept, erase(30, 100, 400, 200, 450)]), // an erase far away adds nothing
    mask([{ kind: 'rect', erase: false, x: 300, y: 200, width: 30, height: 20 }]),
    hidden,
  );
  const out = await rasterize(state, W, H, true);
  const rect = out.region!.rect;
  assert.ok(rect.x >= 297 && rect.x <= 300 && rect.y >= 197 && rect.y <= 200, `starts at the rectangle: ${JSON.stringify(rect)}`);
  assert.ok(rect.x + rect.width >= 470 && rect.x + rect.width <= 473, `ends at the stroke: ${JSON.stringify(rect)}`);
  assert.ok(rect.y + rect.height >= 328 && rect.y + rect.height <= 333, `ends at the stroke: ${JSON.stringify(rect)}`);
  await assertSameAsFullSize(out, W, H);
});

test('rows erased away are trimmed from the region; nothing left, or nothing visible, is no hole at all', async ({ rasterize }) => {
  const [W, H] = [400, 300];
  // Two dabs; the lower one erased: the region ends near the upper one.
  const out = await rasterize(doc(mask([stroke(20, 100, 50), stroke(20, 100, 200), erase(40, 100, 200)])), W, H, true);
  const rect = out.region!.rect;
  assert.ok(rect.y + rect.height <= 62, `trimmed to the dab that is left: ${JSON.stringify(rect)}`);
  await assertSameAsFullSize(out, W, H);

  const none = await rasterize(doc(mask([stroke(20, 100, 200), erase(60, 100, 200)])), W, H, true);
  assert.deepEqual([none.region, none.full], [null, null], 'all erased');
  const cleared = await rasterize(doc(mask([stroke(20, 100, 200), { kind: 'clear' }])), W, H);
  assert.deepEqual([cleared.region, cleared.canvases], [null, []], 'cleared: no canvas at all');
  const offPhoto = await rasterize(doc(mask([stroke(10, -50, -50, -30, -40)])), W, H);
  assert.equal(offPhoto.region, null, 'painted off the photo');
  assert.equal((await rasterize(doc(mask([stroke(20, 100, 200)], false)), W, H)).region, null, 'hidden');
});

test('a lasso and a click of the brush at the photo\'s edge', async ({ rasterize }) => {
  const [W, H] = [300, 200];
  const lasso: MaskOp = { kind: 'lasso', erase: false, points: [10, 150, 60, 120, 80, 200, 10, 200] };
  const out = await rasterize(doc(mask([lasso]), mask([stroke(16, 299, 0)])), W, H, true);
  const rect = out.region!.rect;
  assert.ok(rect.x <= 10 && rect.x >= 7, JSON.stringify(rect));
  assert.equal(rect.y, 0);
  assert.deepEqual([rect.x + rect.width, rect.y + rect.height], [W, H]);
  await assertSameAsFullSize(out, W, H);
});

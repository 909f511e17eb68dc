// The pipeline on real photos and masks: only hole pixels change, the photo's orientation, alpha and
// metadata survive, and bad masks get clear errors. The model runs in-process here (the worker's own
// tests are in worker.test.ts).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { planTile, readsReduced } from '../../main/engine/fill/tile-geometry';
import { EngineError } from '../../main/engine/errors';
import { flattenToFile } from '../../main/engine/fill/composite';
import { findHoleGroups } from '../../main/engine/fill/hole-groups';
import { loadModel, type LoadedModel, type Model } from '../../main/engine/model/session';
import { forgetPhotoPixels } from '../../main/engine/fill/photo-cache';
import { inpaintFile, removeObject } from '../../main/engine/fill/pipeline';
import { piecesOf } from '../../main/engine/fill/thin-hole-pieces';
import { compareWithMask, fitMask, kodak, listDir, maskRaw, MODEL, raw, rectMask, regionOf, sunHays, tempDir } from '../helpers/engine-data';
import { maskSvg, wirePath } from '../helpers/shapes';

let model: LoadedModel;
before(async () => {
  model = await loadModel(MODEL, 'cpu', 2);
});
after(() => model.release());

const fill = (photo: string, mask: string, output: string, extra: { inferSize?: 256 | 512 | 'auto'; scaleMask?: boolean } = {}) =>
  inpaintFile(model, {
    photo,
    mask: { kind: 'file', path: mask },
    output,
    format: 'png',
    quality: 92,
    overwrite: false,
    scaleMask: extra.scaleMask ?? false,
    inferSize: extra.inferSize ?? 256,
  });

test('real photos: every pixel outside the mask is byte-identical, hole pixels are filled (256, 512, auto)', async (t) => {
  const dir = await tempDir(t);
  const cases = [
    { photo: kodak(1), mask: 10, inferSize: 256 },
    { photo: kodak(7), mask: 2010, inferSize: 512 },
    { photo: kodak(23), mask: 6010, inferSize: 'auto' },
    { photo: kodak(12), mask: 1010, inferSize: 'auto' }, // 1-10 %: magnified 2x
    { photo: sunHays(0), mask: 4010, inferSize: 256 },
    { photo: sunHays(5), mask: 10010, inferSize: 512 },
  ] as const;
  for (const [i, c] of cases.entries()) {
    const input = await raw(c.photo);
    const mask = await fitMask(c.mask, input.width, input.height, path.join(dir, `mask${i}.png`));
    const out = path.join(dir, `out${i}.png`);
    const result = await fill(c.photo, mask, out, { inferSize: c.inferSize });
    assert.ok(result.holes >= 1);
    const diff = compareWithMask(input, await raw(out), await maskRaw(mask));
    assert.equal(diff.outsideDiffs, 0, `${path.basename(c.photo)}: no pixel outside the mask changes`);
    assert.ok(diff.holeChanged > 0.5 * diff.holePixels, `${path.basename(c.photo)}: the hole is filled (${diff.holeChanged}/${diff.holePixels} changed)`);
  }
});

test('Remove Object returns a patch whose alpha is the mask; flattening it gives the same file as inpaint', async (t) => {
  const dir = await tempDir(t);
  const photo = kodak(5);
  const mask = await fitMask(1010, 500, 500, path.join(dir, 'mask.png'));
  const fillResult = await removeObject(model, { photo, layers: [], mask: { kind: 'bytes', data: await readFile(mask) }, inferSize: 256 });
  const { rect } = fillResult;
  const patch = await sharp(fillResult.patch).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([patch.info.width, patch.info.height, patch.info.channels], [rect.width, rect.height, 4]);
  const holes = await maskRaw(mask);
  for (let y = 0; y < 500; y++) {
    for (let x = 0; x < 500; x++) {
      const inside = x >= rect.x && y >= rect.y && x < rect.x + rect.width && y < rect.y + rect.height;
      if (!inside) assert.equal(holes[y * 500 + x], 0, 'no hole pixel outside the patch');
      else assert.equal(patch.data[((y - rect.y) * rect.width + (x - rect.x)) * 4 + 3], holes[y * 500 + x], 'alpha = mask');
    }
  }
  await flattenToFile(photo, [{ rect, patch: fillResult.patch }], path.join(dir, 'flat.png'), { format: 'png', overwrite: false, protect: [photo] });
  await fill(photo, mask, path.join(dir, 'direct.png'));
  assert.ok((await raw(path.join(dir, 'flat.png'))).data.equals((await raw(path.join(dir, 'direct.png'))).data));
});

test('Remove Object on the current composite: a second fill sees the first result layer', async (t) => {
  const dir = await tempDir(t);
  const photo = kodak(9);
  const first = await removeObject(model, { photo, layers: [], mask: { kind: 'file', path: await rectMask(500, 500, [{ x: 100, y: 100, width: 40, height: 40 }], path.join(dir, 'a.png')) }, inferSize: 256 });
  const layer = { rect: first.rect, patch: first.patch };
  const second = await removeObject(model, { photo, layers: [layer], mask: { kind: 'file', path: await rectMask(500, 500, [{ x: 300, y: 300, width: 30, height: 30 }], path.join(dir, 'b.png')) }, inferSize: 256 });
  const out = path.join(dir, 'both.png');
  await flattenToFile(photo, [layer, { rect: second.rect, patch: second.patch }], out, { format: 'png', overwrite: false, protect: [photo] });
  const both = await rectMask(500, 500, [{ x: 100, y: 100, width: 40, height: 40 }, { x: 300, y: 300, width: 30, height: 30 }], path.join(dir, 'ab.png'));
  const diff = compareWithMask(await raw(photo), await raw(out), await maskRaw(both));
  assert.equal(diff.outsideDiffs, 0);
  assert.ok(diff.holeChanged > 0.5 * diff.holePixels);
});

test('a region mask (only the painted rectangle) gives the same patch as the full-size mask, layers included', async (t) => {
  const dir = await tempDir(t);
  const photo = kodak(5);
  const first = await removeObject(model, { photo, layers: [], mask: { kind: 'file', path: await fitMask(4010, 500, 500, path.join(dir, 'a.png')) }, inferSize: 512 });
  const layers = [{ rect: first.rect, patch: first.patch }];
  const full = await rectMask(500, 500, [{ x: 180, y: 150, width: 70, height: 90 }], path.join(dir, 'b.png'));
  // The region reaches past the hole on every side, and overlaps the first result layer.
  const rect = { x: 150, y: 120, width: 160, height: 200 };
  const region = await regionOf(full, rect);
  // A large region travels as a PNG of its rect instead (MaskRegion): the same hole either way.
  const png = { kind: 'region' as const, rect, data: await sharp(region.data, { raw: { width: rect.width, height: rect.height, channels: 4 } }).png().toBuffer() };
  for (const inferSize of [256, 512, 'auto'] as const) {
    const a = await removeObject(model, { photo, layers, mask: { kind: 'file', path: full }, inferSize });
    for (const mask of [region, png]) {
      const b = await removeObject(model, { photo, layers, mask, inferSize });
      assert.deepEqual(b.rect, a.rect, `${inferSize}, ${mask.kind}: the same hole box`);
      assert.deepEqual(b.rect, { x: 180, y: 150, width: 70, height: 90 });
      assert.ok((await raw(b.patch, { keepAlpha: true })).data.equals((await raw(a.patch, { keepAlpha: true })).data), `${inferSize}, ${mask.kind}: the same patch`);
    }
  }
  await assert.rejects(
    removeObject(model, { photo, layers, mask: { ...png, rect: { ...rect, height: 100 } }, inferSize: 512 }),
    (err: EngineError) => err.code === 'mask-size' && /160x200 but its region is 160x100/.test(err.message),
  );
  await assert.rejects(
    removeObject(model, { photo, layers, mask: { ...region, rect: { ...rect, x: 400 } }, inferSize: 512 }),
    (err: EngineError) => err.code === 'mask-size' && /outside the 500x500 photo/.test(err.message),
  );
  await assert.rejects(
    removeObject(model, { photo, layers, mask: { ...region, rect: { ...rect, width: 100 } }, inferSize: 512 }),
    (err: EngineError) => err.code === 'mask-size' && /region is 100x200 with 4 bytes per pixel, but 128000 bytes came/.test(err.message),
  );
  const empty = await sharp({ create: { width: 20, height: 20, channels: 4, background: '#000000ff' } }).raw().toBuffer();
  await assert.rejects(
    removeObject(model, { photo, layers, mask: { kind: 'pixels', rect: { x: 0, y: 0, width: 20, height: 20 }, channels: 4, data: empty }, inferSize: 512 }),
    (err: EngineError) => err.code === 'mask-empty',
  );
});

test("'auto' runs the network on the crop magnified 2x for a thin hole filling at most 30 % of its tile, at 512 up to half and for a compact hole, at 256 above", async (t) => {
  const dir = await tempDir(t);
  const photo = kodak(5); // 500x500: its tile at 512 is the whole photo and 12 px of padding
  const seenRuns: { crop: string; size: string; magnify: boolean }[] = [];
  const recording: Model = {
    provider: model.provider,
    run: (image, m, w, h) => model.run(image, m, w, h),
    fill(image, m, w, h, place) {
      seenRuns.push({ crop: `${place.cropWidth}x${place.cropHeight}`, size: `${w}x${h}`, magnify: place.magnify ?? false });
      return model.fill(image, m, w, h, place);
    },
  };
  const patch = async (mask: string, inferSize: 256 | 512 | 'auto') =>
    (await raw((await removeObject(recording, { photo, layers: [], mask: { kind: 'file', path: mask }, inferSize })).patch, { keepAlpha: true })).data;
  const cases = [
    { name: 'thin (a cross of 24 px bars, 6 %)', rects: [{ x: 180, y: 100, width: 24, height: 300 }, { x: 100, y: 240, width: 300, height: 24 }], size: '512x512', magnify: true, others: [512, 256] as const },
    // 35 px from the photo at its middle: compact objects fill worse magnified (pipeline.ts AUTO_MAGNIFY_REACH)
    { name: 'small and compact (3 %)', rects: [{ x: 180, y: 150, width: 70, height: 90 }], size: '512x512', magnify: false, same: 512 as const, others: [256] as const },
    { name: 'medium (33 %)', rects: [{ x: 100, y: 100, width: 290, height: 280 }], size: '512x512', magnify: false, same: 512 as const, others: [256] as const },
    { name: 'large (61 %)', rects: [{ x: 50, y: 60, width: 400, height: 380 }], size: '256x256', magnify: false, same: 256 as const, others: [512] as const },
  ];
  for (const c of cases) {
    const mask = await rectMask(500, 500, c.rects, path.join(dir, `${c.name}.png`));
    const auto = await patch(mask, 'auto');
    const seen = seenRuns.at(-1)!;
    assert.deepEqual([seen.size, seen.magnify], [c.size, c.magnify], `${c.name} hole: the network's grid, and whether the crop is magnified`);
    if (c.magnify) assert.equal(seen.crop, '512x512', 'a magnified crop is taken at full resolution');
    if (c.same) assert.ok(auto.equals(await patch(mask, c.same)), `${c.name} hole: auto is ${c.same}`);
    for (const other of c.others) assert.ok(!auto.equals(await patch(mask, other)), `${c.name} hole: ${other} fills it differently`);
  }
});

test('Remove Object keeps the open photo decoded, but never past a change to its file', async (t) => {
  const dir = await tempDir(t);
  const photo = path.join(dir, 'photo.png');
  await sharp(kodak(3)).png().toFile(photo);
  const mask = { kind: 'file' as const, path: await rectMask(500, 500, [{ x: 200, y: 200, width: 50, height: 50 }], path.join(dir, 'm.png')) };
  const before = await removeObject(model, { photo, layers: [], mask, inferSize: 512 });
  assert.ok((await removeObject(model, { photo, layers: [], mask, inferSize: 512 })).patch.equals(before.patch), 'deterministic from the kept pixels');
  await sharp(kodak(4)).resize(500, 500).png().toFile(photo); // another picture under the same name
  const after = await removeObject(model, { photo, layers: [], mask, inferSize: 512 });
  assert.ok(!after.patch.equals(before.patch), 'the new file is decoded, not the kept pixels');
  forgetPhotoPixels();
  assert.ok((await removeObject(model, { photo, layers: [], mask, inferSize: 512 })).patch.equals(after.patch));
});

test('an EXIF-rotated JPEG (orientation 6) comes back upright, orientation reset, pixels outside the mask untouched', async (t) => {
  const dir = await tempDir(t);
  const photo = path.join(dir, 'rotated.jpg');
  await sharp(sunHays(2)).resize(400, 300).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(photo); // stored 400x300, shown 300x400
  const upright = await raw(photo, { upright: true });
  assert.deepEqual([upright.width, upright.height], [300, 400]);
  const mask = await rectMask(300, 400, [{ x: 50, y: 250, width: 60, height: 40 }], path.join(dir, 'mask.png'));
  const out = path.join(dir, 'out.png');
  await fill(photo, mask, out);
  const meta = await sharp(out).metadata();
  assert.deepEqual([meta.width, meta.height], [300, 400]);
  assert.ok(meta.orientation === undefined || meta.orientation === 1, `orientation ${meta.orientation}`);
  const diff = compareWithMask(upright, await raw(out), await maskRaw(mask));
  assert.equal(diff.outsideDiffs, 0);
  assert.ok(diff.holeChanged > 0);
  // A mask drawn on the stored (sideways) frame is the wrong size, and the message says both.
  const sideways = await rectMask(400, 300, [{ x: 10, y: 10, width: 5, height: 5 }], path.join(dir, 'sideways.png'));
  await assert.rejects(fill(photo, sideways, path.join(dir, 'never.png')), /is 400x300 but the photo is 300x400 \(after EXIF orientation\)/);
});

test('a PNG with alpha keeps it: alpha unchanged everywhere, RGB (even of transparent pixels) unchanged outside the mask', async (t) => {
  const dir = await tempDir(t);
  const photo = path.join(dir, 'alpha.png');
  const { data, info } = await sharp(kodak(12)).resize(320, 240).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i < info.width * info.height; i++) data[i * 4 + 3] = i % 7 === 0 ? 0 : (i * 13) % 256; // transparent pixels keep their colour
  await sharp(data, { raw: { width: 320, height: 240, channels: 4 } }).png().toFile(photo);
  const mask = await rectMask(320, 240, [{ x: 120, y: 80, width: 50, height: 60 }], path.join(dir, 'mask.png'));
  const out = path.join(dir, 'out.png');
  await fill(photo, mask, out);
  const before = await raw(photo, { keepAlpha: true });
  const after = await raw(out, { keepAlpha: true });
  assert.equal(after.channels, 4);
  const holes = await maskRaw(mask);
  assert.equal(compareWithMask(before, after, holes).outsideDiffs, 0, 'RGBA outside the mask');
  let alphaChanged = 0;
  let rgbChanged = 0;
  for (let i = 0; i < 320 * 240; i++) {
    if (before.data[i * 4 + 3] !== after.data[i * 4 + 3]) alphaChanged++;
    if (holes[i] && before.data.subarray(i * 4, i * 4 + 3).compare(after.data.subarray(i * 4, i * 4 + 3)) !== 0) rgbChanged++;
  }
  assert.equal(alphaChanged, 0, "alpha is the photo's, inside the hole too");
  assert.ok(rgbChanged > 1000, 'the hole is filled');
});

test('a 16-bit photo (RGB, RGBA, grey and grey + alpha PNG; RGB and grey TIFF) keeps its 16 bits: every sample outside the hole as stored, the fill at 16 bits', async (t) => {
  const dir = await tempDir(t);
  const [w, h] = [320, 240];
  const hole = { x: 120, y: 80, width: 50, height: 60 };
  const mask = await rectMask(w, h, [hole], path.join(dir, 'mask.png'));
  const samples = async (file: string, space: 'rgb16' | 'grey16' = 'rgb16') => {
    const data = await sharp(file).toColourspace(space).raw({ depth: 'ushort' }).toBuffer();
    return new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  };
  const eight = await sharp(kodak(12)).resize(w, h).ensureAlpha(0.6).raw().toBuffer();
  for (const [bands, ext] of [[3, 'png'], [4, 'png'], [1, 'png'], [2, 'png'], [3, 'tif'], [1, 'tif']] as const) {
    const space = bands < 3 ? 'grey16' : 'rgb16';
    const alphaBand = bands === 2 || bands === 4 ? bands - 1 : -1;
    // A real 16-bit photo: the low byte is not the high byte (as it would be in an 8-bit photo widened). A grey
    // one takes the red band (and alpha).
    const stored = new Uint16Array(w * h * bands);
    for (let i = 0; i < w * h; i++) {
      for (let c = 0; c < bands; c++) stored[i * bands + c] = eight[i * 4 + (c === alphaBand ? 3 : c)]! * 256 + ((i * 37 + c * 11) % 256);
    }
    const photo = path.join(dir, `deep-${bands}.${ext}`);
    const image = sharp(stored, { raw: { width: w, height: h, channels: bands } }).pipelineColourspace(space).toColourspace(space);
    await (ext === 'png' ? image.png() : image.tiff({ compression: 'lzw' })).toFile(photo); // (sharp writes 8-bit TIFF without it)
    assert.equal((await sharp(photo).metadata()).depth, 'ushort', `the test's ${ext} photo is 16-bit`);
    const out = path.join(dir, `out-${bands}.${ext}`);
    await inpaintFile(model, { photo, mask: { kind: 'file', path: mask }, output: out, format: ext === 'png' ? 'png' : 'tiff', quality: 90, overwrite: false, scaleMask: false, inferSize: 512 });
    const written = await sharp(out).metadata();
    assert.deepEqual([written.depth, written.channels], ['ushort', bands], `${bands} bands, ${ext}: written at 16 bits, in its bands`);
    const after = await samples(out, space);
    // The fill is the 8-bit prediction (the network sees 8 bits) at 16 bits: v * 257, the same as Remove Object's patch.
    const patch = await raw((await removeObject(model, { photo, layers: [], mask: { kind: 'file', path: mask }, inferSize: 512 })).patch);
    let outside = 0;
    let wrongFill = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inHole = x >= hole.x && x < hole.x + hole.width && y >= hole.y && y < hole.y + hole.height;
        for (let c = 0; c < bands; c++) {
          const i = (y * w + x) * bands + c;
          if (!inHole || c === alphaBand) outside += after[i] === stored[i] ? 0 : 1;
          else wrongFill += after[i] === patch.data[((y - hole.y) * hole.width + (x - hole.x)) * 3 + c]! * 257 ? 0 : 1;
        }
      }
    }
    assert.equal(outside, 0, `${bands} bands, ${ext}: every sample outside the hole (and alpha) as stored`);
    assert.equal(wrongFill, 0, `${bands} bands, ${ext}: the hole holds the fill, at 16 bits`);
  }
  // Nothing to fill: the 16-bit photo comes back as it is.
  const photo = path.join(dir, 'deep-3.png');
  const unchanged = path.join(dir, 'unchanged.png');
  await inpaintFile(model, { photo, mask: { kind: 'file', path: await rectMask(w, h, [], path.join(dir, 'empty.png')) }, output: unchanged, format: 'png', quality: 90, overwrite: false, scaleMask: false, inferSize: 512 });
  const [a, b] = [await samples(photo), await samples(unchanged)];
  assert.ok(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), 'an empty mask writes the 16-bit photo unchanged');
});

test('a black-and-white photo gets a grey fill, with no tint; a one-band photo stays one band', async (t) => {
  const dir = await tempDir(t);
  const mask = await rectMask(500, 500, [{ x: 200, y: 180, width: 70, height: 90 }], path.join(dir, 'mask.png'));
  const oneBand = path.join(dir, 'grey.png');
  await sharp(kodak(5)).toColourspace('b-w').png().toFile(oneBand);
  const threeBands = path.join(dir, 'grey-rgb.png'); // R = G = B, as a scan saved in colour would be
  await sharp(oneBand).toColourspace('srgb').png().toFile(threeBands);
  assert.deepEqual([(await sharp(oneBand).metadata()).channels, (await sharp(threeBands).metadata()).channels], [1, 3]);
  for (const [photo, bands] of [[oneBand, 1], [threeBands, 3]] as const) {
    const out = path.join(dir, `out-${bands}.png`);
    await fill(photo, mask, out, { inferSize: 512 });
    assert.equal((await sharp(out).metadata()).channels, bands, `${bands} band(s) in, ${bands} out`);
    const after = await raw(out);
    let tinted = 0;
    for (let i = 0; i < 500 * 500; i++) if (after.data[i * 3] !== after.data[i * 3 + 1] || after.data[i * 3 + 1] !== after.data[i * 3 + 2]) tinted++;
    assert.equal(tinted, 0, `${bands} band(s): R = G = B everywhere, the fill included`);
    const diff = compareWithMask(await raw(photo), after, await maskRaw(mask));
    assert.equal(diff.outsideDiffs, 0);
    assert.ok(diff.holeChanged > 0.5 * diff.holePixels, 'the hole is filled');
  }
});

test('ICC profile (all formats) and EXIF (PNG, JPEG, WebP) are kept; the output has the photo\'s own colour values', async (t) => {
  const dir = await tempDir(t);
  const photo = path.join(dir, 'p3.jpg');
  await sharp(sunHays(9)).resize(360, 270).withIccProfile('p3').withExif({ IFD0: { Copyright: 'Holefill test', Artist: 'Kodak' } }).jpeg({ quality: 94 }).toFile(photo);
  const mask = await rectMask(360, 270, [{ x: 200, y: 40, width: 30, height: 90 }], path.join(dir, 'mask.png'));
  for (const ext of ['png', 'jpg', 'tif', 'webp']) {
    const out = path.join(dir, `out.${ext}`);
    await inpaintFile(model, { photo, mask: { kind: 'file', path: mask }, output: out, format: ext === 'jpg' ? 'jpeg' : ext === 'tif' ? 'tiff' : (ext as 'png' | 'webp'), quality: 100, overwrite: false, scaleMask: false, inferSize: 256 });
    const [a, b] = [await sharp(photo).metadata(), await sharp(out).metadata()];
    assert.ok(b.icc && a.icc && b.icc.equals(a.icc), `${ext}: the ICC profile is the photo's`);
    // libvips writes no EXIF block into TIFF (a known limit of tiffsave); the other formats keep it.
    if (ext !== 'tif') assert.ok(b.exif?.includes('Holefill test'), `${ext}: EXIF kept`);
    if (ext !== 'jpg') assert.equal(compareWithMask(await raw(photo), await raw(out), await maskRaw(mask)).outsideDiffs, 0, `${ext} is lossless outside the mask`);
  }
});

test('empty mask: the photo is written unchanged (and Remove Object says there is nothing to remove)', async (t) => {
  const dir = await tempDir(t);
  const mask = await rectMask(500, 500, [], path.join(dir, 'empty.png'));
  const out = path.join(dir, 'out.png');
  const result = await fill(kodak(4), mask, out);
  assert.equal(result.holes, 0);
  assert.ok((await raw(kodak(4))).data.equals((await raw(out)).data));
  await assert.rejects(removeObject(model, { photo: kodak(4), layers: [], mask: { kind: 'file', path: mask }, inferSize: 256 }), (e: EngineError) => e.code === 'mask-empty');
});

test('mask conventions: white on black (grey, RGB, RGBA, 16-bit), a JPEG mask, a coloured one by its luminance, and opaque strokes on a transparent PNG all mark the same hole', async (t) => {
  const dir = await tempDir(t);
  const rect = { x: 150, y: 200, width: 80, height: 50 };
  const white = await rectMask(500, 500, [rect], path.join(dir, 'white.png'));
  const jpeg = path.join(dir, 'mask.jpg');
  await sharp(white).jpeg({ quality: 80 }).toFile(jpeg);
  const alpha = path.join(dir, 'alpha.png');
  const stroke = await sharp({ create: { width: rect.width, height: rect.height, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } }).png().toBuffer();
  await sharp({ create: { width: 500, height: 500, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).composite([{ input: stroke, left: rect.x, top: rect.y }]).png().toFile(alpha);
  const variants = await Promise.all(
    (
      [
        ['grey.png', (s: sharp.Sharp) => s.removeAlpha().toColourspace('b-w').png()],
        ['rgb.png', (s: sharp.Sharp) => s.removeAlpha().toColourspace('srgb').png()],
        ['rgba.png', (s: sharp.Sharp) => s.toColourspace('srgb').ensureAlpha().png()],
        ['grey16.png', (s: sharp.Sharp) => s.removeAlpha().toColourspace('grey16').png()],
      ] as const
    ).map(async ([name, as]) => (await as(sharp(white)).toFile(path.join(dir, name)), path.join(dir, name))),
  );
  // Red (luminance 54) keeps, green (luminance 182) is the hole.
  const coloured = path.join(dir, 'coloured.png');
  const green = await sharp({ create: { width: rect.width, height: rect.height, channels: 3, background: { r: 0, g: 255, b: 0 } } }).png().toBuffer();
  await sharp({ create: { width: 500, height: 500, channels: 3, background: { r: 255, g: 0, b: 0 } } }).composite([{ input: green, left: rect.x, top: rect.y }]).removeAlpha().png().toFile(coloured);
  const all = [white, jpeg, alpha, ...variants, coloured];
  assert.deepEqual(
    await Promise.all(all.map(async (f) => { const m = await sharp(f).metadata(); return `${m.channels}/${m.depth}`; })),
    ['2/uchar', '3/uchar', '4/uchar', '1/uchar', '3/uchar', '4/uchar', '1/ushort', '3/uchar'],
    'the variants are what they claim',
  );
  const patches = [];
  for (const mask of all) {
    const r = await removeObject(model, { photo: kodak(6), layers: [], mask: { kind: 'file', path: mask }, inferSize: 256 });
    patches.push(r.rect);
  }
  assert.deepEqual(patches, all.map(() => rect));
});

test('mask errors: wrong size names both sizes; --scale-mask fits it; a full mask has nothing to fill from', async (t) => {
  const dir = await tempDir(t);
  const small = await rectMask(250, 250, [{ x: 10, y: 10, width: 20, height: 20 }], path.join(dir, 'small.png'));
  await assert.rejects(fill(kodak(8), small, path.join(dir, 'a.png')), (e: EngineError) => e.code === 'mask-size' && /is 250x250 but the photo is 500x500/.test(e.message));
  const scaled = await fill(kodak(8), small, path.join(dir, 'b.png'), { scaleMask: true });
  assert.equal(scaled.holes, 1);
  const full = await rectMask(500, 500, [{ x: 0, y: 0, width: 500, height: 500 }], path.join(dir, 'full.png'));
  await assert.rejects(fill(kodak(8), full, path.join(dir, 'c.png')), (e: EngineError) => e.code === 'mask-full');
  assert.deepEqual(await listDir(dir), ['b.png', 'full.png', 'small.png'], 'a refused job writes nothing');
});

test('a large hole on a 6 MP photo: the app (photo kept open, its crop read from the reduced copy) and the CLI fill it alike', async (t) => {
  const dir = await tempDir(t);
  const [W, H] = [3000, 2000];
  const photo = path.join(dir, 'photo.png');
  await sharp(sunHays(3)).resize(W, H, { fit: 'fill' }).png().toFile(photo);
  // A hole whose crop is scaled down more than 6x to the 256 grid: the path that reads the reduced copy.
  const hole = { x: 1210, y: 405, width: 801, height: 1102 };
  assert.ok(readsReduced(planTile(hole, W, H, 256)));
  const mask = await rectMask(W, H, [hole], path.join(dir, 'mask.png'));
  const out = path.join(dir, 'out.png');
  await fill(photo, mask, out, { inferSize: 256 });
  forgetPhotoPixels();
  const region = { x: 1200, y: 400, width: 830, height: 1110 };
  const app = await removeObject(model, { photo, layers: [], mask: await regionOf(mask, region), inferSize: 256 });
  assert.deepEqual(app.rect, hole);
  const patch = await raw(app.patch);
  const cli = await sharp(out).extract({ left: hole.x, top: hole.y, width: hole.width, height: hole.height }).removeAlpha().raw().toBuffer();
  assert.ok(patch.data.equals(cli), 'the same hole pixels from the app and from the CLI');
  const original = await sharp(photo).extract({ left: hole.x, top: hole.y, width: hole.width, height: hole.height }).removeAlpha().raw().toBuffer();
  assert.ok(!patch.data.equals(original), 'the hole is filled');
});

test('a thin wire across a photo is filled in pieces (thin-hole-pieces.ts): one network run per piece, at full resolution, every hole pixel filled', async (t) => {
  const dir = await tempDir(t);
  const photo = sunHays(3);
  const input = await raw(photo);
  const { width: W, height: H } = input;
  const svg = maskSvg(W, H, wirePath(W, H, 9));
  const mask = path.join(dir, 'wire.png');
  await sharp(Buffer.from(svg)).greyscale().threshold(128).png().toFile(mask);
  const holes = await maskRaw(mask);
  const window = { rect: { x: 0, y: 0, width: W, height: H }, data: holes };
  const [group] = await findHoleGroups(holes, W, H);
  const pieces = await piecesOf(window, group!, W, H);
  assert.ok(pieces.length > 3, `${path.basename(photo)} (${W}x${H}): the wire is cut in pieces (${pieces.length})`);
  const runs: string[] = [];
  const counting: Model = {
    provider: model.provider,
    run: (image, m, w, h) => model.run(image, m, w, h),
    fill(image, m, w, h, place) {
      runs.push(`${place.cropWidth}x${place.cropHeight} -> ${place.magnify ? 'magnified ' : ''}${w}x${h}`);
      return model.fill(image, m, w, h, place);
    },
  };
  const out = path.join(dir, 'out.png');
  await inpaintFile(counting, { photo, mask: { kind: 'file', path: mask }, scaleMask: false, inferSize: 'auto', output: out, format: 'png', quality: 90, overwrite: false });
  assert.equal(runs.length, pieces.length, 'one network run per piece');
  for (const run of runs) {
    const [crop, tile] = run.split(' -> ');
    assert.equal(crop, tile, `every piece's crop is seen unscaled, not magnified (${run})`);
  }
  const diff = compareWithMask(input, await raw(out), holes);
  assert.equal(diff.outsideDiffs, 0, 'no pixel outside the wire changes');
  assert.ok(diff.holeChanged > 0.5 * diff.holePixels, `the wire is filled (${diff.holeChanged}/${diff.holePixels} changed)`);
});

test('a people-sized hole cut in pieces is filled one piece after another: where two pieces meet, no step like the hole\'s own edge', async (t) => {
  // A tree and its reflection on a large photo: whole, the crop would be scaled down 2x, and the hole is thin
  // enough to be cut in 160 px pieces (thin-hole-pieces.ts). Filled apart, neighbouring pieces met at a step as
  // large as the one at the hole's own edge, where the fill meets the photo (here 5.8 against 5.9 levels, summed
  // over the channels); each seeing the ones before it as photo, they meet at a third of it (1.9).
  const dir = await tempDir(t);
  const photo = path.join(dir, 'large.png');
  await sharp(kodak(3)).resize(1536, 1024).png().toFile(photo);
  const [W, H] = [1536, 1024];
  const mask = path.join(dir, 'tree.png');
  await sharp(Buffer.from(maskSvg(W, H, '<ellipse cx="760" cy="520" rx="130" ry="260" fill="#fff"/>'))).greyscale().threshold(128).png().toFile(mask);
  const holes = await maskRaw(mask);
  const [group] = await findHoleGroups(holes, W, H);
  const pieces = await piecesOf({ rect: { x: 0, y: 0, width: W, height: H }, data: holes }, group!, W, H);
  assert.ok(pieces.length > 4, `the hole is cut in pieces (${pieces.length})`);
  const out = path.join(dir, 'out.png');
  await inpaintFile(model, { photo, mask: { kind: 'file', path: mask }, scaleMask: false, inferSize: 'auto', output: out, format: 'png', quality: 90, overwrite: false });
  const filled = (await raw(out)).data;
  const hole = (x: number, y: number) => holes[y * W + x]! > 0;
  const step = (x: number, y: number, x2: number, y2: number) => {
    let sum = 0;
    for (let c = 0; c < 3; c++) sum += Math.abs(filled[(y * W + x) * 3 + c]! - filled[(y2 * W + x2) * 3 + c]!);
    return sum;
  };
  // Where two pieces meet: every pair of hole pixels across a shared edge.
  const seams: number[] = [];
  for (const a of pieces) {
    for (const b of pieces) {
      if (b.x === a.x + a.width) {
        for (let y = Math.max(a.y, b.y); y < Math.min(a.y + a.height, b.y + b.height); y++) if (hole(b.x, y) && hole(b.x - 1, y)) seams.push(step(b.x, y, b.x - 1, y));
      }
      if (b.y === a.y + a.height) {
        for (let x = Math.max(a.x, b.x); x < Math.min(a.x + a.width, b.x + b.width); x++) if (hole(x, b.y) && hole(x, b.y - 1)) seams.push(step(x, b.y, x, b.y - 1));
      }
    }
  }
  // The hole's own edge: every hole pixel beside a photo pixel, and that pixel.
  const edge: number[] = [];
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      if (!hole(x, y)) continue;
      for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) if (!hole(x + dx, y + dy)) edge.push(step(x, y, x + dx, y + dy));
    }
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  assert.ok(seams.length > 500 && edge.length > 500, `${seams.length} pixel pairs where pieces meet, ${edge.length} on the hole's edge`);
  assert.ok(mean(seams) < 0.5 * mean(edge), `where pieces meet a step of ${mean(seams).toFixed(2)} levels; at the hole's own edge ${mean(edge).toFixed(2)}`);
});

// The object being removed has no say in what replaces it: the same photo with its hole painted black and then
// magenta must be filled to the same bytes, at every crop scale, inference size and precision. Scaling a crop
// down used to mix the hole's own pixels into the context the network saw (7 levels apart on average at 512).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { planTile, readsReduced } from '../../main/engine/fill/tile-geometry';
import { loadModel, type LoadedModel, type Model } from '../../main/engine/model/session';
import { forgetPhotoPixels } from '../../main/engine/fill/photo-cache';
import { inpaintFile, removeObject } from '../../main/engine/fill/pipeline';
import { fitMask, kodak, MODEL, raw, rectMask, repoRoot, sunHays, tempDir } from '../helpers/engine-data';
import { maskSvg } from '../helpers/shapes';

const INT8 = path.join(repoRoot, 'native-models', 'pconv-unet.int8.onnx');
let models: { label: string; model: LoadedModel }[];
before(async () => {
  models = [
    { label: 'fp32', model: await loadModel(MODEL, 'cpu', 2) },
    { label: 'int8', model: await loadModel(INT8, 'cpu', 2) },
  ];
});
after(() => Promise.all(models.map((m) => m.model.release())));

/** The photo with its hole painted one colour (what a person's object would look like to the engine). */
async function painted(photo: string, mask: string, colour: string, out: string, size?: { width: number; height: number }): Promise<string> {
  let image = sharp(photo);
  if (size) image = image.resize(size.width, size.height, { fit: 'fill' });
  const base = await image.removeAlpha().png().toBuffer();
  const { width, height } = await sharp(base).metadata();
  const alpha = await sharp(mask).toColourspace('b-w').raw().toBuffer();
  const paint = await sharp({ create: { width: width!, height: height!, channels: 3, background: colour } })
    .joinChannel(alpha, { raw: { width: width!, height: height!, channels: 1 } })
    .png()
    .toBuffer();
  await sharp(base).composite([{ input: paint }]).png().toFile(out);
  return out;
}

async function differingBytes(a: string, b: string): Promise<number> {
  const [x, y] = await Promise.all([raw(a), raw(b)]);
  let n = 0;
  for (let i = 0; i < x.data.length; i++) if (x.data[i] !== y.data[i]) n++;
  return n;
}

test('a hole painted black or magenta is filled the same: every scale, inference size and precision', async (t) => {
  const dir = await tempDir(t);
  const photo = sunHays(3); // about 1024x768: its crops are scaled down at 256 and 512, and at auto
  const { width, height } = await sharp(photo).metadata();
  for (const maskNo of [1010, 4010, 10010]) {
    const mask = await fitMask(maskNo, width!, height!, path.join(dir, `mask${maskNo}.png`));
    const black = await painted(photo, mask, '#000000', path.join(dir, `black${maskNo}.png`));
    const magenta = await painted(photo, mask, '#ff00ff', path.join(dir, `magenta${maskNo}.png`));
    for (const { label, model } of models) {
      for (const inferSize of [256, 512, 'auto'] as const) {
        const outs = [black, magenta].map((p, i) => path.join(dir, `out-${maskNo}-${label}-${inferSize}-${i}.png`));
        for (const [i, p] of [black, magenta].entries()) {
          await inpaintFile(model, { photo: p, mask: { kind: 'file', path: mask }, scaleMask: false, inferSize, output: outs[i]!, format: 'png', quality: 92, overwrite: false });
        }
        assert.equal(await differingBytes(outs[0]!, outs[1]!), 0, `mask ${maskNo}, ${label}, infer size ${inferSize}: the fills differ`);
      }
    }
  }
});

test("a thin hole 'auto' magnifies 2x is filled the same, in both precisions", async (t) => {
  const dir = await tempDir(t);
  // A cross of 24 px bars on a 500x500 photo: its tile is the whole photo, unscaled, so 'auto' magnifies it
  // (pipeline.test.ts); the network then sees every crop pixel as a 2x2 block.
  const mask = await rectMask(500, 500, [{ x: 180, y: 100, width: 24, height: 300 }, { x: 100, y: 240, width: 300, height: 24 }], path.join(dir, 'cross.png'));
  const maskBytes = await sharp(mask).png().toBuffer();
  const black = await painted(kodak(5), mask, '#000000', path.join(dir, 'black.png'));
  const magenta = await painted(kodak(5), mask, '#ff00ff', path.join(dir, 'magenta.png'));
  for (const { label, model } of models) {
    const magnified: boolean[] = [];
    const recording: Model = {
      provider: model.provider,
      run: (image, m, w, h) => model.run(image, m, w, h),
      fill(image, m, w, h, place) {
        magnified.push(place.magnify ?? false);
        return model.fill(image, m, w, h, place);
      },
    };
    const patches = [];
    for (const p of [black, magenta]) {
      forgetPhotoPixels();
      const fill = await removeObject(recording, { photo: p, layers: [], mask: { kind: 'bytes', data: maskBytes }, inferSize: 'auto' });
      patches.push(await sharp(fill.patch).raw().toBuffer());
    }
    assert.deepEqual(magnified, [true, true], `${label}: the crop is magnified`);
    assert.equal(Buffer.compare(patches[0]!, patches[1]!), 0, `${label}: the patches differ`);
  }
});

test("a large hole in a large photo, its crop read from the open photo's reduced copy, is filled the same", async (t) => {
  const dir = await tempDir(t);
  const size = { width: 4800, height: 3600 };
  const mask = await fitMask(8010, size.width, size.height, path.join(dir, 'mask.png'));
  const black = await painted(sunHays(7), mask, '#000000', path.join(dir, 'black.png'), size);
  const magenta = await painted(sunHays(7), mask, '#ff00ff', path.join(dir, 'magenta.png'), size);
  // The mask's one large group is scaled down more than 6x: read from the reduced copy (tile-geometry.ts).
  assert.ok(readsReduced(planTile({ x: 0, y: 0, width: size.width, height: size.height }, size.width, size.height, 512)));
  const { model } = models[0]!;
  const maskBytes = await sharp(mask).png().toBuffer();
  const patches = [];
  for (const p of [black, magenta]) {
    forgetPhotoPixels();
    const fill = await removeObject(model, { photo: p, layers: [], mask: { kind: 'bytes', data: maskBytes }, inferSize: 512 });
    patches.push(await sharp(fill.patch).raw().toBuffer());
  }
  assert.equal(Buffer.compare(patches[0]!, patches[1]!), 0, 'the patches differ');
});

test('a hole filled in pieces, one after another, is filled the same: earlier pieces show their fill, never the object', async (t) => {
  const dir = await tempDir(t);
  // A 260x520 px hole on a 1536x1024 photo is cut in pieces (thin-hole-pieces.ts), each later piece seeing the
  // earlier ones' fills (pipeline.ts); a speck beside it lies inside one piece's box, outside its hole.
  const [width, height] = [1536, 1024];
  const mask = path.join(dir, 'mask.png');
  const shapes = '<ellipse cx="760" cy="520" rx="130" ry="260" fill="#fff"/><rect x="850" y="280" width="12" height="12" fill="#fff"/>';
  await sharp(Buffer.from(maskSvg(width, height, shapes))).greyscale().threshold(128).png().toFile(mask);
  const size = { width, height };
  const black = await painted(kodak(3), mask, '#000000', path.join(dir, 'black.png'), size);
  const magenta = await painted(kodak(3), mask, '#ff00ff', path.join(dir, 'magenta.png'), size);
  const { model } = models[0]!;
  let runs = 0;
  const counting: Model = { provider: model.provider, run: (i, m, w, h) => model.run(i, m, w, h), fill: (i, m, w, h, p) => (runs++, model.fill(i, m, w, h, p)) };
  const maskBytes = await sharp(mask).png().toBuffer();
  const patches = [];
  for (const p of [black, magenta]) {
    forgetPhotoPixels();
    const fill = await removeObject(counting, { photo: p, layers: [], mask: { kind: 'bytes', data: maskBytes }, inferSize: 'auto' });
    patches.push(await sharp(fill.patch).raw().toBuffer());
  }
  assert.ok(runs >= 2 * 5, `the hole is filled in pieces (${runs / 2} network runs each)`);
  assert.equal(Buffer.compare(patches[0]!, patches[1]!), 0, 'the patches differ');
});

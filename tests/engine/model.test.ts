// The shipped ONNX's behaviour, as the engine relies on it (the layer arithmetic is tested in Python):
// it runs at the model grid's sizes, and its output never depends on what lies under the hole.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { EngineError } from '../../main/engine/errors';
import { loadModel, type LoadedModel } from '../../main/engine/model/session';
import { fillHoles } from '../../main/engine/fill/pipeline';
import { toTensors } from '../../main/engine/fill/tile-tensors';
import { kodak, MODEL, nvidiaMask, rectMask, tempDir } from '../helpers/engine-data';

let model: LoadedModel;
before(async () => {
  model = await loadModel(MODEL, 'cpu', 2);
});
after(() => model.release());

/** A real photo and a real NVIDIA mask at width x height, as tensors. */
async function realTile(width: number, height: number) {
  const rgb = await sharp(kodak(3)).resize(width, height, { fit: 'cover' }).removeAlpha().raw().toBuffer();
  const holes = await sharp(nvidiaMask(4010)).resize(width, height, { fit: 'fill', kernel: 'nearest' }).threshold(128).toColourspace('b-w').raw().toBuffer();
  return { rgb, holes, ...toTensors(rgb, holes, width, height) };
}

for (const [width, height] of [
  [256, 256],
  [512, 256],
] as const) {
  test(`the model runs on ${width}x${height} and answers [N,3,H,W] in [0,1]`, async () => {
    const { image, mask, known } = await realTile(width, height);
    assert.ok(known > 0 && known < width * height, 'the tile has both known pixels and holes');
    const out = await model.run(image, mask, width, height);
    assert.equal(out.length, 3 * width * height);
    let min = Infinity;
    let max = -Infinity;
    for (const v of out) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assert.ok(min >= 0 && max <= 1, `output in [0,1], got [${min}, ${max}]`);
  });

  test(`at ${width}x${height}, changing the pixels under the hole changes no output value`, async () => {
    const { image, mask } = await realTile(width, height);
    const first = await model.run(image, mask, width, height);
    const scrambled = image.slice();
    const n = width * height;
    let changedInputs = 0;
    for (let i = 0; i < n; i++) {
      if (mask[i] === 0) {
        for (let c = 0; c < 3; c++) scrambled[c * n + i] = ((i * 7919 + c * 104729) % 1000) / 999; // anything but the photo
        changedInputs++;
      }
    }
    const second = await model.run(scrambled, mask, width, height);
    let maxDiff = 0;
    for (let i = 0; i < first.length; i++) maxDiff = Math.max(maxDiff, Math.abs(first[i]! - second[i]!));
    assert.ok(changedInputs > 1000);
    assert.equal(maxDiff, 0, 'the output depends only on valid (known) inputs');
  });
}

test("the shipped graph averages each fill with its mirror's: a mirrored tile's fill is the fill mirrored", async () => {
  // native-models/pconv/unet.py MIRROR_AVERAGE, chosen on val/photos: a single run of the network is not symmetric.
  const [width, height] = [512, 256];
  const { rgb, holes, image, mask } = await realTile(width, height);
  const flop = (buf: Buffer, channels: number) => {
    const out = Buffer.alloc(buf.length);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) buf.copy(out, (y * width + width - 1 - x) * channels, (y * width + x) * channels, (y * width + x + 1) * channels);
    return out;
  };
  const mirrored = toTensors(flop(rgb, 3), flop(holes, 1), width, height);
  const out = await model.run(image, mask, width, height);
  const outOfMirror = await model.run(mirrored.image, mirrored.mask, width, height);
  let maxDiff = 0;
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const at = (c * height + y) * width;
        maxDiff = Math.max(maxDiff, Math.abs(out[at + x]! - outOfMirror[at + width - 1 - x]!));
      }
  assert.ok(maxDiff < 1e-5, `mirror-equivariant to 1e-5, got ${maxDiff}`);
});

test('an all-hole input is refused with a clear engine error, before the model runs', async (t) => {
  const dir = await tempDir(t);
  const mask = await rectMask(500, 500, [{ x: 0, y: 0, width: 500, height: 500 }], `${dir}/all.png`);
  await assert.rejects(
    fillHoles(model, { photo: kodak(1), layers: [], mask: { kind: 'file', path: mask }, scaleMask: false, inferSize: 256 }),
    (err: EngineError) => err.code === 'mask-full' && /covers the whole photo: there is nothing left to fill it from/.test(err.message),
  );
});

test('a hole with no known pixels anywhere in its crop is refused too', async (t) => {
  // Everything masked but a 1-pixel frame: at the model's scale no known pixel is left.
  const dir = await tempDir(t);
  const mask = await rectMask(2000, 2000, [{ x: 1, y: 1, width: 1998, height: 1998 }], `${dir}/almost.png`);
  const photo = `${dir}/big.png`;
  await sharp(kodak(2)).resize(2000, 2000).toFile(photo);
  await assert.rejects(
    fillHoles(model, { photo, layers: [], mask: { kind: 'file', path: mask }, scaleMask: false, inferSize: 256 }),
    (err: EngineError) => err.code === 'mask-full' && /no unmasked pixels around it/.test(err.message),
  );
});

test('an enlargement step onnxruntime cannot start is a clear model-unavailable error, and the model session is let go', async () => {
  // The sessions' class (onnxruntime-common's), whose type the package exports only as a factory.
  const sessions = (ort.InferenceSession as unknown as { prototype: { release(this: ort.InferenceSession): Promise<void> } }).prototype;
  let released = 0;
  const release = sessions.release;
  sessions.release = function (this: ort.InferenceSession) {
    released++;
    return release.call(this);
  };
  try {
    await assert.rejects(
      loadModel(MODEL, 'cpu', 2, { loadEnlarger: () => Promise.reject(new Error('Could not find an implementation for Resize(19)\nmore detail')) }),
      (err: EngineError) =>
        err.code === 'model-unavailable' && err.message === "onnxruntime could not start the engine's enlargement step: Could not find an implementation for Resize(19)",
    );
  } finally {
    sessions.release = release;
  }
  assert.equal(released, 1, "the network's session is released, not left holding its memory");
});

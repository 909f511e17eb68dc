// The prediction's way back to the crop's pixels (enlarge.ts): a Gaussian smoothing (edges mirrored), then
// OpenCV INTER_LINEAR's geometry (pixel centres, edges clamped), which native-models/pconv/evaluate.py scores, over any
// rectangle of the crop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { loadEnlarger } from '../../main/engine/fill/enlarge';
import { MAGNIFIED_SMOOTHING_SIGMA, SMOOTHING_SIGMA } from '../../main/engine/fill/enlarge-graph';

/** 8-bit values (so rounding is exact) as the model's [0,1] floats, CHW. */
function prediction(width: number, height: number, seed: number): { chw: Float32Array; bytes: Uint8Array } {
  const bytes = new Uint8Array(3 * width * height);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
  return { chw: Float32Array.from(bytes, (v) => v / 255), bytes };
}

/** The prediction smoothed as evaluate.py does (cv2.sepFilter2D, BORDER_REFLECT_101), rounded to 8 bits, CHW. */
function smoothed(bytes: Uint8Array, width: number, height: number, sigma: number): Uint8Array {
  const radius = Math.round(4 * sigma);
  const taps = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma ** 2)));
  const k = taps.map((t) => t / taps.reduce((a, b) => a + b));
  const mirror = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const across = new Float64Array(bytes.length);
  const out = new Uint8Array(bytes.length);
  for (let c = 0; c < 3; c++) {
    const at = (x: number, y: number) => c * width * height + y * width + x;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) across[at(x, y)] = k.reduce((s, w, i) => s + w * bytes[at(mirror(x + i - radius, width), y)]!, 0);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) out[at(x, y)] = Math.min(255, Math.floor(k.reduce((s, w, i) => s + w * across[at(x, mirror(y + i - radius, height))]!, 0) + 0.5));
    }
  }
  return out;
}

/** Reference: the smoothed prediction, bilinear at (X + 0.5) / scale - 0.5, clamped to the edge pixels, HWC over
 * the whole crop. */
function reference(prediction: Uint8Array, width: number, height: number, cropWidth: number, cropHeight: number, sigma: number): Uint8Array {
  const bytes = smoothed(prediction, width, height, sigma);
  const out = new Uint8Array(cropWidth * cropHeight * 3);
  const taps = (X: number, crop: number, size: number) => {
    const u = Math.min(size - 1, Math.max(0, (X + 0.5) * (size / crop) - 0.5));
    const i0 = Math.floor(u);
    return [i0, Math.min(size - 1, i0 + 1), u - i0] as const;
  };
  for (let Y = 0; Y < cropHeight; Y++) {
    const [y0, y1, ty] = taps(Y, cropHeight, height);
    for (let X = 0; X < cropWidth; X++) {
      const [x0, x1, tx] = taps(X, cropWidth, width);
      for (let c = 0; c < 3; c++) {
        const p = (x: number, y: number) => bytes[c * width * height + y * width + x]!;
        const top = p(x0, y0) * (1 - tx) + p(x1, y0) * tx;
        const bottom = p(x0, y1) * (1 - tx) + p(x1, y1) * tx;
        out[(Y * cropWidth + X) * 3 + c] = Math.round(top * (1 - ty) + bottom * ty);
      }
    }
  }
  return out;
}

test('enlarging a prediction over a rectangle of its crop smooths it and samples as INTER_LINEAR does, edges and corners included', async () => {
  const enlarger = await loadEnlarger(2);
  try {
    for (const [width, height, cropWidth, cropHeight, magnify] of [
      [64, 48, 500, 375, false], // 7.8x, as a 10 % hole in a 24 MP photo
      [32, 32, 40, 40, false], // 1.25x, the smallest reduction
      [48, 32, 48, 32, false], // 1x: the prediction itself
      [64, 48, 32, 24, true], // 0.5x: a magnified crop ('auto' on a small hole), smoothed twice as wide, each crop pixel the mean of 2x2
    ] as const) {
      const { chw, bytes } = prediction(width, height, width + cropWidth);
      const want = reference(bytes, width, height, cropWidth, cropHeight, magnify ? MAGNIFIED_SMOOTHING_SIGMA : SMOOTHING_SIGMA);
      const regions = [
        { x: 0, y: 0, width: cropWidth, height: cropHeight },
        { x: 0, y: 0, width: 7, height: 5 },
        { x: cropWidth - 9, y: cropHeight - 4, width: 9, height: 4 },
        { x: Math.floor(cropWidth / 3), y: Math.floor(cropHeight / 2), width: Math.ceil(cropWidth / 2), height: 1 },
        { x: 5, y: 3, width: 1, height: 1 },
      ];
      for (const region of regions) {
        const got = await enlarger.enlarge(chw.slice(), width, height, { cropWidth, cropHeight, region, magnify });
        assert.equal(got.length, region.width * region.height * 3);
        let worst = 0;
        for (let y = 0; y < region.height; y++) {
          for (let x = 0; x < region.width * 3; x++) {
            const d = Math.abs(got[y * region.width * 3 + x]! - want[((region.y + y) * cropWidth + region.x) * 3 + x]!);
            worst = Math.max(worst, d);
          }
        }
        assert.ok(worst <= 1, `${width}x${height} -> ${cropWidth}x${cropHeight}, ${JSON.stringify(region)}: off by ${worst}`);
      }
    }
  } finally {
    await enlarger.release();
  }
});

test('magnifying a crop for the network: image and mask each pixel repeated 2x2 (no hole pixel bleeds into a known one)', async () => {
  const enlarger = await loadEnlarger(2);
  try {
    const [width, height] = [37, 23];
    const { chw } = prediction(width, height, 11);
    const mask = Float32Array.from({ length: width * height }, (_, i) => (((i * 2654435761) >>> 0) % 13 === 0 ? 0 : 1));
    const got = await enlarger.magnify(chw.slice(), mask.slice(), width, height);
    const [W, H] = [2 * width, 2 * height];
    assert.equal(got.image.length, 3 * W * H);
    assert.equal(got.mask.length, W * H);
    let wrong = 0;
    for (let Y = 0; Y < H; Y++) {
      for (let X = 0; X < W; X++) {
        const source = (Y >> 1) * width + (X >> 1);
        if (got.mask[Y * W + X] !== mask[source]) wrong++;
        for (let c = 0; c < 3; c++) if (got.image[c * W * H + Y * W + X] !== chw[c * width * height + source]) wrong++;
      }
    }
    assert.equal(wrong, 0, 'every magnified value is its source pixel\'s');
  } finally {
    await enlarger.release();
  }
});

test('a magnification graph onnxruntime cannot start fails loadEnlarger with its message, and the enlargement session is released', async () => {
  const factory = ort.InferenceSession as unknown as { create: (...args: unknown[]) => Promise<ort.InferenceSession> };
  const sessions = (ort.InferenceSession as unknown as { prototype: { release(this: ort.InferenceSession): Promise<void> } }).prototype;
  const [create, release] = [factory.create, sessions.release];
  let [calls, released] = [0, 0];
  factory.create = (...args) => (++calls === 2 ? Promise.reject(new Error('Could not find an implementation for Resize(19)')) : create.apply(ort.InferenceSession, args));
  sessions.release = function (this: ort.InferenceSession) {
    released++;
    return release.call(this);
  };
  try {
    await assert.rejects(loadEnlarger(2), /Resize\(19\)/);
  } finally {
    factory.create = create;
    sessions.release = release;
  }
  assert.deepEqual([calls, released], [2, 1], 'the first graph loaded, the second failed, the first was let go');
});

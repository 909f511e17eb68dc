// The texture step (main/engine/fill/texture.ts) through the engine, on a real photo: a hole on a wooden desk's plain
// boards comes back with the wood's grain, in the network's colours, and a hole larger than one of the step's parts
// comes back the same whatever the part's size (parts must not show). evaluate.py's run of the same step is held to
// the engine's in eval-parity.test.ts.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EngineError } from '../../main/engine/errors';
import { inpaintFile } from '../../main/engine/fill/pipeline';
import { setTextureGraphLoader } from '../../main/engine/fill/texture';
import { loadModel, type LoadedModel } from '../../main/engine/model/session';
import { dataDir, MODEL, raw, rectMask, tempDir, type Raw } from '../helpers/engine-data';

const WOOD = path.join(dataDir, 'val', 'photos', 'dpn_Wood-Desk.jpg'); // 1229x768
const HOLE = { x: 880, y: 110, width: 300, height: 200 }; // plain boards, right of the cup

let model: LoadedModel;
before(async () => {
  model = await loadModel(MODEL, 'cpu', 2);
});
after(() => model.release());

/** Over the hole: the standard deviation of each pixel less its 5x5 neighbourhood's mean (the fine detail), and the
 * mean of each channel. */
function detail(image: Raw): { fine: number; mean: number[] } {
  const { data, width, channels } = image;
  const at = (x: number, y: number, c: number) => data[(y * width + x) * channels + c]!;
  let [sum, sumSq, n] = [0, 0, 0];
  const mean = [0, 0, 0];
  for (let y = HOLE.y + 2; y < HOLE.y + HOLE.height - 2; y++) {
    for (let x = HOLE.x + 2; x < HOLE.x + HOLE.width - 2; x++) {
      for (let c = 0; c < 3; c++) {
        let local = 0;
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) local += at(x + dx, y + dy, c);
        const d = at(x, y, c) - local / 25;
        [sum, sumSq, n] = [sum + d, sumSq + d * d, n + 1];
        mean[c]! += at(x, y, c);
      }
    }
  }
  return { fine: Math.sqrt(sumSq / n - (sum / n) ** 2), mean: mean.map((m) => (3 * m) / n) };
}

test("a hole in a wooden desk gets the wood's grain, in the network's colours, and the step's parts do not show", async (t) => {
  const dir = await tempDir(t);
  const mask = await rectMask(1229, 768, [HOLE], path.join(dir, 'hole.png'));
  const request = { photo: WOOD, mask: { kind: 'file', path: mask }, scaleMask: false, inferSize: 'auto', format: 'png', quality: 92, overwrite: false } as const;
  const files = ['smooth', 'textured', 'parts'].map((n) => path.join(dir, `${n}.png`));
  await inpaintFile(model, { ...request, output: files[0]!, texture: false });
  await inpaintFile(model, { ...request, output: files[1]! });
  await inpaintFile(model, { ...request, output: files[2]!, texturePart: 96 }); // 4 x 3 parts
  const [smooth, textured, parts, photo] = await Promise.all([raw(files[0]!), raw(files[1]!), raw(files[2]!), raw(WOOD)]);

  const [plain, grained, truth] = [detail(smooth), detail(textured), detail(photo)];
  console.log(`fine detail over the hole: network ${plain.fine.toFixed(2)}, textured ${grained.fine.toFixed(2)}, the wood ${truth.fine.toFixed(2)}`);
  assert.ok(plain.fine < 0.5 * truth.fine, `the network's fill is smooth: ${plain.fine.toFixed(2)} against the wood's ${truth.fine.toFixed(2)}`);
  assert.ok(grained.fine > plain.fine + 0.15 * truth.fine, `fine detail ${plain.fine.toFixed(2)} -> ${grained.fine.toFixed(2)} (the wood's: ${truth.fine.toFixed(2)})`);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(grained.mean[c]! - plain.mean[c]!) < 2, `channel ${c}'s mean moved ${plain.mean[c]!.toFixed(1)} -> ${grained.mean[c]!.toFixed(1)}`);
  assert.ok(parts.data.equals(textured.data), 'filled in 96 px parts, the fill is the same');
});

test('when onnxruntime cannot run the texture graph, the job fails saying so and writes nothing; the next one starts it anew', async (t) => {
  const dir = await tempDir(t);
  const mask = await rectMask(1229, 768, [HOLE], path.join(dir, 'hole.png'));
  const output = path.join(dir, 'out.png');
  const request = { photo: WOOD, mask: { kind: 'file', path: mask }, scaleMask: false, inferSize: 512, output, format: 'png', quality: 92, overwrite: false } as const;
  const before = await readFile(WOOD);
  setTextureGraphLoader(async () => {
    throw new Error('no onnxruntime here');
  });
  try {
    await assert.rejects(inpaintFile(model, request), (e: unknown) => e instanceof EngineError && e.code === 'failed' && /could not add the texture to the fill: onnxruntime could not start it \(no onnxruntime here\)/.test(e.message));
    await assert.rejects(stat(output), { code: 'ENOENT' }, 'no output is written');
    assert.ok((await readFile(WOOD)).equals(before), 'the photo is untouched');
  } finally {
    setTextureGraphLoader();
  }
  await inpaintFile(model, request);
  assert.equal((await raw(output)).width, 1229, 'the next job runs with the real graph');
});

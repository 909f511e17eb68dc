// A 24-megapixel JPEG with a small object painted over: the model only sees a tile around the hole,
// the output is exact outside it, and the worker's memory stays bounded (measured and printed, not asserted
// as a timing: benchmarks measure speed).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { EngineClient } from '../../main/engine/worker-process/client';
import { loadModel, type Model } from '../../main/engine/model/session';
import { removeObject } from '../../main/engine/fill/pipeline';
import { compareWithMask, MODEL, peakRssMb, raw, rectMask, sunHays } from '../helpers/engine-data';

const W = 6000;
const H = 4000;
const OBJECT = { x: 3100, y: 2200, width: 140, height: 90 };
const HOLE = { x: 3090, y: 2190, width: 160, height: 110 }; // painted a little wider than the object

const dir = await mkdtemp(path.join(os.tmpdir(), 'holefill-test-'));
after(() => rm(dir, { recursive: true, force: true }));
const photo = path.join(dir, 'big.jpg');
let mask: string;
before(async () => {
  const object = await sharp({ create: { width: OBJECT.width, height: OBJECT.height, channels: 3, background: '#d02020' } }).png().toBuffer();
  await sharp(sunHays(7)).resize(W, H, { fit: 'fill' }).composite([{ input: object, left: OBJECT.x, top: OBJECT.y }]).jpeg({ quality: 90 }).toFile(photo);
  mask = await rectMask(W, H, [HOLE], path.join(dir, 'mask.png'));
});

test('24 MP: the model only ever sees a small tile, never the whole frame', async () => {
  const real = await loadModel(MODEL, 'cpu', 2);
  const seen: string[] = [];
  const spy: Model = {
    provider: real.provider,
    run: (image, m, width, height) => (seen.push(`${width}x${height}`), real.run(image, m, width, height)),
    fill: (image, m, width, height, place) => (seen.push(`${width}x${height}`), real.fill(image, m, width, height, place)),
  };
  const result = await removeObject(spy, { photo, layers: [], mask: { kind: 'bytes', data: await readFile(mask) }, inferSize: 256 });
  await real.release();
  assert.deepEqual(seen, ['256x256']);
  assert.deepEqual(result.rect, HOLE, 'the patch is the hole, not the frame');
});

test('24 MP through the worker: exact outside the hole, the object gone; time and peak memory printed', async (t) => {
  const engine = new EngineClient({ modelPath: MODEL, threads: 2 });
  t.after(() => engine.close());
  const info = await engine.info();
  const idleMb = await peakRssMb(info.pid);
  const out = path.join(dir, 'out.png');
  const started = performance.now();
  const done = await engine.inpaintFile({ photo, mask, output: out });
  const seconds = (performance.now() - started) / 1000;
  const peakMb = await peakRssMb(info.pid);
  console.log(`24 MP inpaint to PNG: ${seconds.toFixed(1)} s; worker peak RSS ${peakMb} MB (${idleMb} MB after loading the model)`);
  assert.deepEqual([done.width, done.height, done.holes], [W, H, 1]);
  const before = await raw(photo);
  const after = await raw(out);
  const holes = await sharp(mask).toColourspace('b-w').raw().toBuffer();
  const diff = compareWithMask(before, after, holes);
  assert.equal(diff.outsideDiffs, 0);
  // The red object is gone from the hole: far less red there than before.
  const redness = (img: typeof before) => {
    let sum = 0;
    for (let y = OBJECT.y; y < OBJECT.y + OBJECT.height; y++) {
      for (let x = OBJECT.x; x < OBJECT.x + OBJECT.width; x++) {
        const i = (y * W + x) * 3;
        sum += img.data[i]! - (img.data[i + 1]! + img.data[i + 2]!) / 2;
      }
    }
    return sum / (OBJECT.width * OBJECT.height);
  };
  assert.ok(redness(after) < redness(before) / 2, `redness ${redness(before).toFixed(0)} -> ${redness(after).toFixed(0)}`);
  if (peakMb !== null) assert.ok(peakMb < 1500, `bounded memory: ${peakMb} MB`);
});

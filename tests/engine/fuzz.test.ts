// Decoder fuzzing: corrupted JPEG, PNG, WebP and TIFF files (truncations, bit flips, wrong headers, zeroed
// and foreign blocks), made from eval photos with a fixed seed, all through one engine worker. Each either
// succeeds or fails with a clear message; the worker never dies; a failure leaves no file behind.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { EngineClient } from '../../main/engine/worker-process/client';
import type { EngineError } from '../../main/engine/errors';
import { kodak, listDir, MODEL, rectMask, sunHays, tempDir } from '../helpers/engine-data';

const WIDTH = 160;
const HEIGHT = 120;
const FORMATS = ['jpg', 'png', 'webp', 'tif'] as const;
const MUTATIONS = ['truncate', 'bitflip', 'header', 'zeroblock', 'foreign', 'tail'] as const;
const PER_KIND = 10; // 4 formats x 6 mutations x 10 = 240 files

/** mulberry32: small, seeded, good enough to scatter damage. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(kind: (typeof MUTATIONS)[number], good: Buffer, foreign: Buffer, rnd: () => number): Buffer {
  const at = (n: number) => Math.floor(rnd() * n);
  const bytes = Buffer.from(good);
  switch (kind) {
    case 'truncate':
      return bytes.subarray(0, Math.max(1, Math.floor(bytes.length * (0.02 + 0.96 * rnd()))));
    case 'bitflip':
      for (let i = 1 + at(16); i > 0; i--) {
        const p = at(bytes.length);
        bytes[p] = bytes[p]! ^ (1 << at(8));
      }
      return bytes;
    case 'header':
      for (let i = 0; i < 2 + at(30); i++) bytes[at(Math.min(64, bytes.length))] = at(256);
      return bytes;
    case 'zeroblock': {
      const start = at(bytes.length);
      bytes.fill(0, start, start + 16 + at(512));
      return bytes;
    }
    case 'foreign': {
      const start = at(bytes.length);
      const from = at(foreign.length);
      foreign.copy(bytes, start, from, from + 64 + at(1024));
      return bytes;
    }
    case 'tail':
      return Buffer.concat([bytes.subarray(0, bytes.length - at(32)), Buffer.from(Array.from({ length: 1 + at(4096) }, () => at(256)))]);
  }
}

async function encode(source: string, format: (typeof FORMATS)[number]): Promise<Buffer> {
  const image = sharp(source).resize(WIDTH, HEIGHT, { fit: 'cover' });
  if (format === 'jpg') return image.jpeg({ quality: 90 }).toBuffer();
  if (format === 'png') return image.png().toBuffer();
  if (format === 'webp') return image.webp({ quality: 85 }).toBuffer();
  return image.tiff({ compression: 'lzw' }).toBuffer();
}

const ALLOWED = new Set(['corrupt-image', 'unsupported-image', 'mask-size', 'too-large']);

test(`decoder fuzzing: ${FORMATS.length * MUTATIONS.length * PER_KIND} corrupted files through one worker`, async (t) => {
  const dir = await tempDir(t);
  const inputs = path.join(dir, 'in');
  const outputs = path.join(dir, 'out');
  await mkdir(inputs);
  await mkdir(outputs);
  const mask = await rectMask(WIDTH, HEIGHT, [{ x: 60, y: 40, width: 30, height: 25 }], path.join(dir, 'mask.png'));
  const sources = [kodak(1), kodak(13), sunHays(3), sunHays(40)];
  const rnd = rng(20251124);
  const files: { file: string; format: string; mutation: string }[] = [];
  for (const format of FORMATS) {
    const goods = await Promise.all(sources.map((s) => encode(s, format)));
    const foreign = await encode(sources[0]!, format === 'png' ? 'jpg' : 'png');
    for (const mutation of MUTATIONS) {
      for (let i = 0; i < PER_KIND; i++) {
        const file = path.join(inputs, `${mutation}-${i}.${format}`);
        await writeFile(file, mutate(mutation, goods[i % goods.length]!, foreign, rnd));
        files.push({ file, format, mutation });
      }
    }
  }

  const engine = new EngineClient({ modelPath: MODEL, threads: 2 });
  t.after(() => engine.close());
  const pid = (await engine.info()).pid;
  const counts = new Map<string, number>();
  const byFormat = new Map<string, Map<string, number>>();
  const unclear: string[] = [];
  for (const { file, format } of files) {
    const output = path.join(outputs, `${path.basename(file)}.png`);
    let outcome: string;
    try {
      const done = await engine.inpaintFile({ photo: file, mask, output, inferSize: 256 });
      outcome = 'succeeded';
      assert.deepEqual([done.width, done.height], [WIDTH, HEIGHT]);
      const meta = await sharp(output).metadata();
      assert.deepEqual([meta.width, meta.height], [WIDTH, HEIGHT], `${path.basename(file)}: a whole output`);
    } catch (err) {
      const e = err as EngineError;
      outcome = `failed: ${e.code}`;
      const clear = ALLOWED.has(e.code) && /^The (photo|mask) "/.test(e.message) && !/\n\s+at /.test(e.message);
      if (!clear) unclear.push(`${path.basename(file)}: [${e.code}] ${e.message}`);
      assert.ok(!existsSync(output), `${path.basename(file)}: no output for a failure`);
    }
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    const perFormat = byFormat.get(format) ?? new Map<string, number>();
    perFormat.set(outcome, (perFormat.get(outcome) ?? 0) + 1);
    byFormat.set(format, perFormat);
  }

  console.log(`fuzz outcomes over ${files.length} files: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const [format, c] of byFormat) console.log(`  ${format}: ${[...c].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  assert.deepEqual(unclear, [], 'every failure is one of the expected kinds, with a sentence naming the file');
  assert.equal(engine.workerPid, pid, 'the same worker served every job');
  assert.equal(engine.workersStarted, 1);
  assert.equal(engine.jobsAnswered, files.length);
  assert.deepEqual((await listDir(outputs)).filter((f) => !f.endsWith('.png')), [], 'no temp files left');
  assert.ok((counts.get('succeeded') ?? 0) > 0 && (counts.get('succeeded') ?? 0) < files.length, 'the corpus has both outcomes');
});

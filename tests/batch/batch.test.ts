// Folder jobs on real photos through the real engine: bad files fail alone with their reason, nothing an
// input is ever written over, cancel keeps what is finished, and running again resumes. JOBS_IN_FLIGHT photos
// go through the engine at once, with the same results, order and bytes as one at a time.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, unlinkSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { BatchOptions } from '../../main/contract/app-api';
import { countImages, planBatch, runBatch, type BatchEngine, type BatchProgress, type FileResult } from '../../main/batch';
import { EngineClient } from '../../main/engine/worker-process/client';
import type { EngineError } from '../../main/engine/errors';
import { JOBS_IN_FLIGHT } from '../../main/engine/worker-process/client';
import { fitMask, kodak, MODEL, rectMask, sunHays, tempDir } from '../helpers/engine-data';

let engine: EngineClient;
before(() => {
  engine = new EngineClient({ modelPath: MODEL, threads: 2 });
});
after(() => engine.close());

const W = 200;
const H = 150;

async function photoFile(file: string, source: string, format: 'png' | 'jpeg' | 'webp' = 'png') {
  await sharp(source).resize(W, H, { fit: 'cover' }).toFormat(format).toFile(file);
  return file;
}

const options = (inputDir: string, masks: BatchOptions['masks'], outputDir: string, extra: Partial<BatchOptions> = {}): BatchOptions => ({
  inputDir,
  recursive: false,
  masks,
  outputDir,
  format: 'same',
  quality: 90,
  existing: 'skip',
  allowInputDir: false,
  ...extra,
});

/** sha256 of every file under dir, by relative path. */
async function checksums(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = createHash('sha256').update(await readFile(file)).digest('hex');
  }
  return out;
}

const tempFilesIn = async (dir: string) => (await readdir(dir, { recursive: true })).filter((f) => path.basename(f).startsWith('.holefill-tmp'));

test('a folder with good, corrupt, non-image, mask-less, wrong-size and vanishing photos', async (t) => {
  const root = await tempDir(t);
  const [input, masks, output] = ['in', 'masks', 'out'].map((d) => path.join(root, d)) as [string, string, string];
  await mkdir(input);
  await mkdir(masks);
  // Good photos, their masks named in each accepted way.
  await photoFile(path.join(input, 'good1.png'), kodak(1));
  await photoFile(path.join(input, 'good2.jpg'), kodak(2), 'jpeg');
  await photoFile(path.join(input, 'good3.png'), sunHays(1));
  await photoFile(path.join(input, 'good4.webp'), sunHays(2), 'webp');
  await fitMask(10, W, H, path.join(masks, 'good1.png'));
  await fitMask(20, W, H, path.join(masks, 'good2_mask.png'));
  await fitMask(30, W, H, path.join(masks, 'good3-mask.png'));
  await fitMask(40, W, H, path.join(masks, 'good4.mask.png'));
  // Bad ones.
  const jpeg = await sharp(kodak(5)).resize(W, H).jpeg().toBuffer();
  await writeFile(path.join(input, 'corrupt.jpg'), jpeg.subarray(0, jpeg.length / 3));
  await writeFile(path.join(input, 'garbage.png'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)));
  await writeFile(path.join(input, 'fake.jpg'), 'not a photo at all\n');
  await writeFile(path.join(input, 'notes.txt'), 'ignored: not a photo extension\n');
  await photoFile(path.join(input, 'nomask.png'), kodak(6));
  await photoFile(path.join(input, 'wrongsize.png'), kodak(7));
  await photoFile(path.join(input, 'vanishing.png'), kodak(8));
  for (const name of ['corrupt', 'garbage', 'fake', 'vanishing']) await fitMask(50, W, H, path.join(masks, `${name}.png`));
  await fitMask(60, 320, 240, path.join(masks, 'wrongsize.png'));
  const originals = { input: await checksums(input), masks: await checksums(masks) };

  const progress: BatchProgress[] = [];
  const summary = await runBatch(engine, options(input, { kind: 'folder', dir: masks }, output), {
    onProgress: (p) => {
      progress.push(p);
      if (p.current === 'vanishing.png') unlinkSync(path.join(input, 'vanishing.png')); // deleted mid-run
    },
  });
  const reasons = Object.fromEntries(summary.files.filter((f) => f.status === 'failed').map((f) => [f.file, f.reason]));
  assert.deepEqual([summary.total, summary.succeeded, summary.skipped, summary.failed, summary.cancelled], [10, 4, 0, 6, false], JSON.stringify(reasons, null, 1));
  assert.match(reasons['corrupt.jpg']!, /damaged or truncated/);
  assert.match(reasons['garbage.png']!, /not an image Holefill can read|damaged/);
  assert.match(reasons['fake.jpg']!, /not an image Holefill can read/);
  assert.match(reasons['nomask.png']!, /No mask found/);
  assert.match(reasons['wrongsize.png']!, /is 320x240 but the photo is 200x150/);
  assert.match(reasons['vanishing.png']!, /does not exist/);

  assert.deepEqual((await readdir(output)).sort(), ['good1.png', 'good2.jpg', 'good3.png', 'good4.webp']);
  assert.deepEqual(await tempFilesIn(output), []);
  delete originals.input['vanishing.png'];
  assert.deepEqual({ input: await checksums(input), masks: await checksums(masks) }, originals, 'inputs and masks untouched');

  // Progress: every file reported, counts add up, an estimate once something was processed.
  const last = progress.at(-1)!;
  assert.deepEqual([last.done, last.total, last.succeeded, last.failed], [10, 10, 4, 6]);
  assert.equal(progress[0]!.etaMs, null);
  assert.ok(progress.slice(1).some((p) => p.etaMs !== null));

  // Running again resumes: finished outputs are skipped, the bad files fail again.
  const again = await runBatch(engine, options(input, { kind: 'folder', dir: masks }, output));
  assert.deepEqual([again.succeeded, again.skipped, again.failed], [0, 4, 5]);
});

for (const window of [1, JOBS_IN_FLIGHT]) {
  test(`cancel with ${window} photo${window === 1 ? '' : 's'} in flight: no new photo starts, those started finish and are kept; running again does the rest`, async (t) => {
    const root = await tempDir(t);
    const [input, output] = [path.join(root, 'in'), path.join(root, 'out')];
    await mkdir(input);
    for (let i = 1; i <= 5; i++) await photoFile(path.join(input, `p${i}.png`), kodak(10 + i));
    const mask = await rectMask(W, H, [{ x: 80, y: 60, width: 30, height: 20 }], path.join(root, 'one-mask.png'));
    const abort = new AbortController();
    const reported: string[] = [];
    const first = await runBatch(engine, options(input, { kind: 'single', file: mask, scaleToFit: false }, output), {
      signal: abort.signal,
      photosInFlight: window,
      onFile: (result) => reported.push(result.file) === 2 && abort.abort(),
    });
    // Aborted as the 2nd photo is reported: the window had already moved on to the next window - 1 photos.
    const kept = 2 + window - 1;
    const names = ['p1.png', 'p2.png', 'p3.png', 'p4.png', 'p5.png'].slice(0, kept);
    assert.deepEqual([first.total, first.succeeded, first.files.length, first.cancelled], [5, kept, kept, true]);
    assert.deepEqual(reported, names, 'reported in the plan\'s order');
    assert.deepEqual((await readdir(output)).sort(), names);
    const second = await runBatch(engine, options(input, { kind: 'single', file: mask, scaleToFit: false }, output), { photosInFlight: window });
    assert.deepEqual([second.skipped, second.succeeded, second.failed, second.cancelled], [kept, 5 - kept, 0, false]);
  });
}

/** The engine, counting how many of its jobs are in flight at once. */
function counting(real: BatchEngine): BatchEngine & { most: number } {
  let now = 0;
  const counter = {
    most: 0,
    jobsInFlight: real.jobsInFlight,
    async inpaintFile(...args: Parameters<BatchEngine['inpaintFile']>) {
      counter.most = Math.max(counter.most, ++now);
      try {
        return await real.inpaintFile(...args);
      } finally {
        now--;
      }
    },
  };
  return counter;
}

test(`${JOBS_IN_FLIGHT} photos in flight: the same outcomes, order, progress and output bytes as one photo at a time`, async (t) => {
  const root = await tempDir(t);
  const [input, masks] = [path.join(root, 'in'), path.join(root, 'masks')];
  await mkdir(input);
  await mkdir(masks);
  // About-1024x768 JPEGs with NVIDIA masks (some with several holes), a PNG, and two bad files among them.
  for (let i = 0; i < 5; i++) {
    await copyFile(sunHays(10 + i), path.join(input, `s${i}.jpg`));
    const { width, height } = await sharp(sunHays(10 + i)).metadata();
    await fitMask(200 + 10 * i, width!, height!, path.join(masks, `s${i}.png`));
  }
  await photoFile(path.join(input, 's2b.png'), kodak(9));
  await fitMask(300, W, H, path.join(masks, 's2b.png'));
  await writeFile(path.join(input, 's1b.jpg'), 'not a photo\n');
  await fitMask(310, W, H, path.join(masks, 's1b.png'));
  await photoFile(path.join(input, 's3b.png'), kodak(10)); // no mask

  const runs = [];
  for (const window of [1, JOBS_IN_FLIGHT]) {
    const output = path.join(root, `out-${window}`);
    const probe = counting(engine);
    const progress: BatchProgress[] = [];
    const reported: FileResult[] = [];
    const summary = await runBatch(probe, options(input, { kind: 'folder', dir: masks }, output), {
      photosInFlight: window,
      onProgress: (p) => progress.push(p),
      onFile: (r) => reported.push(r),
    });
    runs.push({ window, output, most: probe.most, progress, reported, summary });
  }
  const [alone, together] = runs as [(typeof runs)[number], (typeof runs)[number]];
  assert.equal(alone.most, 1);
  assert.equal(together.most, JOBS_IN_FLIGHT, `${JOBS_IN_FLIGHT} photos on the engine at once`);

  const plain = (run: typeof alone) => run.summary.files.map((f) => ({ ...f, output: f.output && path.relative(run.output, f.output) }));
  const plan = ['s0.jpg', 's1.jpg', 's1b.jpg', 's2.jpg', 's2b.png', 's3.jpg', 's3b.png', 's4.jpg'];
  assert.deepEqual(alone.summary.files.map((f) => f.file), plan);
  assert.deepEqual(plain(together), plain(alone), 'the same outcomes, reasons and outputs, in the plan\'s order');
  assert.deepEqual(together.reported, together.summary.files, 'reported as they are stored: in the plan\'s order');
  assert.deepEqual([together.summary.succeeded, together.summary.failed, together.summary.cancelled], [6, 2, false]);
  assert.deepEqual(await checksums(together.output), await checksums(alone.output), 'byte for byte');

  // Progress: a report as each photo starts, then one at the end; done only grows, and ends complete.
  for (const run of runs) {
    assert.deepEqual(run.progress.map((p) => p.current), [...plan, '']);
    assert.ok(run.progress.every((p, i) => i === 0 || p.done >= run.progress[i - 1]!.done));
    assert.deepEqual([run.progress.at(-1)!.done, run.progress.at(-1)!.succeeded, run.progress.at(-1)!.failed], [8, 6, 2]);
    assert.equal(run.progress[0]!.etaMs, null);
    assert.ok(run.progress.some((p) => p.etaMs !== null && p.etaMs > 0));
  }
});

test('two photos with one output name (a.jpg and a.png, both to PNG): the later waits for the earlier, so skip, rename and overwrite mean what they do one at a time', async (t) => {
  const root = await tempDir(t);
  const input = path.join(root, 'in');
  await mkdir(input);
  await photoFile(path.join(input, 'a.jpg'), kodak(17), 'jpeg');
  await photoFile(path.join(input, 'a.png'), kodak(18));
  await photoFile(path.join(input, 'b.png'), kodak(19));
  const masks = { kind: 'single' as const, file: await rectMask(W, H, [{ x: 40, y: 40, width: 30, height: 30 }], path.join(root, 'm.png')), scaleToFit: false };
  const out = (name: string) => path.join(root, name);
  const statuses = (summary: { files: FileResult[] }) => summary.files.map((f) => [f.file, f.status, f.output && path.basename(f.output)]);

  const skip = await runBatch(engine, options(input, masks, out('skip'), { format: 'png' }));
  assert.deepEqual(statuses(skip), [['a.jpg', 'succeeded', 'a.png'], ['a.png', 'skipped', 'a.png'], ['b.png', 'succeeded', 'b.png']]);

  const rename = await runBatch(engine, options(input, masks, out('rename'), { format: 'png', existing: 'rename' }));
  assert.deepEqual(statuses(rename), [['a.jpg', 'succeeded', 'a.png'], ['a.png', 'succeeded', 'a (1).png'], ['b.png', 'succeeded', 'b.png']]);

  const overwrite = await runBatch(engine, options(input, masks, out('overwrite'), { format: 'png', existing: 'overwrite' }));
  assert.deepEqual(statuses(overwrite), [['a.jpg', 'succeeded', 'a.png'], ['a.png', 'succeeded', 'a.png'], ['b.png', 'succeeded', 'b.png']]);
  const sums = { rename: await checksums(out('rename')), overwrite: await checksums(out('overwrite')) };
  assert.equal(sums.overwrite['a.png'], sums.rename['a (1).png'], 'the later photo (a.png) wrote last');
  assert.notEqual(sums.rename['a.png'], sums.rename['a (1).png']);
});

test('one mask for all: a size mismatch fails that photo unless scaled; a painted mask works the same', async (t) => {
  const root = await tempDir(t);
  const input = path.join(root, 'in');
  await mkdir(input);
  await photoFile(path.join(input, 'a.png'), kodak(20));
  await sharp(kodak(21)).resize(300, 200).toFile(path.join(input, 'b.png'));
  const mask = await rectMask(W, H, [{ x: 20, y: 20, width: 25, height: 25 }], path.join(root, 'mask.png'));
  const strict = await runBatch(engine, options(input, { kind: 'single', file: mask, scaleToFit: false }, path.join(root, 'o1')));
  assert.deepEqual([strict.succeeded, strict.failed], [1, 1]);
  assert.match(strict.files.find((f) => f.file === 'b.png')!.reason!, /is 200x150 but the photo is 300x200/);
  const scaled = await runBatch(engine, options(input, { kind: 'single', file: mask, scaleToFit: true }, path.join(root, 'o2')));
  assert.deepEqual([scaled.succeeded, scaled.failed], [2, 0]);
  const painted = await runBatch(engine, options(input, { kind: 'painted', mask: await readFile(mask), scaleToFit: true }, path.join(root, 'o3'), { format: 'jpeg' }));
  assert.deepEqual([painted.succeeded, (await readdir(path.join(root, 'o3'))).sort()], [2, ['a.jpg', 'b.jpg']]);
});

test('the input folder as output: refused, unless allowed; then outputs get their own names and a rerun ignores them', async (t) => {
  const root = await tempDir(t);
  const input = path.join(root, 'in');
  await mkdir(input);
  await photoFile(path.join(input, 'x.png'), kodak(22));
  const mask = await rectMask(W, H, [{ x: 50, y: 50, width: 20, height: 20 }], path.join(root, 'm.png'));
  const before = await checksums(input);
  await assert.rejects(runBatch(engine, options(input, { kind: 'single', file: mask, scaleToFit: false }, input)), (e: EngineError) => e.code === 'would-overwrite-input');
  const allowed = await runBatch(engine, options(input, { kind: 'single', file: mask, scaleToFit: false }, input, { allowInputDir: true, existing: 'overwrite' }));
  assert.equal(allowed.succeeded, 1);
  assert.deepEqual((await readdir(input)).sort(), ['x-holefill.png', 'x.png']);
  assert.equal((await checksums(input))['x.png'], before['x.png']);
  const rerun = await runBatch(engine, options(input, { kind: 'single', file: mask, scaleToFit: false }, input, { allowInputDir: true }));
  assert.deepEqual([rerun.total, rerun.skipped], [1, 1]);
});

test('existing outputs: skip, overwrite, or rename to "name (1).ext"', async (t) => {
  const root = await tempDir(t);
  const [input, output] = [path.join(root, 'in'), path.join(root, 'out')];
  await mkdir(input);
  await mkdir(output);
  await photoFile(path.join(input, 'y.png'), kodak(23));
  await writeFile(path.join(output, 'y.png'), 'older result');
  const mask = await rectMask(W, H, [{ x: 60, y: 60, width: 20, height: 20 }], path.join(root, 'm.png'));
  const masks = { kind: 'single' as const, file: mask, scaleToFit: false };
  assert.equal((await runBatch(engine, options(input, masks, output))).skipped, 1);
  assert.equal(await readFile(path.join(output, 'y.png'), 'utf8'), 'older result');
  assert.equal((await runBatch(engine, options(input, masks, output, { existing: 'rename' }))).succeeded, 1);
  assert.ok(existsSync(path.join(output, 'y (1).png')));
  assert.equal((await runBatch(engine, options(input, masks, output, { existing: 'overwrite' }))).succeeded, 1);
  assert.equal((await sharp(path.join(output, 'y.png')).metadata()).width, W);
});

test('an unwritable output folder refuses the batch before any photo: a file in the way, and a read-only folder', async (t) => {
  const root = await tempDir(t);
  const input = path.join(root, 'in');
  await mkdir(input);
  await photoFile(path.join(input, 'z.png'), kodak(24));
  const mask = await rectMask(W, H, [{ x: 60, y: 60, width: 20, height: 20 }], path.join(root, 'm.png'));
  const masks = { kind: 'single' as const, file: mask, scaleToFit: false };
  // Tests run as root, where chmod does not stop writes: an output path that is a file always works...
  await writeFile(path.join(root, 'a-file'), 'x');
  await assert.rejects(runBatch(engine, options(input, masks, path.join(root, 'a-file'))), (e: EngineError) => e.code === 'output-unwritable' && /is a file, not a folder/.test(e.message));
  await assert.rejects(runBatch(engine, options(input, masks, path.join(root, 'a-file', 'sub'))), (e: EngineError) => e.code === 'output-unwritable');
  // ...and a read-only tmpfs mounted over the output folder where mount works (root); chmod otherwise.
  const ro = await mkdtemp(path.join(os.tmpdir(), 'holefill-ro-'));
  let how: string;
  if (process.getuid?.() === 0) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro], { stdio: 'ignore' });
      how = 'read-only tmpfs';
    } catch {
      await rm(ro, { recursive: true });
      console.log('SKIPPED: read-only output folder (root, and mount is not available here)');
      return;
    }
  } else {
    execFileSync('chmod', ['555', ro]);
    how = 'chmod 555';
  }
  try {
    await assert.rejects(runBatch(engine, options(input, masks, ro)), (e: EngineError) => e.code === 'output-unwritable' && /Cannot write to the output folder/.test(e.message));
    console.log(`read-only output folder made with: ${how}`);
  } finally {
    if (how === 'read-only tmpfs') execFileSync('umount', [ro]);
    await rm(ro, { recursive: true, force: true });
  }
});

test('planning: recursive listing mirrors subfolders, masks pair by relative name, outputs never name an input', async (t) => {
  const root = await tempDir(t);
  const [input, masks] = [path.join(root, 'in'), path.join(root, 'masks')];
  await mkdir(path.join(input, 'sub'), { recursive: true });
  await mkdir(path.join(masks, 'sub'), { recursive: true });
  await photoFile(path.join(input, 'a.png'), kodak(1));
  await photoFile(path.join(input, 'sub', 'b.jpg'), kodak(2), 'jpeg');
  await writeFile(path.join(input, '.hidden.png'), 'x');
  await copyFile(path.join(input, 'a.png'), path.join(masks, 'a.png'));
  await copyFile(path.join(input, 'a.png'), path.join(masks, 'sub', 'b.png'));
  const count = (recursive: boolean) => countImages({ inputDir: input, recursive, outputDir: null, masksDir: null });
  assert.equal(await count(false), 1);
  assert.equal(await count(true), 2);
  const plan = await planBatch(options(input, { kind: 'folder', dir: masks }, path.join(root, 'out'), { recursive: true, format: 'webp' }));
  assert.deepEqual(
    plan.items.map((i) => [i.file, i.mask?.kind === 'file' ? path.relative(masks, i.mask.path) : null, path.relative(root, i.output)]),
    [
      ['a.png', 'a.png', 'out/a.webp'],
      ['sub/b.jpg', 'sub/b.png', 'out/sub/b.webp'],
    ],
  );
});

test('counting reads what planning reads: never the output folder inside the input folder, nor the masks', async (t) => {
  const root = await tempDir(t);
  const input = path.join(root, 'in');
  const output = path.join(input, 'inpainted'); // the dialog's default
  const masks = path.join(input, 'masks');
  await mkdir(path.join(output, 'sub'), { recursive: true });
  await mkdir(masks);
  await photoFile(path.join(input, 'a.png'), kodak(1));
  await photoFile(path.join(output, 'a.png'), kodak(1)); // last run's outputs
  await photoFile(path.join(output, 'sub', 'b.png'), kodak(2));
  await photoFile(path.join(masks, 'a.png'), kodak(3));
  const count = await countImages({ inputDir: input, recursive: true, outputDir: output, masksDir: masks });
  const plan = await planBatch(options(input, { kind: 'folder', dir: masks }, output, { recursive: true }));
  assert.deepEqual(plan.items.map((i) => i.file), ['a.png']);
  assert.equal(count, plan.items.length);
  assert.equal(await countImages({ inputDir: input, recursive: true, outputDir: null, masksDir: null }), 4, 'without them every image below counts');
});

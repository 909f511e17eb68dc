// `npm run bench`: Holefill's speed and memory, each figure beside a reference measured in the same run
// (a busy machine slows a figure and its reference alike, so the ratios are what to read).
//
//   npm run bench                      the full bench (several minutes; run it on a quiet machine)
//   npm run bench -- --quick           a short run of every section (fewer runs, smaller inputs)
//   npm run bench -- --json [--out F]  also write the figures as JSON (default bench/results.json)
//   npm run bench -- --only model,scale,e2e,batch,startup   some sections
//   npm run bench -- --model FILE      another fp32 model (its int8 twin is FILE.int8.onnx, if any)
//   npm run bench -- --photos N        the batch section's photo count (default 100; 4 with --quick)
//
// Sections, each in its own module:
//   model    (model.ts)    one 512x512 inference, onnxruntime-node against PyTorch eager, GFLOP/s, int8 against fp32.
//   scale    (scale.ts)    the model at the inference scales the engine uses, against 512.
//   e2e      (e2e.ts)      Remove Object and `holefill inpaint` on a 24 MP photo, against 512x512.
//   batch    (batch.ts)    `holefill batch` photos per minute, against one `holefill inpaint` process per photo.
//   startup  (startup.ts)  engine worker start to the first result, against the same job once warm.
// run.ts holds the command line and what the sections share; lib.ts and data.ts their helpers and inputs.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadInProcessEngine } from '../main/engine';
import { benchBatch } from './batch';
import { repoRoot, requireData } from './data';
import { benchEndToEnd } from './e2e';
import { machineLoad, table } from './lib';
import { benchModel } from './model';
import { APP_PRECISION, figures, INT8, log, MODEL, notes, quick, threads, values } from './run';
import { benchScale } from './scale';
import { benchStartup } from './startup';

const { loadModel, loadModelInThread, setUpLibvips, WORKER_THREAD_ENTRY } = await loadInProcessEngine();
const only = new Set((values.only ?? 'model,scale,e2e,batch,startup').split(',').map((s) => s.trim()));

async function main(): Promise<void> {
  requireData();
  setUpLibvips(); // as the worker: the in-process e2e figures are the app's

  if (!existsSync(MODEL)) throw new Error(`No model at ${MODEL}.`);
  const loadBefore = machineLoad();
  const startedAt = new Date();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'holefill-bench-'));
  try {
    log(`${quick ? 'quick' : 'full'} run; ${os.cpus().length} CPUs (${threads} onnxruntime threads), load average ${loadBefore.load1.toFixed(1)}`);
    const fp32 = await loadModel(MODEL, 'cpu', threads);
    const int8 = INT8 ? await loadModel(INT8, 'cpu', threads) : null;
    const appModel = APP_PRECISION.precision === 'int8' && int8 ? int8 : fp32;
    log(`the app runs ${APP_PRECISION.precision} here${APP_PRECISION.note ? ` (${APP_PRECISION.note})` : ''}: e2e, batch and start-up measure that`);
    notes.push(`e2e, batch and start-up run the app's default precision on this machine: ${APP_PRECISION.precision}${APP_PRECISION.note ? ` (${APP_PRECISION.note})` : ''}.`);
    let ref512: number | null = null;
    let fp32Ms: number | null = null;
    if (only.has('model')) {
      log('model...');
      const result = await benchModel(fp32, int8);
      fp32Ms = result.fp32Ms;
      ref512 = appModel === int8 ? result.int8Ms : result.fp32Ms;
    }
    if (only.has('scale')) {
      log('scale...');
      await benchScale(fp32, int8, fp32Ms);
    }
    if (only.has('e2e')) {
      log('e2e...');
      // The model as the app's worker holds it (a thread of its own, idle threads spinning only briefly, not on
      // the cores the pipeline's libvips work runs on between inferences).
      const appFile = appModel === int8 ? INT8! : MODEL;
      const inThread = await loadModelInThread(WORKER_THREAD_ENTRY, { file: appFile, provider: 'cpu', threads });
      await benchEndToEnd(inThread, ref512, dir);
      await inThread.release();
    }
    await fp32.release();
    await int8?.release();
    if (only.has('batch')) {
      log('batch...');
      await benchBatch(dir);
    }
    if (only.has('startup')) {
      log('startup...');
      await benchStartup(dir);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const loadAfter = machineLoad();
  const header = [
    `Holefill bench (${quick ? 'quick' : 'full'}), ${startedAt.toISOString()}, ${os.cpus()[0]?.model ?? 'CPU'} x${os.cpus().length}, ` +
      `onnxruntime-node ${ort.env.versions.common}, ${threads} threads, load average ${loadBefore.load1.toFixed(1)} -> ${loadAfter.load1.toFixed(1)}`,
    'Every figure is read against a reference measured in the same run: on a busy machine, trust the ratios.',
  ];
  console.log([...header, '', table(figures), ...(notes.length ? ['', ...notes] : []), ...figures.filter((f) => f.note).map((f) => `note (${f.name.trim()}): ${f.note}`)].join('\n'));
  if (values.json) {
    const file = path.resolve(values.out ?? path.join(repoRoot, 'bench', 'results.json'));
    const json = {
      quick,
      startedAt: startedAt.toISOString(),
      machine: { cpu: os.cpus()[0]?.model, cpus: os.cpus().length, threads, loadBefore, loadAfter, node: process.version, onnxruntime: ort.env.versions.common },
      model: MODEL,
      int8: INT8,
      figures,
      notes,
    };
    await writeFile(file, JSON.stringify(json, null, 1) + '\n');
    log(`wrote ${file}`);
  }
}

await main();

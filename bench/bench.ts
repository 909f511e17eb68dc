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
// Sections:
//   model    one 512x512 inference of the shipped model with onnxruntime-node on the CPU (median and spread),
//            against the same weights run eagerly in PyTorch (native-models/pconv/bench_reference.py); its FLOP count and the
//            GFLOP/s reached, against the best single-precision matrix product measured on this machine in
//            this run (onnxruntime MatMul, torch and numpy sgemm); the int8 model, if present, against fp32.
//   scale    the model's time at the inference scales the engine uses (256, 512, 1024), against 512.
//   e2e      on a 24-megapixel JPEG (6 MP with --quick) with object holes of about 1% and 10% of the photo:
//            the app's Remove Object (the photo open, its pixels decoded once when it was opened, the painted
//            region sent), split into mask, holes, crop/scale, inference and composite; then `holefill
//            inpaint` file to file (decode, ..., encode), in this process and as a command with its peak
//            resident memory. References: the model's own 512x512 time, and the same on a 512x512 photo.
//            Also a thin wire across the photo, filled in pieces: its cost against the same wire on 512x512.
//   batch    photos per minute through `holefill batch` (about-1024x768 photos, one shared mask), against
//            the same photos run one `holefill inpaint` process at a time.
//   startup  from starting the engine worker to the first result, against the same job once warm.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { DEFAULT_INFER_SIZE, type InferSize } from '../main/contract/engine';
import { DEFAULT_MODEL, EngineClient } from '../main/engine/client';
import { fillAround, loadEnlarger, type Enlarger } from '../main/engine/enlarge';
import { defaultThreads, loadModel, type LoadedModel, type Model } from '../main/engine/model';
import { loadModelInThread, WORKER_SPIN_US } from '../main/engine/model-thread';
import { setUpLibvips } from '../main/engine/image-io';
import { choosePrecision, int8ModelFor } from '../main/engine/precision';
import { forgetPhotoPixels, openPhotoPixels } from '../main/engine/photo-cache';
import { inpaintFile, removeObject, type JobContext } from '../main/engine/pipeline';
import type { Rect } from '../main/contract/app-api';
import { largePhoto, modelTile, objectMask, objectRegion, photoFolder, repoRoot, requireData, wireRegion } from './data';
import { machineLoad, median, runMeasured, spreadOf, table, timeIt, type Figure } from './lib';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    model: { type: 'string' },
    photos: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('npm run bench [-- --quick] [--json [--out FILE]] [--only model,scale,e2e,batch,startup] [--model FILE] [--photos N]');
  process.exit(0);
}

const quick = values.quick!;
const only = new Set((values.only ?? 'model,scale,e2e,batch,startup').split(',').map((s) => s.trim()));
const MODEL = path.resolve(values.model ?? DEFAULT_MODEL);
const INT8 = existsSync(int8ModelFor(MODEL)) ? int8ModelFor(MODEL) : null;
/** What the app and CLI run on this machine's CPU by default (precision auto): the e2e, batch and start-up figures. */
const APP_PRECISION = choosePrecision('auto', MODEL, 'cpu');
const CLI = path.join(repoRoot, 'bin', 'holefill.js');
const INFERENCE_THREAD = path.join(repoRoot, 'main', 'engine', 'inference-thread.ts');
const PYTHON = '/usr/bin/python3';
const threads = defaultThreads();
const figures: Figure[] = [];
const notes: string[] = [];
const add = (f: Figure) => {
  figures.push(f);
  return f;
};
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

const RUNS = quick ? 3 : 11;
const SGEMM = quick ? [2048] : [2048, 4096];

interface ModelResult {
  fp32Ms: number;
  int8Ms: number | null;
  flops: number;
}

interface ReferenceInfo {
  flops: number;
  graph_flops: number;
  layout: string;
  weights: string;
}

/** native-models/pconv/bench_reference.py --serve: PyTorch and numpy measurements, one per request, interleaved with ours. */
async function startReference(args: string[]) {
  const child = spawn(PYTHON, ['-m', 'pconv.bench_reference', ...args, '--serve'], { cwd: path.join(repoRoot, 'native-models'), stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffered = '';
  let exited = false;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buffered += d;
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const exit = new Promise<never>((_, reject) => child.on('close', (code) => ((exited = true), reject(new Error(`pconv.bench_reference exited with ${code}`)))));
  exit.catch(() => {});
  const next = () => Promise.race([new Promise<string>((resolve) => (lines.length ? resolve(lines.shift()!) : waiting.push(resolve))), exit]);
  const ask = async (cmd: string) => {
    child.stdin.write(`${cmd}\n`);
    return JSON.parse(await next()) as { ms?: number; gflops?: number };
  };
  const info = JSON.parse(await next()) as ReferenceInfo;
  return {
    info,
    eager: async () => (await ask('eager')).ms!,
    sgemm: async (kind: 'torch' | 'numpy', n: number) => (await ask(`${kind} ${n}`)).gflops!,
    close: () => {
      if (!exited) child.stdin.end('quit\n');
    },
  };
}

async function sgemmSession(): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path.join(repoRoot, 'bench', 'matmul.onnx'), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
}

function squareMatrices(n: number) {
  const a = new Float32Array(n * n);
  for (let i = 0; i < a.length; i++) a[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
  const t = new ort.Tensor('float32', a, [n, n]);
  return { A: t, B: t };
}

// ---------------------------------------------------------------------------------------------- model
async function benchModel(fp32: LoadedModel, int8: LoadedModel | null): Promise<ModelResult> {
  const section = 'model: one 512x512 inference, CPU';
  const tile = await modelTile(512, 512);
  // The same model as the app's worker holds it: on a thread of its own, idle threads sleeping.
  const worker = await loadModelInThread(INFERENCE_THREAD, { file: MODEL, provider: 'cpu', threads });
  const mm = await sgemmSession();
  const mats = new Map(SGEMM.map((n) => [n, squareMatrices(n)]));
  // Model.run may take the tensors over (the worker's thread does): each run gets its own copy (~1 ms).
  const run = (m: Model) => m.run(tile.image.slice(), tile.mask.slice(), 512, 512);
  // Warm-up, and the int8 model's distance from fp32 on this tile.
  const ref = await run(fp32);
  await run(worker);
  let int8Diff = NaN;
  if (int8) {
    const out = await run(int8);
    int8Diff = 0;
    for (let i = 0; i < ref.length; i++) int8Diff = Math.max(int8Diff, Math.abs(ref[i]! - out[i]!));
  }
  for (const feeds of mats.values()) await mm.run(feeds);

  log('starting the PyTorch reference (native-models/pconv/bench_reference.py)...');
  const reference = await startReference(['--model', MODEL, '--size', '512', '--sgemm', SGEMM.join(','), '--threads', String(threads)]);
  // Every measurement of a round, ours and the references, back to back: a load that comes and goes
  // weighs on all of them alike. PyTorch eager is slow, so it runs in fewer rounds than the rest.
  const eagerRounds = quick ? 2 : 7;
  const t32: number[] = [];
  const t8: number[] = [];
  const tw: number[] = [];
  const eager: number[] = [];
  const gemm = new Map<string, number[]>();
  const push = (k: string, v: number) => gemm.set(k, [...(gemm.get(k) ?? []), v]);
  try {
    for (let i = 0; i < RUNS; i++) {
      t32.push((await timeIt(() => run(fp32))).ms);
      // After the in-process run, its idle onnxruntime threads spin for a while: let them stop first, or they
      // take the cores the worker's session needs (the app has one session, so it never sees that).
      await new Promise((resolve) => setTimeout(resolve, 50));
      tw.push((await timeIt(() => run(worker))).ms);
      if (int8) t8.push((await timeIt(() => run(int8))).ms);
      for (const [n, feeds] of mats) {
        const { ms } = await timeIt(() => mm.run(feeds));
        push(`onnxruntime MatMul ${n}`, (2 * n ** 3) / ms / 1e6);
        push(`torch sgemm ${n}`, await reference.sgemm('torch', n));
        push(`numpy sgemm ${n}`, await reference.sgemm('numpy', n));
      }
      if (i < eagerRounds) eager.push(await reference.eager());
    }
  } finally {
    reference.close();
    await mm.release();
    await worker.release();
  }
  const py = { eager_ms: eager, ...reference.info };

  const ortMs = median(t32);
  const eagerMs = median(py.eager_ms);
  add({
    section,
    name: `onnxruntime fp32 (${path.basename(MODEL)}, ${threads} threads)`,
    value: ortMs,
    unit: 'ms',
    spread: spreadOf(t32),
    reference: { name: `PyTorch eager, same weights, ${threads} threads`, value: eagerMs, unit: 'ms' },
    ratio: eagerMs / ortMs,
    ratioLabel: 'x faster',
    target: '>= 2x',
    met: eagerMs / ortMs >= 2,
    note: `PyTorch weights: ${py.weights}; its runs ${py.eager_ms.map((v) => v.toFixed(0)).join(', ')} ms`,
  });

  add({
    section,
    name: `the app's worker session (a thread of its own, idle threads spin ${WORKER_SPIN_US} us, then sleep)`,
    value: median(tw),
    unit: 'ms',
    spread: spreadOf(tw),
    reference: { name: 'onnxruntime fp32 in this thread, spinning', value: ortMs, unit: 'ms' },
    ratio: median(tw) / ortMs,
    ratioLabel: 'x',
  });

  const ceilings: [string, number][] = [...gemm].map(([name, gfs]) => [name, median(gfs)]);
  ceilings.sort((a, b) => b[1] - a[1]);
  const [ceilingName, ceiling] = ceilings[0]!;
  const gflops = py.flops / 1e9;
  const achieved = gflops / (ortMs / 1000);
  add({ section, name: 'model FLOPs at 512x512 (2 x multiply-adds of its convolutions)', value: gflops, unit: 'GFLOP' });
  add({
    section,
    name: 'onnxruntime fp32 GFLOP/s (model FLOPs / median time)',
    value: achieved,
    unit: 'GFLOP/s',
    reference: { name: `ceiling: ${ceilingName}`, value: ceiling, unit: 'GFLOP/s' },
    ratio: achieved / ceiling,
    ratioLabel: 'of ceiling',
    target: '>= 0.75',
    met: achieved / ceiling >= 0.75,
  });
  if (py.graph_flops < py.flops) {
    const executed = py.graph_flops / 1e9 / (ortMs / 1000);
    add({
      section,
      name: `  the graph's own GFLOP/s (${(py.graph_flops / 1e9).toFixed(1)} GFLOP executed: upsampled pixels skipped)`,
      value: executed,
      unit: 'GFLOP/s',
      reference: { name: `ceiling: ${ceilingName}`, value: ceiling, unit: 'GFLOP/s' },
      ratio: executed / ceiling,
      ratioLabel: 'of ceiling',
    });
  }
  add({ section, name: 'PyTorch eager GFLOP/s', value: gflops / (eagerMs / 1000), unit: 'GFLOP/s', reference: { name: 'ceiling', value: ceiling, unit: 'GFLOP/s' }, ratio: gflops / (eagerMs / 1000) / ceiling, ratioLabel: 'of ceiling' });
  for (const [name, gf] of ceilings) add({ section, name: `sgemm: ${name} (median of ${RUNS})`, value: gf, unit: 'GFLOP/s', spread: spreadOf(gemm.get(name)!) });

  if (int8) {
    const ms8 = median(t8);
    add({
      section,
      name: `onnxruntime int8 (${path.basename(INT8!)})`,
      value: ms8,
      unit: 'ms',
      spread: spreadOf(t8),
      reference: { name: 'onnxruntime fp32', value: ortMs, unit: 'ms' },
      ratio: ortMs / ms8,
      ratioLabel: 'x faster',
      target: '>= 1.7x',
      met: ortMs / ms8 >= 1.7,
      note: `max abs difference from fp32 on this tile: ${int8Diff.toFixed(3)}; offered only after the eval (<= 0.3 dB PSNR per hole bin)`,
    });
  } else {
    notes.push(`No int8 model beside ${path.basename(MODEL)} (native-models/pconv/quantize.py makes one): the int8 figure is skipped.`);
  }
  return { fp32Ms: ortMs, int8Ms: int8 ? median(t8) : null, flops: py.flops };
}

// ---------------------------------------------------------------------------------------------- scale
async function benchScale(fp32: LoadedModel, int8: LoadedModel | null, ref512: number | null): Promise<void> {
  const section = 'scale: the model at each inference size';
  const sizes: [number, number][] = quick ? [[256, 256], [512, 256], [512, 512]] : [[256, 256], [512, 256], [512, 512], [1024, 512], [1024, 1024]];
  const models: [string, LoadedModel][] = [['fp32', fp32], ...(int8 ? [['int8', int8] as [string, LoadedModel]] : [])];
  const runs = quick ? 2 : 5;
  const results = new Map<string, number>();
  for (const [w, h] of sizes) {
    const tile = await modelTile(w, h);
    for (const [label, m] of models) {
      await m.run(tile.image, tile.mask, w, h);
      const ts: number[] = [];
      for (let i = 0; i < runs; i++) ts.push((await timeIt(() => m.run(tile.image, tile.mask, w, h))).ms);
      results.set(`${label} ${w}x${h}`, median(ts));
      const base = label === 'fp32' && ref512 !== null ? ref512 : undefined;
      add({
        section,
        name: `${label} ${w}x${h}`,
        value: median(ts),
        unit: 'ms',
        spread: spreadOf(ts),
        ...(base ? { reference: { name: 'fp32 512x512 (model section)', value: base, unit: 'ms' }, ratio: median(ts) / base, ratioLabel: 'x' } : {}),
        note: `${((median(ts) / (w * h)) * 1e6).toFixed(0)} ms per megapixel`,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------- e2e
interface Breakdown {
  stages: [string, number][];
  inferenceMs: number;
  /** How many times the network ran (one per hole group, or per piece of a long thin one). */
  runs: number;
  /** The network's input size of each run (w x h). */
  sizes: string[];
  totalMs: number;
}

const REMOVE_STAGES: Record<string, string> = {
  decode: 'mask (the painted region) and the kept pixels',
  holes: 'holes (find the hole groups)',
  model: 'crop/scale (cut, resize, tensors, back)',
  patch: 'composite (the patch PNG and its alpha)',
};

const STAGE_NAMES: Record<string, string> = {
  decode: 'decode (header, mask, photo)',
  holes: 'holes (find the hole groups)',
  model: 'crop/scale (cut, resize, tensors, back)',
  patch: 'composite (the patch and its alpha)',
  encode: 'encode (flatten onto the photo, write)',
};

let enlargerLoaded: Promise<Enlarger> | null = null;
const enlarger = () => (enlargerLoaded ??= loadEnlarger(defaultThreads()));

/** One engine call in this process (inpaintFile or removeObject), its stages timed from its own progress
 * reports and the model's runs timed apart. */
async function engineBreakdown(model: LoadedModel, call: (model: Model, ctx: JobContext) => Promise<unknown>): Promise<Breakdown> {
  let inferenceMs = 0;
  let runs = 0;
  const sizes: string[] = [];
  const timed: Model = {
    provider: model.provider,
    async run(image, m, w, h) {
      runs++;
      if (!sizes.includes(`${w}x${h}`)) sizes.push(`${w}x${h}`);
      const t = performance.now();
      const out = await model.run(image, m, w, h);
      inferenceMs += performance.now() - t;
      return out;
    },
    // The network timed alone; the enlargement over the hole (enlarge.ts) counts with the patch it makes.
    async fill(image, m, w, h, place) {
      return fillAround(timed.run, await enlarger(), image, m, w, h, place);
    },
  };
  const marks: [string, number][] = [];
  const started = performance.now();
  await call(timed, {
    progress: (stage) => {
      if (marks.at(-1)?.[0] !== stage) marks.push([stage, performance.now()]);
    },
    throwIfCancelled: () => {},
  });
  const ended = performance.now();
  const stages: [string, number][] = [];
  for (const [i, [stage, t]] of marks.entries()) {
    const next = marks[i + 1]?.[1] ?? ended;
    const prev = stages.find(([s]) => s === stage);
    if (prev) prev[1] += next - t;
    else stages.push([stage, next - t]);
  }
  const modelStage = stages.find(([s]) => s === 'model');
  if (modelStage) modelStage[1] -= inferenceMs;
  stages.splice(stages.findIndex(([s]) => s === 'model') + 1, 0, ['inference', inferenceMs]);
  return { stages, inferenceMs, runs, sizes, totalMs: ended - started };
}

/** `holefill inpaint`'s engine work: the whole photo from its file to a new file. */
const inpaintBreakdown = (model: LoadedModel, photo: string, mask: string, output: string, inferSize: InferSize) =>
  engineBreakdown(model, (m, ctx) =>
    inpaintFile(m, { photo, mask: { kind: 'file', path: mask }, scaleMask: false, inferSize, output, format: 'jpeg', quality: 92, overwrite: true }, ctx),
  );

/** The app's Remove Object: the photo is open (its pixels kept), the painted region is sent, a patch comes back. */
const removeBreakdown = (model: LoadedModel, photo: string, region: { kind: 'pixels'; rect: Rect; channels: 4; data: Buffer } | { kind: 'region'; rect: Rect; data: Buffer }, inferSize: InferSize) =>
  engineBreakdown(model, (m, ctx) => removeObject(m, { photo, layers: [], mask: region, inferSize }, ctx));

function addStages(section: string, runs: Breakdown[], names: Record<string, string>): void {
  for (const stage of runs[0]!.stages.map(([s]) => s)) {
    const ms = median(runs.map((r) => r.stages.find(([s]) => s === stage)?.[1] ?? 0));
    add({ section, name: `${names[stage] ?? stage}`, value: ms, unit: 'ms' });
  }
}

async function benchEndToEnd(model: LoadedModel, ref512: number | null, dir: string): Promise<void> {
  const [W, H] = quick ? [3000, 2000] : [6000, 4000];
  const mp = `${((W * H) / 1e6).toFixed(0)} MP`;
  log(`making a ${mp} JPEG from an eval photo...`);
  const big = await largePhoto(path.join(dir, `photo-${W}x${H}.jpg`), W, H);
  const small = await largePhoto(path.join(dir, 'photo-512x512.jpg'), 512, 512);
  const shares = [0.01, 0.1];
  const runs = quick ? 1 : 5; // the inference alone varies by +-10 ms from run to run: 5 steady the medians
  const overhead = (value: number) =>
    ref512 ? { reference: { name: `the model's own 512x512 (${APP_PRECISION.precision})`, value: ref512, unit: 'ms' }, ratio: value / ref512, ratioLabel: 'x (overhead)' } : {};

  // Opening a photo in the app decodes it once, in the worker, for every Remove Object that follows.
  const opens: number[] = [];
  for (let i = 0; i < runs; i++) {
    forgetPhotoPixels();
    opens.push((await timeIt(() => openPhotoPixels(big))).ms);
  }
  add({ section: `e2e: opening the ${mp} photo in the app`, name: 'decode, kept for Remove Object (once per photo, after its preview)', value: median(opens), unit: 'ms', spread: spreadOf(opens) });
  await openPhotoPixels(small);

  for (const share of shares) {
    const pct = `${Math.round(share * 100)}%`;
    const section = `e2e: Remove Object in the app, ${mp} JPEG open, one painted hole of ${pct} (infer size ${DEFAULT_INFER_SIZE})`;
    const bigRegion = await objectRegion(W, H, share);
    const smallRegion = await objectRegion(512, 512, share);
    await removeBreakdown(model, small, smallRegion, DEFAULT_INFER_SIZE); // warm sharp
    const bigRuns: Breakdown[] = [];
    const smallRuns: Breakdown[] = [];
    const smallRuns512: Breakdown[] = [];
    for (let i = 0; i < runs; i++) {
      bigRuns.push(await removeBreakdown(model, big, bigRegion, DEFAULT_INFER_SIZE));
      smallRuns.push(await removeBreakdown(model, small, smallRegion, DEFAULT_INFER_SIZE));
      smallRuns512.push(await removeBreakdown(model, small, smallRegion, 512));
    }
    addStages(section, bigRuns, REMOVE_STAGES);
    const bigTotal = median(bigRuns.map((r) => r.totalMs));
    add({ section, name: `Remove Object total, ${mp}`, value: bigTotal, unit: 'ms', spread: spreadOf(bigRuns.map((r) => r.totalMs)), ...overhead(bigTotal) });
    const against = (name: string, refName: string, ref: number, note?: string) =>
      add({ section, name, value: bigTotal, unit: 'ms', reference: { name: refName, value: ref, unit: 'ms' }, ratio: bigTotal / ref, ratioLabel: 'x', target: '<= 1.5x', met: bigTotal / ref <= 1.5, ...(note ? { note } : {}) });
    against(
      `Remove Object total, ${mp} vs a 512x512 photo with the same hole share`,
      '512x512 photo, Remove Object total',
      median(smallRuns.map((r) => r.totalMs)),
      `painted region ${bigRegion.rect.width}x${bigRegion.rect.height} px; the 512x512 photo's network ran at ${smallRuns[0]!.sizes.join(', ')}, the ${mp} photo's at ${bigRuns[0]!.sizes.join(', ')}`,
    );
    // 'auto' magnifies a small hole's full-resolution crop 2x (four times the network's work), which the 512x512
    // photo's hole gets and the large photo's (scaled down) does not: the same network size on both is the
    // overhead's own measure.
    against(`Remove Object total, ${mp} vs the 512x512 photo with the network at 512 (as on the ${mp} photo)`, '512x512 photo, infer size 512', median(smallRuns512.map((r) => r.totalMs)));
  }

  // A long thin hole is filled in pieces (main/engine/pieces.ts), one network run each: its cost follows its length.
  {
    const section = `e2e: Remove Object in the app, ${mp} JPEG open, a 12 px wire across it (filled in pieces)`;
    const bigWire = await wireRegion(W, H, 12);
    const smallWire = await wireRegion(512, 512, 12);
    const bigRuns: Breakdown[] = [];
    const smallRuns: Breakdown[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      bigRuns.push(await removeBreakdown(model, big, bigWire, DEFAULT_INFER_SIZE));
      smallRuns.push(await removeBreakdown(model, small, smallWire, DEFAULT_INFER_SIZE));
    }
    const bigTotal = median(bigRuns.map((r) => r.totalMs));
    add({
      section,
      name: `Remove Object total, ${mp}, ${bigRuns[0]!.runs} pieces`,
      value: bigTotal,
      unit: 'ms',
      spread: spreadOf(bigRuns.map((r) => r.totalMs)),
      reference: { name: `the same wire on a 512x512 photo (${smallRuns[0]!.runs} run)`, value: median(smallRuns.map((r) => r.totalMs)), unit: 'ms' },
      ratio: bigTotal / median(smallRuns.map((r) => r.totalMs)),
      ratioLabel: 'x',
      note: `inference ${median(bigRuns.map((r) => r.inferenceMs)).toFixed(0)} ms of it`,
    });
  }

  for (const share of shares) {
    const pct = `${Math.round(share * 100)}%`;
    const section = `e2e: \`holefill inpaint\` file to file, ${mp} JPEG, one hole of ${pct} (it decodes and encodes all ${mp})`;
    const bigMask = await objectMask(path.join(dir, `mask-${W}-${share}.png`), W, H, share);
    const smallMask = await objectMask(path.join(dir, `mask-512-${share}.png`), 512, 512, share);
    await inpaintBreakdown(model, small, smallMask, path.join(dir, 'warm.jpg'), DEFAULT_INFER_SIZE);
    const bigRuns: Breakdown[] = [];
    const smallRuns: Breakdown[] = [];
    for (let i = 0; i < runs; i++) {
      bigRuns.push(await inpaintBreakdown(model, big, bigMask, path.join(dir, 'out-big.jpg'), DEFAULT_INFER_SIZE));
      smallRuns.push(await inpaintBreakdown(model, small, smallMask, path.join(dir, 'out-small.jpg'), DEFAULT_INFER_SIZE));
    }
    addStages(section, bigRuns, STAGE_NAMES);
    const bigTotal = median(bigRuns.map((r) => r.totalMs));
    const smallTotal = median(smallRuns.map((r) => r.totalMs));
    add({ section, name: `engine total, ${mp} (in process, warm)`, value: bigTotal, unit: 'ms', spread: spreadOf(bigRuns.map((r) => r.totalMs)), ...overhead(bigTotal) });
    add({
      section,
      name: `engine total, ${mp} vs a 512x512 photo with the same hole share`,
      value: bigTotal,
      unit: 'ms',
      reference: { name: '512x512 photo, engine total', value: smallTotal, unit: 'ms' },
      ratio: bigTotal / smallTotal,
      ratioLabel: 'x',
    });
    // The command itself: a fresh process (start-up, model load) and its peak memory.
    const cmd = (photo: string, mask: string, out: string) => runMeasured(process.execPath, [CLI, 'inpaint', photo, '--mask', mask, '-o', out, '--overwrite'], { cwd: repoRoot });
    const cliBig = await cmd(big, bigMask, path.join(dir, 'cli-big.jpg'));
    const cliSmall = await cmd(small, smallMask, path.join(dir, 'cli-small.jpg'));
    if (cliBig.code !== 0 || cliSmall.code !== 0) throw new Error(`holefill inpaint failed: ${cliBig.stderr || cliSmall.stderr}`);
    add({
      section,
      name: `\`holefill inpaint\` wall time, ${mp}`,
      value: cliBig.ms,
      unit: 'ms',
      reference: { name: 'the same on the 512x512 photo', value: cliSmall.ms, unit: 'ms' },
      ratio: cliBig.ms / cliSmall.ms,
      ratioLabel: 'x',
    });
    add({
      section,
      name: `peak resident memory, ${mp} (largest process; whole tree ${cliBig.peakTreeMB.toFixed(0)} MB)`,
      value: cliBig.peakProcessMB,
      unit: 'MB',
      reference: { name: '512x512 photo', value: cliSmall.peakProcessMB, unit: 'MB' },
      ratio: cliBig.peakProcessMB / cliSmall.peakProcessMB,
      ratioLabel: 'x',
      target: '< 1536 MB',
      met: cliBig.peakProcessMB < 1536,
    });
  }
  if (!quick) {
    // The inference scale on the large photo's 10% hole: what each choice costs in the app's Remove Object.
    const section = `scale: Remove Object on the ${mp} photo, 10% hole, by infer size`;
    const region = await objectRegion(W, H, 0.1);
    const base = await removeBreakdown(model, big, region, 256);
    for (const size of [256, 512, 1024, 'auto'] as InferSize[]) {
      const r = size === 256 ? base : await removeBreakdown(model, big, region, size);
      add({
        section,
        name: `infer size ${size}: Remove Object total`,
        value: r.totalMs,
        unit: 'ms',
        reference: { name: 'infer size 256', value: base.totalMs, unit: 'ms' },
        ratio: r.totalMs / base.totalMs,
        ratioLabel: 'x',
        note: `inference ${r.inferenceMs.toFixed(0)} ms`,
      });
    }
  }
  forgetPhotoPixels();
}

// ---------------------------------------------------------------------------------------------- batch
async function benchBatch(dir: string): Promise<void> {
  const n = values.photos ? Math.max(2, Number(values.photos)) : quick ? 4 : 100;
  const singles = quick ? 2 : n;
  const section = `batch: ${n} photos of 1024x768, one shared mask (5% hole)`;
  log(`making ${n} photos...`);
  const input = path.join(dir, 'batch-in');
  const photos = await photoFolder(input, n);
  const mask = await objectMask(path.join(dir, 'batch-mask.png'), 1024, 768, 0.05);
  const out = path.join(dir, 'batch-out');
  const batch = await runMeasured(process.execPath, [CLI, 'batch', input, '--mask', mask, '-o', out], { cwd: repoRoot });
  if (batch.code !== 0) throw new Error(`holefill batch failed: ${batch.stderr}`);
  const perMinute = n / (batch.ms / 60000);
  const singleTimes: number[] = [];
  for (const photo of photos.slice(0, singles)) {
    const r = await runMeasured(process.execPath, [CLI, 'inpaint', photo, '--mask', mask, '-o', path.join(dir, 'single.jpg'), '--overwrite'], { cwd: repoRoot });
    if (r.code !== 0) throw new Error(`holefill inpaint failed: ${r.stderr}`);
    singleTimes.push(r.ms);
  }
  const singlePerMinute = singles / (singleTimes.reduce((a, b) => a + b, 0) / 60000);
  add({
    section,
    name: '`holefill batch` throughput',
    value: perMinute,
    unit: 'photos/min',
    reference: { name: `one \`holefill inpaint\` process per photo (${singles} photos)`, value: singlePerMinute, unit: 'photos/min' },
    ratio: perMinute / singlePerMinute,
    ratioLabel: 'x',
    note: `batch wall time ${(batch.ms / 1000).toFixed(1)} s, peak memory ${batch.peakProcessMB.toFixed(0)} MB`,
  });
  add({ section, name: '`holefill batch` peak resident memory (largest process)', value: batch.peakProcessMB, unit: 'MB' });
}

// ---------------------------------------------------------------------------------------------- startup
async function benchStartup(dir: string): Promise<void> {
  const section = 'startup: engine worker start to first result';
  const photo = await largePhoto(path.join(dir, 'startup.jpg'), 1024, 768, 5);
  const mask = await objectMask(path.join(dir, 'startup-mask.png'), 1024, 768, 0.05);
  const runs = quick ? 1 : 3;
  const ready: number[] = [];
  const first: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const engine = new EngineClient({ provider: 'cpu' });
    try {
      const started = performance.now();
      await engine.info();
      ready.push(performance.now() - started);
      const job = () => engine.inpaintFile({ photo, mask, output: path.join(dir, 'startup-out.jpg'), overwrite: true });
      await job();
      first.push(performance.now() - started);
      warm.push((await timeIt(job)).ms);
    } finally {
      await engine.close();
    }
  }
  add({ section, name: 'worker start to model loaded (ready)', value: median(ready), unit: 'ms', spread: spreadOf(ready) });
  add({
    section,
    name: 'worker start to first result (1024x768 photo, 5% hole)',
    value: median(first),
    unit: 'ms',
    spread: spreadOf(first),
    reference: { name: 'the same job once warm', value: median(warm), unit: 'ms' },
    ratio: median(first) / median(warm),
    ratioLabel: 'x',
  });
}

// ---------------------------------------------------------------------------------------------- main
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
      const inThread = await loadModelInThread(INFERENCE_THREAD, { file: appFile, provider: 'cpu', threads });
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

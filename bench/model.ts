// The model section: one 512x512 inference of the shipped model with onnxruntime-node on the CPU (median and
// spread), against the same weights run eagerly in PyTorch (native-models/pconv/bench_reference.py); its FLOP count
// and the GFLOP/s reached, against the best single-precision matrix product measured on this machine in this run
// (onnxruntime MatMul, torch and numpy sgemm); the int8 model, if present, against fp32.
import { spawn } from 'node:child_process';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadInProcessEngine, type LoadedModel, type Model } from '../main/engine';
import { modelTile, repoRoot } from './data';
import { median, spreadOf, timeIt } from './lib';
import { add, INT8, log, MODEL, notes, quick, threads } from './run';

const { loadModelInThread, WORKER_SPIN_US, WORKER_THREAD_ENTRY } = await loadInProcessEngine();

const PYTHON = '/usr/bin/python3';
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

export async function benchModel(fp32: LoadedModel, int8: LoadedModel | null): Promise<ModelResult> {
  const section = 'model: one 512x512 inference, CPU';
  const tile = await modelTile(512, 512);
  // The same model as the app's worker holds it: on a thread of its own, idle threads sleeping.
  const worker = await loadModelInThread(WORKER_THREAD_ENTRY, { file: MODEL, provider: 'cpu', threads });
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

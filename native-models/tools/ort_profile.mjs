// Where onnxruntime-node spends a model's time, per operator type and per node:
//   node ort_profile.mjs MODEL [SIZE=512] [THREADS=2] [RUNS=3] [TOP=25]
// Runs SIZE x SIZE inferences with onnxruntime's profiler on (the CPU provider, the engine's session options)
// and prints each run's time, the operator types by total time, and the TOP slowest nodes.
// Node names ending in _nchwc are convolutions in onnxruntime's blocked layout; ReorderInput/ReorderOutput
// convert to and from it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

const [model, size = '512', threads = '2', runs = '3', top = '25'] = process.argv.slice(2);
if (!model) {
  console.error('usage: node ort_profile.mjs MODEL [SIZE] [THREADS] [RUNS] [TOP]');
  process.exit(2);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'ort-profile-'));
const session = await ort.InferenceSession.create(model, {
  executionProviders: ['cpu'],
  intraOpNumThreads: +threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  enableProfiling: true,
  profileFilePrefix: path.join(dir, 'profile'),
});
const S = +size;
const image = new Float32Array(3 * S * S).map((_, i) => (i % 255) / 255);
const mask = new Float32Array(S * S).map((_, i) => (i % 97 < 10 ? 0 : 1));
const feeds = { image: new ort.Tensor('float32', image, [1, 3, S, S]), mask: new ort.Tensor('float32', mask, [1, 1, S, S]) };
for (let i = 0; i < +runs; i++) await session.run(feeds);
session.endProfiling();
const file = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.json')));
const events = JSON.parse(readFileSync(file, 'utf8'));
rmSync(dir, { recursive: true, force: true });
const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
const byOp = new Map();
const byNode = new Map();
let total = 0;
for (const e of nodes) {
  byOp.set(e.args.op_name, (byOp.get(e.args.op_name) ?? 0) + e.dur);
  byNode.set(e.name.replace(/_kernel_time$/, ''), (byNode.get(e.name.replace(/_kernel_time$/, '')) ?? 0) + e.dur);
  total += e.dur;
}
console.log('runs (ms):', events.filter((e) => e.name === 'model_run').map((e) => (e.dur / 1000).toFixed(0)).join(', '), '(the first includes warm-up)');
for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1])) console.log(`${op.padEnd(26)} ${(us / +runs / 1000).toFixed(1).padStart(7)} ms/run ${((100 * us) / total).toFixed(1).padStart(5)}%`);
console.log('');
for (const [name, us] of [...byNode].sort((a, b) => b[1] - a[1]).slice(0, +top)) console.log(`${name.padEnd(60)} ${(us / +runs / 1000).toFixed(1).padStart(7)} ms/run`);

// Times several models on the same input, their runs interleaved (a busy machine slows them alike):
//   node ort_compare.mjs MODEL... [--size 512] [--runs 9] [--threads 2]
// Prints each model's median and fastest run, and its largest output difference from the first model.
import * as ort from 'onnxruntime-node';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : fallback;
};
const S = opt('size', 512);
const runs = opt('runs', 9);
const threads = opt('threads', 2);
const image = new Float32Array(3 * S * S).map((_, i) => (i % 255) / 255);
const mask = new Float32Array(S * S).map((_, i) => (i % 97 < 10 ? 0 : 1));
const feeds = { image: new ort.Tensor('float32', image, [1, 3, S, S]), mask: new ort.Tensor('float32', mask, [1, 1, S, S]) };
const options = { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
const sessions = [];
for (const model of args) sessions.push(await ort.InferenceSession.create(model, options));
const outputs = [];
for (const s of sessions) outputs.push((await s.run(feeds)).output.data);
const times = sessions.map(() => []);
for (let i = 0; i < runs; i++) {
  for (const [k, s] of sessions.entries()) {
    const t = performance.now();
    await s.run(feeds);
    times[k].push(performance.now() - t);
  }
}
const median = (x) => [...x].sort((a, b) => a - b)[x.length >> 1];
for (const [k, model] of args.entries()) {
  let diff = 0;
  for (let i = 0; i < outputs[0].length; i++) diff = Math.max(diff, Math.abs(outputs[0][i] - outputs[k][i]));
  console.log(`${model.padEnd(50)} median ${median(times[k]).toFixed(0)} ms, fastest ${Math.min(...times[k]).toFixed(0)} ms, max |diff| vs the first ${diff.toExponential(2)}`);
}

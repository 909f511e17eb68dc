// Runs an ONNX model with onnxruntime-node (the runtime the app uses) for a Python caller that sends
// many inputs through one process (native-models/pconv/ort.py; Debian has no onnxruntime for Python):
//   node ort_serve.mjs MODEL [--threads N] [--level all|extended|basic|disabled] [--outputs a,b]
// stdin and stdout carry frames: a uint32 (little-endian) header length, the header as JSON, then the
// payload bytes the header describes. A request's header:
//   {"feeds": {"image": {"shape": [1,3,H,W], "bytes": n}, ...}, "stats": 0 | K}
// with the feeds' float32 data in its payload, in that order. The answer's header:
//   {"outputs": {"output": {"shape": [...], "bytes": n, "min": x, "max": y}, ...}, "ms": run time}
// and the outputs' float32 data as payload. With "stats": K (calibration), each output is replaced by
// at most K evenly strided samples of it (min and max are still over all of it).
// An empty header ({}) ends the process. Errors are answered as {"error": "..."}.
import * as ort from 'onnxruntime-node';

const args = process.argv.slice(2);
const modelPath = args[0];
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const threads = Number(option('threads', '2'));
const level = option('level', 'all');
const wanted = option('outputs', '');

const session = await ort.InferenceSession.create(modelPath, {
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: level,
});
const outputNames = wanted ? wanted.split(',') : session.outputNames;

let pending = Buffer.alloc(0);
let busy = Promise.resolve();

function frame(header, payloads) {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  return Buffer.concat([len, json, ...payloads]);
}

async function answer(header, payload) {
  const feeds = {};
  let offset = 0;
  for (const [name, { shape, bytes }] of Object.entries(header.feeds)) {
    const copy = new Float32Array(bytes / 4);
    new Uint8Array(copy.buffer).set(payload.subarray(offset, offset + bytes));
    feeds[name] = new ort.Tensor('float32', copy, shape);
    offset += bytes;
  }
  const started = performance.now();
  const results = await session.run(feeds, outputNames);
  const ms = performance.now() - started;
  const outputs = {};
  const payloads = [];
  for (const name of outputNames) {
    const t = results[name];
    let data = t.data;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (header.stats) {
      const step = Math.max(1, Math.floor(data.length / header.stats));
      const sample = new Float32Array(Math.ceil(data.length / step));
      for (let i = 0, j = 0; i < data.length; i += step, j++) sample[j] = data[i];
      data = sample;
    }
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    outputs[name] = { shape: header.stats ? [data.length] : t.dims, bytes: bytes.length, min, max };
    payloads.push(bytes);
  }
  process.stdout.write(frame({ outputs, ms }, payloads));
}

function pump() {
  for (;;) {
    if (pending.length < 4) return;
    const headerLength = pending.readUInt32LE(0);
    if (pending.length < 4 + headerLength) return;
    const header = JSON.parse(pending.subarray(4, 4 + headerLength).toString('utf8'));
    if (!header.feeds) {
      busy.then(() => process.exit(0));
      return;
    }
    const payloadLength = Object.values(header.feeds).reduce((n, f) => n + f.bytes, 0);
    if (pending.length < 4 + headerLength + payloadLength) return;
    const payload = Buffer.from(pending.subarray(4 + headerLength, 4 + headerLength + payloadLength));
    pending = pending.subarray(4 + headerLength + payloadLength);
    busy = busy.then(() => answer(header, payload)).catch((err) => process.stdout.write(frame({ error: String(err?.message ?? err) }, [])));
  }
}

process.stdin.on('data', (chunk) => {
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  pump();
});
process.stdin.on('end', () => busy.then(() => process.exit(0)));

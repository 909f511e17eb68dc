// Runs an ONNX model with onnxruntime-node (the runtime the app uses) on tensors given as JSON:
//   node ort_run.mjs MODEL IN.json OUT.json
// IN.json: {"name": {"shape": [...], "data": base64 float32 little-endian}, ...}; OUT.json likewise.
import { readFileSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [modelPath, inPath, outPath] = process.argv.slice(2);
const inputs = JSON.parse(readFileSync(inPath, 'utf8'));
const feeds = {};
for (const [name, { shape, data }] of Object.entries(inputs)) {
  const buf = Buffer.from(data, 'base64');
  feeds[name] = new ort.Tensor('float32', new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4), shape);
}
const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
const results = await session.run(feeds);
const out = {};
for (const [name, t] of Object.entries(results)) {
  const d = t.data;
  out[name] = { shape: t.dims, data: Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('base64') };
}
writeFileSync(outPath, JSON.stringify(out));

// Dump nsfwjs's Keras MobileNetV2 (topology + dequantized float32 weights) for PyTorch.
// Usage: node native-models/tools/dump_nsfwjs.cjs [out.bin]
// Format: uint32 LE header length | JSON header {layers, weights:[{name, shape, offset}]}
//         | zero padding to a multiple of 4 | float32 LE blob (offset/count in elements).
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const out = path.resolve(process.argv[2] || path.join(root, 'native-models/runs/features/mobilenet_v2.bin'));
// require.resolve('nsfwjs') -> <pkg>/dist/cjs/index.js; the model bundles live in <pkg>/dist/models/.
const dir = path.join(path.dirname(require.resolve('nsfwjs', { paths: [root] })), '../models/mobilenet_v2/');

const { modelTopology, weightsManifest } = require(dir + 'model.min.js');
// The shard module exports base64 text; nsfwjs decodes it with Buffer.from(s, 'base64').
const bytes = Buffer.from(require(dir + 'group1-shard1of1.min.js'), 'base64');

const specs = weightsManifest.flatMap((g) => g.weights);
const total = specs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
if (total !== bytes.length) throw new Error(`expected ${total} uint8 weights, got ${bytes.length} bytes`);

// Same arithmetic as tfjs-core io_utils.decodeWeights: float32(byte * scale + min).
const values = new Float32Array(total);
const weights = [];
let off = 0;
for (const w of specs) {
  const q = w.quantization;
  if (!q || q.dtype !== 'uint8') throw new Error(`unsupported quantization for ${w.name}`);
  const n = w.shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) values[off + i] = bytes[off + i] * q.scale + q.min;
  weights.push({ name: w.name, shape: w.shape, offset: off });
  off += n;
}

let header = Buffer.from(JSON.stringify({ layers: modelTopology.model_config.config.layers, weights }));
header = Buffer.concat([header, Buffer.alloc((4 - ((4 + header.length) % 4)) % 4, 0x20)]);
const len = Buffer.alloc(4);
len.writeUInt32LE(header.length);
fs.mkdirSync(path.dirname(out), { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
fs.writeFileSync(tmp, Buffer.concat([len, header, Buffer.from(values.buffer)]));
fs.renameSync(tmp, out); // atomic: a half-written dump is never picked up
console.log(`wrote ${out}: ${specs.length} tensors, ${total} floats`);

// Writes the graph onnxruntime-node makes of a model at a given optimization level:
//   node ort_optimize.mjs MODEL OUT.onnx [basic|extended|all]
// 'basic' is portable ONNX (constant folding: e.g. the exported graph's weight folding and fp16 casts
// done once, so every Conv has a plain float32 weight initializer): quantize.py starts from it.
// 'all' is specific to this machine's CPU (NCHWc layouts), for looking at what actually runs.
import * as ort from 'onnxruntime-node';

const [model, out, level = 'basic'] = process.argv.slice(2);
if (!model || !out) {
  console.error('usage: node ort_optimize.mjs MODEL OUT.onnx [basic|extended|all]');
  process.exit(2);
}
const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: level, optimizedModelFilePath: out, logSeverityLevel: 3 });
await session.release();

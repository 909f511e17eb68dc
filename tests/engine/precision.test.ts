// Which model runs: fp32 unless int8 is asked for (its rounding shows on flat backgrounds: precision.ts); int8 asked
// for is honoured whenever its file exists, with a note on a CPU without fast int8.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choosePrecision, int8ModelFor, int8Support } from '../../main/engine/model/precision';

const vnni = { fast: true, reason: 'this CPU has VNNI' };
const noVnni = { fast: false, reason: 'this CPU has no VNNI' };
const both = () => true;

test('auto: fp32 on every provider and CPU, even where the int8 model exists and the CPU has VNNI', () => {
  const fp32 = { precision: 'fp32', model: '/m/pconv-unet.onnx', note: null };
  assert.deepEqual(choosePrecision('auto', '/m/pconv-unet.onnx', 'cpu', vnni, both), fp32);
  assert.deepEqual(choosePrecision('auto', '/m/pconv-unet.onnx', 'cuda', vnni, both), fp32);
  assert.deepEqual(choosePrecision('auto', '/m/pconv-unet.onnx', 'cpu', noVnni, both), fp32);
});

test('explicit choices: fp32 always, int8 whenever the int8 model exists (even where auto would not pick it)', () => {
  assert.deepEqual(choosePrecision('fp32', '/m/pconv-unet.onnx', 'cpu', vnni, both), { precision: 'fp32', model: '/m/pconv-unet.onnx', note: null });
  assert.deepEqual(choosePrecision('int8', '/m/pconv-unet.onnx', 'cpu', vnni, both), { precision: 'int8', model: '/m/pconv-unet.int8.onnx', note: null });
  const old = choosePrecision('int8', '/m/pconv-unet.onnx', 'cpu', noVnni, both);
  assert.deepEqual([old.precision, old.note], ['int8', 'int8 as asked, but this CPU has no VNNI.']);
  const missing = choosePrecision('int8', '/m/custom.onnx', 'cpu', vnni, (f) => !f.endsWith('.int8.onnx'));
  assert.deepEqual([missing.precision, missing.model], ['fp32', '/m/custom.onnx']);
  assert.match(missing.note ?? '', /No int8 model \(custom\.int8\.onnx\) beside custom\.onnx: using fp32/);
  assert.equal(int8ModelFor('/m/pconv-unet.int8.onnx'), '/m/pconv-unet.int8.onnx', 'an int8 model given as the model stays itself');
});

test('int8 support from the CPU flags: VNNI on x64, dot products on ARM; unknown means fp32', () => {
  const cpuinfo = (flags: string) => () => `processor : 0\nflags : fpu sse2 ${flags}\n`;
  assert.equal(int8Support('linux', 'x64', cpuinfo('avx2 avx512f avx512_vnni')).fast, true);
  assert.equal(int8Support('linux', 'x64', cpuinfo('avx2 avx_vnni')).fast, true);
  assert.equal(int8Support('linux', 'x64', cpuinfo('avx2 avx512f')).fast, false, 'AVX-512 without VNNI saturates u8s8');
  assert.equal(int8Support('linux', 'arm64', () => 'Features : fp asimd asimddp').fast, true);
  assert.equal(int8Support('linux', 'arm64', () => 'Features : fp asimd').fast, false);
  assert.equal(int8Support('darwin', 'arm64', () => null).fast, true, 'every Apple Silicon CPU has dot products');
  const windows = int8Support('win32', 'x64', () => null);
  assert.equal(windows.fast, false);
  assert.match(windows.reason, /cannot be confirmed.*choose int8/);
});

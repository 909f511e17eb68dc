// Which arithmetic the model runs in. `auto` is fp32 everywhere (since session 15). The int8 model
// (pconv-unet.int8.onnx beside the fp32 one, from native-models/pconv/quantize.py: static QDQ, u8 activations x s8
// weights) is 1.3x faster on this project's VNNI CPU and within 0.03 dB PSNR in every eval bin, but its rounding shows
// where a fill must be exact: on val/photos' object removals through the engine (`pconv.objects`, 375 holes) int8
// left 4.0 % of sticks and 1.3 % of watermark texts more than 3 dB below the better classical fill, fp32 none, and
// on flat patches 8.0 % against 4.0 % (native-models/README.md, Object removals). So int8 runs only when asked for;
// without int8 dot products (x64 before VNNI) onnxruntime's u8s8 kernels can saturate, and the choice says so.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Precision } from '../../contract/app-api';
import type { ProviderName } from './providers';

export type ResolvedPrecision = Exclude<Precision, 'auto'>;

export interface Int8Support {
  fast: boolean;
  /** What was found, in words a person can act on. */
  reason: string;
}

/** Whether this CPU has the int8 dot products the int8 model needs to be fast and exact. */
export function int8Support(platform = process.platform, arch = process.arch, cpuinfo = readCpuinfo): Int8Support {
  if (arch === 'arm64') return { fast: platform !== 'linux' || /\basimddp\b/.test(cpuinfo() ?? ''), reason: 'ARM dot-product instructions' };
  if (arch !== 'x64') return { fast: false, reason: `no int8 kernels tuned for ${arch}` };
  const flags = platform === 'linux' ? cpuinfo() : null;
  if (flags === null) return { fast: false, reason: 'this CPU\'s VNNI support cannot be confirmed here; choose int8 if it has AVX512-VNNI or AVX-VNNI' };
  return /\b(avx512_vnni|avx_vnni)\b/.test(flags)
    ? { fast: true, reason: 'this CPU has VNNI' }
    : { fast: false, reason: 'this CPU has no VNNI (int8 would be slower or lose accuracy)' };
}

function readCpuinfo(): string | null {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return null;
  }
}

/** `<model>.int8.onnx` beside the fp32 model. */
export function int8ModelFor(fp32Model: string): string {
  return path.resolve(fp32Model).replace(/(\.int8)?\.onnx$/i, '') + '.int8.onnx';
}

export interface PrecisionChoice {
  precision: ResolvedPrecision;
  model: string;
  /** Why the model runs in another precision than asked (or, for auto, why fp32), when it does. */
  note: string | null;
}

/**
 * The model to load. `auto` and `fp32`: the fp32 model. `int8`: the int8 model whenever its file exists, with a
 * note where the CPU lacks fast int8.
 */
export function choosePrecision(
  requested: Precision,
  fp32Model: string,
  provider: ProviderName,
  support: Int8Support = int8Support(),
  exists: (file: string) => boolean = existsSync,
): PrecisionChoice {
  const fp32 = path.resolve(fp32Model);
  if (requested !== 'int8') return { precision: 'fp32', model: fp32, note: null };
  const int8 = int8ModelFor(fp32);
  if (!exists(int8)) {
    return { precision: 'fp32', model: fp32, note: `No int8 model (${path.basename(int8)}) beside ${path.basename(fp32)}: using fp32.` };
  }
  const slow = provider === 'cpu' && !support.fast;
  return { precision: 'int8', model: int8, note: slow ? `int8 as asked, but ${support.reason}.` : null };
}

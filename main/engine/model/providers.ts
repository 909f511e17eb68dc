// Which onnxruntime execution provider to run on: CUDA on Linux x64 (when its library is installed),
// DirectML on Windows, CoreML on macOS, and always CPU as the fallback.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Provider } from '../../contract/app-api';

export type ProviderName = Exclude<Provider, 'auto'>;

const LABELS: Record<ProviderName, string> = { cpu: 'CPU', cuda: 'CUDA', dml: 'DirectML', coreml: 'CoreML' };
export const providerLabel = (p: ProviderName) => LABELS[p];

/** onnxruntime-node's CUDA provider is not in its npm package: `npm run install-cuda` fetches it (README). */
function cudaInstalled(): boolean {
  try {
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    return existsSync(path.join(path.dirname(pkg), 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/** The providers this build can try on this platform, best first; CPU is always last. */
export function availableProviders(platform = process.platform, arch = process.arch): ProviderName[] {
  const gpu: ProviderName[] = [];
  if (platform === 'linux' && arch === 'x64' && cudaInstalled()) gpu.push('cuda');
  if (platform === 'win32') gpu.push('dml');
  if (platform === 'darwin') gpu.push('coreml');
  return [...gpu, 'cpu'];
}

function whyUnavailable(p: ProviderName): string {
  switch (p) {
    case 'cuda':
      return process.platform === 'linux' && process.arch === 'x64'
        ? 'CUDA support is not installed (npm run install-cuda)'
        : 'CUDA is only supported on Linux x64';
    case 'dml':
      return 'DirectML is only available on Windows';
    case 'coreml':
      return 'CoreML is only available on macOS';
    case 'cpu':
      return '';
  }
}

export interface ProviderPlan {
  /** Providers to try, in order: the session is created with the first that works. */
  attempts: ProviderName[];
  /** Why the request cannot be honoured as asked, when it cannot (null: it can, as far as we know). */
  note: string | null;
}

/** What to try for a request: `auto` means the best available; an absent provider falls back to CPU. */
export function planProviders(requested: Provider, available = availableProviders()): ProviderPlan {
  if (requested === 'auto') return { attempts: available, note: null };
  if (available.includes(requested)) return { attempts: requested === 'cpu' ? ['cpu'] : [requested, 'cpu'], note: null };
  return { attempts: ['cpu'], note: `${providerLabel(requested)} was requested but ${whyUnavailable(requested)}; using CPU.` };
}

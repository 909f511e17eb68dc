// What "automatic" threads mean on this machine: the engine's default (session.ts) and the Settings
// dialog's label (AppInfo.autoThreads). Here, not in session.ts, because that module loads onnxruntime-node,
// which stays out of the main process.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The machine's logical cores (hyper-threads included): the most threads worth offering. */
export const logicalCores = (): number => availableParallelism();

/** What threads = 0 resolves to in the engine: one per physical core. */
export function autoThreads(): number {
  try {
    const cores = new Set<string>();
    let physical = '0';
    for (const line of readFileSync('/proc/cpuinfo', 'utf8').split('\n')) {
      const [key, value] = line.split(':').map((s) => s.trim());
      if (key === 'physical id') physical = value ?? '0';
      else if (key === 'core id') cores.add(`${physical}:${value}`);
    }
    if (cores.size > 0) return Math.min(cores.size, availableParallelism());
  } catch {
    // not Linux: fall through
  }
  return availableParallelism();
}

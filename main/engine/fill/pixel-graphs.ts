// The engine's small pixel graphs (mask-ops.ts, texture.ts: exported from native-models/pconv/graphs), started on first
// use and kept for the process. onnxruntime is loaded then too: the modules that use them are also imported where
// no model runs (the main process, the CLI's info).
import type * as Ort from 'onnxruntime-node';
import { EngineError } from '../errors';
import { autoThreads } from '../model/cpu-cores';

/** One pixel graph's session: CPU, threaded; beside a running network (the batch overlaps photos) an idle thread
 * sleeps rather than spin. */
export async function pixelGraphSession(ort: typeof Ort, graph: Uint8Array): Promise<Ort.InferenceSession> {
  return ort.InferenceSession.create(graph, {
    executionProviders: ['cpu'],
    intraOpNumThreads: autoThreads(),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
}

/** The first line of what went wrong, for a message the person reads. */
export const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();

/**
 * Graphs started by `create` on first use and kept; a start that failed is not kept (the next job tries again) and
 * becomes `failed`'s EngineError. Tests swap in a loader that fails (`setLoader`; no argument restores `create`).
 */
export function lazyGraphs<T>(create: () => Promise<T>, failed: (err: unknown) => EngineError) {
  let load = create;
  let loading: Promise<T> | null = null;
  return {
    get(): Promise<T> {
      loading ??= load().catch((err: unknown) => {
        loading = null;
        throw failed(err);
      });
      return loading;
    },
    setLoader(loader: () => Promise<T> = create): void {
      load = loader;
      loading = null;
    },
  };
}

// The worker process's model on a worker thread of its own. onnxruntime-node's session.run is synchronous: it
// holds the calling thread's event loop for the whole inference. On the worker's main thread that would stall every
// other job in flight: its libvips work runs in libuv's pool, but each next step (and each progress message)
// waits for the event loop. On its own thread, the session runs while the worker's main thread keeps the
// other job's decode and encode moving. The thread is one session: callers take turns (shared-model.ts).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Provider } from '../../contract/app-api';
import type { EngineFailure } from '../../contract/engine';
import { asEngineError, EngineError } from '../errors';
import type { Placement } from '../fill/enlarge';
import { loadModel, type LoadedModel } from './session';

interface ThreadData {
  role: 'holefill-inference';
  file: string;
  provider: Provider;
  threads: number;
}

interface ModelFacts {
  provider: LoadedModel['provider'];
  fallback: string | null;
  bytes: number;
  inputs: string[];
  outputs: string[];
}

/** A run; with `place`, a fill (Model.fill): the answer is then the enlarged 8-bit hole, not the prediction. */
type ToThread = { type: 'run'; id: number; image: Float32Array; mask: Float32Array; width: number; height: number; place?: Placement };
type FromThread =
  | { type: 'loaded'; facts: ModelFacts }
  | { type: 'load-failed'; error: EngineFailure }
  | { type: 'result'; id: number; output: Float32Array | Uint8Array }
  | { type: 'error'; id: number; error: EngineFailure };

/**
 * Loads the model on a new thread running `entry` (WORKER_THREAD_ENTRY, or the built engine-inference.js);
 * rejects like loadModel. `onLost` is called if the thread dies later: pending and later runs then fail.
 */
export function loadModelInThread(
  entry: string,
  settings: { file: string; provider: Provider; threads: number },
  onLost: (err: EngineError) => void = () => {},
): Promise<LoadedModel> {
  const data: ThreadData = { role: 'holefill-inference', ...settings };
  const thread = startThread(entry, data);
  const runs = new Map<number, { resolve(output: Float32Array | Uint8Array): void; reject(err: EngineError): void }>();
  let nextId = 0;
  let lost: EngineError | null = null;
  let released = false;

  const request = (message: ToThread) => {
    if (lost) return Promise.reject(lost);
    return new Promise<Float32Array | Uint8Array>((resolve, reject) => {
      runs.set(message.id, { resolve, reject });
      try {
        // The caller gives the tensors up (Model.run): handed over without a copy.
        thread.postMessage(message, [message.image, message.mask].filter(ownsBuffer).map((a) => a.buffer as ArrayBuffer));
      } catch {
        thread.postMessage(message); // a buffer that cannot be handed over is copied instead
      }
    });
  };

  return new Promise<LoadedModel>((resolve, reject) => {
    let loaded = false;
    const stop = (err: EngineError) => {
      if (lost || released) return;
      lost = err;
      for (const run of runs.values()) run.reject(err);
      runs.clear();
      if (loaded) onLost(err);
      else reject(err);
    };
    thread.on('error', (err) => stop(new EngineError('failed', `The inference thread failed: ${err.message}`)));
    thread.on('exit', (code) => stop(new EngineError('failed', `The inference thread stopped (exit code ${code}).`)));
    thread.on('message', (message: FromThread) => {
      switch (message.type) {
        case 'loaded': {
          loaded = true;
          const facts = message.facts;
          return resolve({
            ...facts,
            run: (image, mask, width, height) => request({ type: 'run', id: nextId++, image, mask, width, height }) as Promise<Float32Array>,
            fill: async (image, mask, width, height, place) => {
              const rgb = (await request({ type: 'run', id: nextId++, image, mask, width, height, place })) as Uint8Array;
              return Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength);
            },
            release: async () => {
              released = true;
              for (const run of runs.values()) run.reject(new EngineError('cancelled', 'The model was released.'));
              runs.clear();
              await thread.terminate();
            },
          });
        }
        case 'load-failed':
          released = true; // its exit is expected
          void thread.terminate();
          return reject(EngineError.from(message.error));
        case 'result':
        case 'error': {
          const run = runs.get(message.id);
          runs.delete(message.id);
          if (message.type === 'result') run?.resolve(message.output);
          else run?.reject(EngineError.from(message.error));
          return;
        }
      }
    });
  });
}

/** Only a view of a whole buffer can be transferred without taking anything else with it. */
const ownsBuffer = (a: Float32Array | Uint8Array) => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer;

/** A .ts entry (development, tests) runs through tsx, which a worker thread has to register for itself. */
function startThread(entry: string, data: ThreadData): Worker {
  if (!entry.endsWith('.ts')) return new Worker(entry, { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(pathToFileURL(entry).href)}); })`;
  return new Worker(source, { eval: true, workerData: data });
}

/** The thread's entry file, as TypeScript (development, tests, the bench); the app runs the built engine-inference.js. */
export const WORKER_THREAD_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker-thread-entry.ts');

/** How long the worker's idle onnxruntime threads spin before they sleep (session.ts LoadOptions): long enough to
 * bridge the gaps between one inference's operators, short enough that an idle worker sleeps at once. */
export const WORKER_SPIN_US = 1000;

/** The thread's side: load the model, then answer runs one by one. Called by the thread's entry file. */
export function serveInference(): void {
  const data = workerData as ThreadData | undefined;
  if (isMainThread || !parentPort || data?.role !== 'holefill-inference') {
    throw new Error('main/engine/model/worker-thread-entry.ts is started by loadModelInThread (worker-thread.ts).');
  }
  const port = parentPort;
  const send = (message: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  loadModel(data.file, data.provider, data.threads, { spinMicroseconds: WORKER_SPIN_US }).then(
    (model) => {
      const { provider, fallback, bytes } = model;
      send({ type: 'loaded', facts: { provider, fallback, bytes, inputs: [...model.inputs], outputs: [...model.outputs] } });
      port.on('message', (request: ToThread) => {
        const { image, mask, width, height, place } = request;
        (place ? model.fill(image, mask, width, height, place) : model.run(image, mask, width, height))
          .then((output) => {
            const result: FromThread = { type: 'result', id: request.id, output };
            try {
              send(result, ownsBuffer(output) ? [output.buffer as ArrayBuffer] : []);
            } catch {
              send(result); // a buffer that cannot be handed over (one onnxruntime keeps) is copied instead
            }
          })
          .catch((err: unknown) => send({ type: 'error', id: request.id, error: asEngineError(err).toFailure() }));
      });
    },
    (err: unknown) => send({ type: 'load-failed', error: asEngineError(err).toFailure() }),
  );
}

// The PConv network behind a small interface: an onnxruntime session created once and reused.
// The graph's contract (native-models/pconv/export.py): image [N,3,H,W] RGB in [0,1], mask [N,1,H,W] with
// 1 = known and 0 = hole, output [N,3,H,W] in [0,1]; H and W multiples of 256.
import { stat } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import type { Provider } from '../../contract/app-api';
import { EngineError } from '../errors';
import { fillAround, loadEnlarger, type Enlarger, type Placement } from '../fill/enlarge';
import { autoThreads } from './cpu-cores';
import { planProviders, providerLabel, type ProviderName } from './providers';

export interface Model {
  /** The execution provider the session runs on. */
  readonly provider: ProviderName;
  /**
   * image: CHW RGB in [0,1]; mask: HW, 1 = known, 0 = hole. Returns the CHW prediction in [0,1]. The caller
   * gives image and mask up: the worker's model hands their buffers to its inference thread (detaching them).
   */
  run(image: Float32Array, mask: Float32Array, width: number, height: number): Promise<Float32Array>;
  /**
   * run, then the prediction enlarged to its crop's pixels over `place.region` only (enlarge.ts): 8-bit RGB,
   * HWC. Done beside the network, so the caller's thread only waits.
   */
  fill(image: Float32Array, mask: Float32Array, width: number, height: number, place: Placement): Promise<Buffer>;
}

export interface LoadedModel extends Model {
  /** Why the requested provider is not the one in use, when it is not. */
  readonly fallback: string | null;
  readonly bytes: number;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  release(): Promise<void>;
}

const INPUTS = ['image', 'mask'];
const OUTPUT = 'output';

/**
 * onnxruntime's intra-op threads when none are asked for: one per physical core (hyper-threads share a
 * core's vector units, so a second thread per core only adds contention to the convolutions).
 */
export const defaultThreads = autoThreads;

export interface LoadOptions {
  /**
   * How long onnxruntime's idle intra-op threads spin-wait for the next operator before they sleep, in
   * microseconds (onnxruntime's default when absent; 0: they never spin). Within one inference the next operator
   * comes in microseconds, so a short spin keeps the threads awake through it (sleeping between operators cost the
   * worker 1.75x the network's time); after the inference they sleep within it, so an idle worker stays quiet and
   * the jobs decoding and encoding beside it keep their cores.
   */
  spinMicroseconds?: number;
  /** Loads the enlargement graph (enlarge.ts); a test puts one that fails in its place. */
  loadEnlarger?: (threads: number) => Promise<Enlarger>;
}

/** Loads the model; a missing or invalid file is a clear 'model-unavailable' error naming it. */
export async function loadModel(file: string, requested: Provider = 'auto', threads = 0, options: LoadOptions = {}): Promise<LoadedModel> {
  let bytes: number;
  try {
    bytes = (await stat(file)).size;
  } catch {
    throw new EngineError('model-unavailable', `The model file ${file} does not exist.`);
  }
  const plan = planProviders(requested);
  const notes = plan.note ? [plan.note] : [];
  for (const provider of plan.attempts) {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(file, {
        executionProviders: [provider],
        intraOpNumThreads: threads > 0 ? threads : defaultThreads(),
        interOpNumThreads: 1,
        executionMode: 'sequential', // one job at a time; parallel mode only adds inter-op overhead here
        graphOptimizationLevel: 'all',
        ...(options.spinMicroseconds === undefined ? {} : { extra: { session: { intra_op: spinning(options.spinMicroseconds) } } }),
      });
    } catch (err) {
      const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
      if (provider === 'cpu') throw new EngineError('model-unavailable', `The model file ${file} is not a valid model: ${detail}`);
      notes.push(`${providerLabel(provider)} could not start (${detail}); using CPU.`);
      continue;
    }
    checkSignature(session, file);
    let enlarger: Awaited<ReturnType<typeof loadEnlarger>>;
    try {
      enlarger = await (options.loadEnlarger ?? loadEnlarger)(threads > 0 ? threads : defaultThreads());
    } catch (err) {
      await session.release();
      const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new EngineError('model-unavailable', `onnxruntime could not start the engine's enlargement step: ${detail}`);
    }
    return wrap(session, enlarger, provider, notes.join(' ') || null, bytes);
  }
  throw new EngineError('model-unavailable', `No execution provider could load ${file}.`);
}

const spinning = (us: number) => (us > 0 ? { allow_spinning: '1', spin_duration_us: String(Math.round(us)) } : { allow_spinning: '0' });

function checkSignature(session: ort.InferenceSession, file: string): void {
  const inputs = [...session.inputNames].sort();
  if (inputs.join() !== [...INPUTS].sort().join() || !session.outputNames.includes(OUTPUT)) {
    throw new EngineError(
      'model-unavailable',
      `The model file ${file} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; ` +
        `Holefill needs inputs [image, mask] and an output "output".`,
    );
  }
}

function wrap(session: ort.InferenceSession, enlarger: Enlarger, provider: ProviderName, fallback: string | null, bytes: number): LoadedModel {
  const model: LoadedModel = {
    provider,
    fallback,
    bytes,
    inputs: session.inputNames,
    outputs: session.outputNames,
    async run(image, mask, width, height) {
      const feeds = {
        image: new ort.Tensor('float32', image, [1, 3, height, width]),
        mask: new ort.Tensor('float32', mask, [1, 1, height, width]),
      };
      const result = await session.run(feeds);
      const out = result[OUTPUT]!;
      const data = out.data as Float32Array;
      for (const t of Object.values(result)) if (t !== out) t.dispose();
      return data;
    },
    fill: (image, mask, width, height, place) => fillAround(model.run, enlarger, image, mask, width, height, place),
    release: async () => {
      await Promise.all([session.release(), enlarger.release()]);
    },
  };
  return model;
}

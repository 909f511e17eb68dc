// The engine's worker process: a child process (CLI, tests, web host) or an Electron utilityProcess (the app).
// It owns ONE onnxruntime session, created at 'init' on a worker thread of its own (model/worker-thread.ts) and
// reused for every job. Jobs start as they arrive (the client sends JOBS_IN_FLIGHT at a time: client.ts), so that
// one job's decode and encode overlap another's inference; the inference itself takes turns on the session
// (model/shared-model.ts). Every message in is checked against contract/engine.ts; what it sends, the client checks.
//
// HOLEFILL_ENGINE_TRACE=1 in its environment makes it write a line to stderr at each job's stages and at the
// start and end of each inference: "holefill-trace <ms> <job id> <event>", <ms> from one clock (the worker's).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeIssues, ToWorker, type EngineInfo, type FromWorker, type Job, type JobResult, type WorkerSettings } from '../../contract/engine';
import { asEngineError, EngineError } from '../errors';
import { flattenToFile } from '../fill/composite';
import { warmPhotoPixels } from '../fill/photo-cache';
import { inpaintFile, removeObject, type JobContext } from '../fill/pipeline';
import { setUpLibvips } from '../images/decode';
import { makePreview } from '../images/preview';
import { choosePrecision } from '../model/precision';
import { availableProviders, planProviders } from '../model/providers';
import { serialModel, type SerialModel } from '../model/shared-model';
import { WORKER_THREAD_ENTRY, loadModelInThread } from '../model/worker-thread';

interface Port {
  send(message: FromWorker): void;
  onMessage(listener: (data: unknown) => void): void;
}

/** Electron's utilityProcess gives process.parentPort; a forked child has process.send. */
function connect(): Port {
  const parentPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) {
    return { send: (m) => parentPort.postMessage(m), onMessage: (fn) => parentPort.on('message', (event) => fn(event.data)) };
  }
  if (process.send) {
    process.on('disconnect', () => process.exit(0)); // the client went away: nothing left to serve
    return { send: (m) => void process.send!(m), onMessage: (fn) => process.on('message', fn) };
  }
  throw new Error('main/engine/worker-process/entry.ts is started by the engine client (a forked child or a utilityProcess).');
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const port = connect();
setUpLibvips();

/** The model's worker thread's entry: as TypeScript in development; beside the built engine-worker.js, as built JavaScript. */
const here = path.dirname(fileURLToPath(import.meta.url));
const INFERENCE_ENTRY = import.meta.url.endsWith('.ts') ? WORKER_THREAD_ENTRY : path.join(here, 'engine-inference.js');

const tracing = process.env.HOLEFILL_ENGINE_TRACE === '1';
const trace = (id: string, event: string) => {
  if (tracing) process.stderr.write(`holefill-trace ${performance.now().toFixed(2)} ${id} ${event}\n`);
};

let model: SerialModel | null = null;
let modelError: EngineError | null = null;
const running = new Set<string>(); // ids of the jobs running now
const cancelled = new Set<string>();

const send = (message: FromWorker) => port.send(message);

port.onMessage((data) => {
  const parsed = ToWorker.safeParse(data);
  if (!parsed.success) {
    const id = (data as { id?: unknown })?.id;
    send({
      type: 'rejected',
      id: typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : null,
      error: { code: 'invalid-request', message: `Malformed message to the engine worker: ${describeIssues(parsed.error)}` },
    });
    return;
  }
  const message = parsed.data;
  if (message.type === 'init') void init(message.settings);
  else if (message.type === 'cancel') {
    // Only jobs we hold: a cancel that crossed its job's answer is moot.
    if (running.has(message.id)) cancelled.add(message.id);
  } else {
    start(message.id, message.job);
  }
});

async function init(settings: WorkerSettings): Promise<void> {
  try {
    // The precision's note follows the provider the session is meant to run on (int8 pays on the CPU only).
    let chosen = choosePrecision(settings.precision, settings.modelPath, planProviders(settings.provider).attempts[0] ?? 'cpu');
    const load = (file: string) =>
      loadModelInThread(INFERENCE_ENTRY, { file, provider: settings.provider, threads: settings.threads }, (err) => {
        // The session is gone with its thread: end the process, so that the client fails the jobs in flight as
        // 'worker-crashed' and starts a fresh worker for the next ones.
        process.stderr.write(`${err.message}\n`);
        process.exit(70);
      });
    let loaded;
    try {
      loaded = await load(chosen.model);
    } catch (err) {
      // A damaged int8 twin must not cost the person Remove Object: the fp32 model runs instead, and says why.
      if (chosen.precision !== 'int8') throw err;
      const why = asEngineError(err).message;
      chosen = { precision: 'fp32', model: settings.modelPath, note: `The int8 model could not be loaded (${why}); using fp32.` };
      loaded = await load(chosen.model);
    }
    model = serialModel(loaded);
    const info: EngineInfo = {
      provider: loaded.provider,
      providers: availableProviders(),
      requested: settings.provider,
      fallback: loaded.fallback,
      model: chosen.model,
      modelBytes: loaded.bytes,
      inputs: [...loaded.inputs],
      outputs: [...loaded.outputs],
      threads: settings.threads,
      precision: chosen.precision,
      precisionNote: chosen.note,
      pid: process.pid,
    };
    send({ type: 'ready', info });
  } catch (err) {
    // Stay up: previews and exports need no model, so the app can still open and save photos.
    modelError = asEngineError(err);
    send({ type: 'init-failed', error: modelError.toFailure() });
  }
}

/** Starts a job as it arrives: how many run at once is the client's to decide (client.ts, JOBS_IN_FLIGHT). */
function start(id: string, job: Job): void {
  running.add(id);
  void runOne(id, job).finally(() => {
    running.delete(id);
    cancelled.delete(id);
  });
}

/** One job, settled by exactly one answer; whatever it throws is its own failure, not its neighbour's. */
async function runOne(id: string, job: Job): Promise<void> {
  const ctx: JobContext = {
    progress: (stage, fraction, hole) => {
      trace(id, stage);
      send({ type: 'progress', id, stage, fraction, ...(hole ? { hole } : {}) });
    },
    throwIfCancelled: () => {
      if (cancelled.has(id)) throw new EngineError('cancelled', 'Cancelled.');
    },
  };
  trace(id, 'start');
  try {
    ctx.throwIfCancelled();
    const result = await runJob(id, job, ctx);
    trace(id, 'done');
    send({ type: 'done', id, result });
  } catch (err) {
    trace(id, 'failed');
    send({ type: 'failed', id, error: asEngineError(err).toFailure() });
  }
}

/** The job's view of the shared model: its runs wait their turn, and a job cancelled meanwhile does not run. */
function modelFor(id: string, ctx: JobContext) {
  if (!model) throw modelError ?? new EngineError('model-unavailable', 'The model is still loading.');
  return model.forJob({
    beforeRun: () => {
      ctx.throwIfCancelled();
      trace(id, 'infer');
    },
    afterRun: () => trace(id, 'infer-end'),
  });
}

async function runJob(id: string, job: Job, ctx: JobContext): Promise<JobResult> {
  const started = performance.now();
  const timing = (provider: string) => ({ provider, elapsedMs: Math.round(performance.now() - started) });
  switch (job.kind) {
    case 'preview': {
      const preview = await makePreview(job.photo, job.maxSide);
      // A preview means the photo is being opened: decode it now, so its first Remove Object need not wait.
      warmPhotoPixels(job.photo);
      return { kind: 'preview', ...preview };
    }
    case 'removeObject': {
      const view = modelFor(id, ctx);
      const fill = await removeObject(view, job, ctx);
      return { kind: 'removeObject', rect: fill.rect, patch: fill.patch, holes: fill.holes, ...timing(view.provider) };
    }
    case 'inpaintFile': {
      const view = modelFor(id, ctx);
      const done = await inpaintFile(view, job, ctx);
      return { kind: 'inpaintFile', output: job.output, ...done, ...timing(view.provider) };
    }
    case 'export': {
      const protect = job.allowOverwritePhoto ? [] : [job.photo];
      await flattenToFile(job.photo, job.layers, job.output, { format: job.format, quality: job.quality, overwrite: job.overwrite, protect });
      return { kind: 'export', output: job.output };
    }
  }
}

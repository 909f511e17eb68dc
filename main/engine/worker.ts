// The inference worker: a child process (CLI, tests, web host) or an Electron utilityProcess (the app).
// It owns ONE onnxruntime session, created at 'init' and reused for every job, and runs jobs one at a
// time in arrival order. Every message in is checked against contract/engine.ts, and so is every message out.
import sharp from 'sharp';
import { describeIssues, FromWorker, ToWorker, type EngineInfo, type Job, type JobResult, type WorkerSettings } from '../contract/engine';
import { asEngineError, EngineError } from './errors';
import { flattenToFile } from './flatten';
import { makePreview } from './image-io';
import { loadModel, type LoadedModel } from './model';
import { inpaintFile, removeObject, type JobContext } from './pipeline';
import { availableProviders } from './providers';

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
  throw new Error('main/engine/worker.ts is started by the engine client (a forked child or a utilityProcess).');
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const port = connect();
sharp.cache(false); // one job at a time on ever-different files: a cache only holds memory

let model: LoadedModel | null = null;
let modelError: EngineError | null = null;
const queue: { id: string; job: Job }[] = [];
const cancelled = new Set<string>();
let running = false;

/** Everything sent is checked too: a bug here shows up as an error, not as a confused client. */
function send(message: FromWorker): void {
  const checked = FromWorker.safeParse(message);
  if (checked.success) return port.send(checked.data);
  const id = 'id' in message ? message.id : null;
  const error = { code: 'failed' as const, message: `The engine worker produced an invalid message: ${describeIssues(checked.error)}` };
  port.send(id ? { type: 'failed', id, error } : { type: 'rejected', id: null, error });
}

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
  else if (message.type === 'cancel') cancelled.add(message.id);
  else {
    queue.push({ id: message.id, job: message.job });
    void drain();
  }
});

async function init(settings: WorkerSettings): Promise<void> {
  try {
    model = await loadModel(settings.modelPath, settings.provider, settings.threads);
    const info: EngineInfo = {
      provider: model.provider,
      providers: availableProviders(),
      requested: settings.provider,
      fallback: model.fallback,
      model: settings.modelPath,
      modelBytes: model.bytes,
      inputs: [...model.inputs],
      outputs: [...model.outputs],
      threads: settings.threads,
      pid: process.pid,
    };
    send({ type: 'ready', info });
  } catch (err) {
    // Stay up: previews and exports need no model, so the app can still open and save photos.
    modelError = asEngineError(err);
    send({ type: 'init-failed', error: modelError.toFailure() });
  }
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  while (queue.length) {
    const { id, job } = queue.shift()!;
    const ctx: JobContext = {
      progress: (stage, fraction) => send({ type: 'progress', id, stage, fraction }),
      throwIfCancelled: () => {
        if (cancelled.has(id)) throw new EngineError('cancelled', 'Cancelled.');
      },
    };
    try {
      ctx.throwIfCancelled();
      send({ type: 'done', id, result: await runJob(job, ctx) });
    } catch (err) {
      send({ type: 'failed', id, error: asEngineError(err).toFailure() });
    } finally {
      cancelled.delete(id);
    }
  }
  running = false;
}

function requireModel(): LoadedModel {
  if (model) return model;
  throw modelError ?? new EngineError('model-unavailable', 'The model is still loading.');
}

async function runJob(job: Job, ctx: JobContext): Promise<JobResult> {
  const started = performance.now();
  const timing = () => ({ provider: requireModel().provider, elapsedMs: Math.round(performance.now() - started) });
  switch (job.kind) {
    case 'preview':
      return { kind: 'preview', ...(await makePreview(job.photo, job.maxSide)) };
    case 'removeObject': {
      const fill = await removeObject(requireModel(), job, ctx);
      return { kind: 'removeObject', rect: fill.rect, patch: fill.patch, holes: fill.holes, ...timing() };
    }
    case 'inpaintFile': {
      const done = await inpaintFile(requireModel(), job, ctx);
      return { kind: 'inpaintFile', output: job.output, ...done, ...timing() };
    }
    case 'export': {
      const protect = job.allowOverwritePhoto ? [] : [job.photo];
      await flattenToFile(job.photo, job.layers, job.output, { format: job.format, quality: job.quality, overwrite: job.overwrite, protect });
      return { kind: 'export', output: job.output };
    }
  }
}

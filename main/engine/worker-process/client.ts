// Starts the engine's worker process and talks to it. Jobs wait in a queue here and go to the worker in order,
// JOBS_IN_FLIGHT at a time: the one place that number is enforced (the worker runs what it is sent, and a batch
// keeps as many photos started as jobsInFlight says). If the worker dies, every job it was running fails with
// 'worker-crashed' and the next job starts a fresh worker. How the worker is started is a WorkerSpawner
// (spawner.ts): a forked Node child by default (CLI, tests, web host); the Electron app passes its own.
// Messages are checked against the contract where they arrive: the worker checks what it is sent, and this
// client what the worker answers.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutputFormat, Patch, Precision, Provider } from '../../contract/app-api';
import {
  DEFAULT_INFER_SIZE,
  DEFAULT_TEXTURE,
  describeIssues,
  FromWorker,
  type EngineInfo,
  type InferSize,
  type Texture,
  type JobKind,
  type JobOf,
  type MaskInput,
  type ProgressDetail,
  type ResultOf,
  type ToWorker,
  type WorkerSettings,
} from '../../contract/engine';
import { EngineError } from '../errors';
import { DEFAULT_QUALITY, formatFromPath } from '../images/encode';
import { childProcessSpawner, WORKER_ENTRY, type WorkerHandle, type WorkerSpawner } from './spawner';

/**
 * How many jobs the client keeps in the worker at once (and so how many photos a batch keeps in flight). Two,
 * because the machines Holefill runs on have 2+ cores and a job is two kinds of work: inference (onnxruntime, all
 * the cores it is given) and decode/encode/compositing (libvips, JPEG's codec on one core). With two jobs, one's
 * codec work fills the cores while the other's inference waits for or holds the session (model/shared-model.ts);
 * a third would only add a full decoded photo to memory (the inference is serialized, so it could not start
 * sooner). Memory stays bounded: at most this many full photos are decoded at any time.
 */
export const JOBS_IN_FLIGHT = 2;

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_MODEL = path.resolve(here, '../../../native-models/pconv-unet.onnx');

export interface EngineOptions {
  modelPath?: string;
  provider?: Provider;
  /** onnxruntime's intra-op threads; 0 = one per physical core. */
  threads?: number;
  /** auto (default), fp32 or int8: the worker loads the int8 model beside modelPath (model/precision.ts). */
  precision?: Precision;
  /** The model's working size for every job that does not say; see InferSize. */
  inferSize?: InferSize;
  /** The texture for every job that does not say; see Texture. */
  texture?: Texture;
  spawner?: WorkerSpawner;
  log?: (line: string) => void;
}

export interface JobOptions {
  /** To cancel with cancel(jobId); one is made up otherwise. */
  jobId?: string;
  signal?: AbortSignal;
  /** `hole`: while filling, which hole group of how many. */
  onProgress?: (stage: string, fraction: number, hole?: ProgressDetail) => void;
}

interface Worker {
  handle: WorkerHandle;
  /** Settles when the worker has loaded the model (its info) or failed to (the error). */
  ready: Promise<EngineInfo>;
  settle: { resolve(info: EngineInfo): void; reject(err: EngineError): void };
  modelError: EngineError | null;
  exited: boolean;
}

interface Pending {
  id: string;
  message: Extract<ToWorker, { type: 'job' }>;
  options: JobOptions;
  resolve(result: unknown): void;
  reject(err: EngineError): void;
  worker: Worker | null;
  /** Handed to the worker (a cancel then has to go there too). */
  sent: boolean;
}

const NEEDS_MODEL: ReadonlySet<JobKind> = new Set(['removeObject', 'inpaintFile']);

export class EngineClient {
  #settings: WorkerSettings;
  readonly #spawner: WorkerSpawner;
  readonly #log: (line: string) => void;
  readonly #inferSize: InferSize;
  readonly #texture: Texture;
  #worker: Worker | null = null;
  #queue: Pending[] = [];
  /** Taken from the queue, on (or waiting for) a worker: at most JOBS_IN_FLIGHT, oldest first. */
  #inFlight: Pending[] = [];
  #closed = false;
  #restartWhenIdle = false;
  /** How many jobs it keeps in the worker at once: JOBS_IN_FLIGHT. */
  readonly jobsInFlight: number = JOBS_IN_FLIGHT;
  /** How many workers this client has started (1 + restarts after crashes or settings changes). */
  workersStarted = 0;
  /** How many jobs the workers have answered, successfully or not. */
  jobsAnswered = 0;

  constructor(options: EngineOptions = {}) {
    this.#log = options.log ?? (() => {});
    this.#settings = {
      modelPath: path.resolve(options.modelPath ?? DEFAULT_MODEL),
      precision: options.precision ?? 'auto',
      provider: options.provider ?? 'auto',
      threads: options.threads ?? 0,
    };
    this.#spawner = options.spawner ?? childProcessSpawner(WORKER_ENTRY, this.#log);
    this.#inferSize = options.inferSize ?? DEFAULT_INFER_SIZE;
    this.#texture = options.texture ?? DEFAULT_TEXTURE;
  }

  /** Starts the worker if needed; rejects with 'model-unavailable' when the model cannot be loaded. */
  info(): Promise<EngineInfo> {
    if (this.#closed) return Promise.reject(new EngineError('cancelled', 'The engine is closed.'));
    return this.#ensureWorker().ready;
  }

  /** The precision asked for (what is in use: info().precision). */
  get precision(): Precision {
    return this.#settings.precision;
  }

  /** The worker's process id (undefined until one is started). */
  get workerPid(): number | undefined {
    return this.#worker?.handle.pid;
  }

  /** New provider, threads or precision: the worker restarts with them once the jobs in flight are done. */
  async configure(settings: { provider: Provider; threads: number; precision: Precision }): Promise<EngineInfo> {
    const next = { ...this.#settings, ...settings };
    if (next.provider !== this.#settings.provider || next.threads !== this.#settings.threads || next.precision !== this.#settings.precision) {
      this.#settings = next;
      this.#restartWhenIdle = true;
      if (!this.#inFlight.length) this.#retireWorker();
    }
    return this.info();
  }

  preview(photo: string, maxSide: number, options?: JobOptions): Promise<ResultOf<'preview'>> {
    return this.run({ kind: 'preview', photo, maxSide }, options);
  }

  /** The patch that fills `mask` (PNG bytes or a file) in photo + layers. */
  removeObject(
    req: { photo: string; layers: readonly Patch[]; mask: Uint8Array | MaskInput; inferSize?: InferSize; texture?: Texture },
    options?: JobOptions,
  ): Promise<ResultOf<'removeObject'>> {
    const mask = req.mask instanceof Uint8Array ? { kind: 'bytes' as const, data: req.mask } : req.mask;
    return this.run({ kind: 'removeObject', photo: req.photo, layers: [...req.layers], mask, inferSize: req.inferSize ?? this.#inferSize, texture: req.texture ?? this.#texture }, options);
  }

  /** Fills and writes the whole photo; the output's defaults are writeDefaults'. */
  async inpaintFile(
    req: {
      photo: string;
      mask: string | MaskInput;
      output: string;
      format?: OutputFormat;
      quality?: number;
      overwrite?: boolean;
      scaleMask?: boolean;
      inferSize?: InferSize;
      texture?: Texture;
    },
    options?: JobOptions,
  ): Promise<ResultOf<'inpaintFile'>> {
    return this.run(
      {
        kind: 'inpaintFile',
        photo: req.photo,
        mask: typeof req.mask === 'string' ? { kind: 'file', path: req.mask } : req.mask,
        ...writeDefaults(req),
        scaleMask: req.scaleMask ?? false,
        inferSize: req.inferSize ?? this.#inferSize,
        texture: req.texture ?? this.#texture,
      },
      options,
    );
  }

  /** Flattens photo + layers at full resolution into `output`, atomically; the output's defaults are writeDefaults'. */
  async exportImage(
    req: { photo: string; layers: readonly Patch[]; output: string; format?: OutputFormat; quality?: number; overwrite?: boolean; allowOverwritePhoto?: boolean },
    options?: JobOptions,
  ): Promise<ResultOf<'export'>> {
    return this.run(
      {
        kind: 'export',
        photo: req.photo,
        layers: [...req.layers],
        ...writeDefaults(req),
        allowOverwritePhoto: req.allowOverwritePhoto ?? false,
      },
      options,
    );
  }

  /** Queues a job; the worker checks it against the contract when it arrives ('invalid-request' if it does not match). */
  run<K extends JobKind>(job: JobOf<K>, options: JobOptions = {}): Promise<ResultOf<K>> {
    if (this.#closed) return Promise.reject(new EngineError('cancelled', 'The engine is closed.'));
    const id = options.jobId ?? randomUUID();
    if (options.signal?.aborted) return Promise.reject(cancelledError());
    return new Promise<ResultOf<K>>((resolve, reject) => {
      // Detached when the job settles: a batch shares one signal across many jobs.
      const onAbort = () => this.cancel(id);
      const detach = () => options.signal?.removeEventListener('abort', onAbort);
      this.#queue.push({
        id,
        message: { type: 'job', id, job },
        options,
        worker: null,
        sent: false,
        resolve: (result) => (detach(), resolve(result as ResultOf<K>)),
        reject: (err) => (detach(), reject(err)),
      });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#pump();
    });
  }

  /** Cancels a queued job at once, a running one at the worker's next checkpoint. */
  cancel(jobId: string): boolean {
    const queued = this.#queue.findIndex((p) => p.id === jobId);
    if (queued >= 0) {
      const [pending] = this.#queue.splice(queued, 1);
      pending!.reject(cancelledError());
      return true;
    }
    const running = this.#inFlight.find((p) => p.id === jobId);
    if (!running) return false;
    if (!running.sent) {
      this.#settle(running, cancelledError()); // still waiting for its worker to be ready
      return true;
    }
    if (running.worker && !running.worker.exited) {
      this.#send(running.worker, { type: 'cancel', id: jobId });
      return true;
    }
    return false;
  }

  /** Fails what is queued or running and stops the worker. */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = () => new EngineError('cancelled', 'The engine was closed.');
    for (const pending of this.#queue.splice(0)) pending.reject(closed());
    for (const pending of this.#inFlight.splice(0)) pending.reject(closed());
    this.#retireWorker();
  }

  #ensureWorker(): Worker {
    if (this.#worker && !this.#worker.exited) return this.#worker;
    let settle!: Worker['settle'];
    const ready = new Promise<EngineInfo>((resolve, reject) => (settle = { resolve, reject }));
    ready.catch(() => {}); // a model error is reported to each job that needs the model
    const worker: Worker = { handle: undefined as unknown as WorkerHandle, ready, settle, modelError: null, exited: false };
    worker.handle = this.#spawner({ message: (data) => this.#onMessage(worker, data), exit: (code, signal) => this.#onExit(worker, code, signal) });
    this.#worker = worker;
    this.workersStarted++;
    // Alive until the model is loaded (info() may be all a caller awaits); idle after that.
    worker.handle.keepAlive?.(true);
    ready.then(() => !this.#inFlight.length && worker.handle.keepAlive?.(false), () => {});
    this.#send(worker, { type: 'init', settings: this.#settings });
    return worker;
  }

  #retireWorker(): void {
    const worker = this.#worker;
    this.#worker = null;
    this.#restartWhenIdle = false;
    if (worker && !worker.exited) {
      worker.exited = true; // its exit is expected: no job of ours is on it
      worker.settle.reject(new EngineError('cancelled', 'The engine worker was stopped.'));
      worker.handle.kill();
    }
  }

  /** Sends a message; what cannot be sent (a job whose data cannot be copied to another process) is returned. */
  #send(worker: Worker, message: ToWorker): Error | null {
    try {
      worker.handle.send(message);
      return null;
    } catch (err) {
      this.#log(`could not reach the engine worker: ${err instanceof Error ? err.message : err}`);
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  /** Hands queued jobs to the worker, oldest first, while fewer than JOBS_IN_FLIGHT are on it. */
  #pump(): void {
    if (this.#closed) return;
    if (this.#restartWhenIdle) {
      if (this.#inFlight.length) return; // the old worker finishes its jobs first; the new one takes the rest
      this.#retireWorker();
    }
    while (this.#inFlight.length < this.jobsInFlight && this.#queue.length) {
      const pending = this.#queue.shift()!;
      const worker = this.#ensureWorker();
      worker.handle.keepAlive?.(true);
      pending.worker = worker;
      this.#inFlight.push(pending);
      void this.#dispatch(pending, worker);
    }
  }

  /** Sends the job once its worker is ready (jobs waiting on the same worker keep their order). */
  async #dispatch(pending: Pending, worker: Worker): Promise<void> {
    try {
      await worker.ready;
    } catch (err) {
      worker.modelError = err instanceof EngineError ? err : new EngineError('failed', String(err));
    }
    if (!this.#inFlight.includes(pending)) return; // settled meanwhile (cancelled, closed, the worker died while starting)
    if (worker.modelError && NEEDS_MODEL.has(pending.message.job.kind)) return this.#settle(pending, worker.modelError);
    if (worker.exited) return this.#settle(pending, crashError(pending, null, null));
    pending.sent = true;
    const unsent = this.#send(worker, pending.message);
    if (unsent) this.#settle(pending, new EngineError('invalid-request', `The job could not be sent to the engine worker: ${unsent.message}`));
  }

  #settle(pending: Pending, error: EngineError | null, result?: unknown): void {
    const at = this.#inFlight.indexOf(pending);
    if (at >= 0) this.#inFlight.splice(at, 1);
    if (error) pending.reject(error);
    else pending.resolve(result);
    this.#pump();
    if (!this.#inFlight.length) this.#worker?.handle.keepAlive?.(false);
  }

  #onMessage(worker: Worker, data: unknown): void {
    const parsed = FromWorker.safeParse(data);
    const onWorker = this.#inFlight.filter((p) => p.worker === worker);
    const job = (id: unknown) => onWorker.find((p) => p.id === id);
    if (!parsed.success) {
      const error = new EngineError('failed', `The engine worker sent a malformed message: ${describeIssues(parsed.error)}`);
      this.#log(error.message);
      // The job it names, if it names one of ours; otherwise no answer can be trusted: all of that worker's.
      const named = job((data as { id?: unknown } | null)?.id);
      for (const pending of named ? [named] : onWorker) this.#settle(pending, error);
      if (!named) worker.settle.reject(error); // an unreadable 'ready' must not leave info() waiting forever
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        return worker.settle.resolve(message.info);
      case 'init-failed':
        return worker.settle.reject(EngineError.from(message.error));
      case 'rejected': {
        this.#log(message.error.message);
        const named = message.id === null ? null : job(message.id);
        for (const pending of named ? [named] : message.id === null ? onWorker : []) this.#settle(pending, EngineError.from(message.error));
        return;
      }
      case 'progress':
        return job(message.id)?.options.onProgress?.(message.stage, message.fraction, message.hole);
      case 'done':
      case 'failed': {
        const pending = job(message.id);
        if (!pending) return this.#log(`ignoring an answer for job ${message.id}, which is not running`);
        this.jobsAnswered++;
        if (message.type === 'failed') return this.#settle(pending, EngineError.from(message.error));
        if (message.result.kind !== pending.message.job.kind) {
          return this.#settle(pending, new EngineError('failed', `The engine worker answered a ${pending.message.job.kind} job with a ${message.result.kind} result.`));
        }
        return this.#settle(pending, null, message.result);
      }
    }
  }

  #onExit(worker: Worker, code: number | null, signal: string | null): void {
    const expected = worker.exited;
    worker.exited = true;
    if (this.#worker === worker) this.#worker = null;
    if (expected) return;
    this.#log(`the engine worker stopped (${signal ?? `exit code ${code}`})`);
    worker.settle.reject(new EngineError('worker-crashed', `The engine worker stopped while starting (${signal ?? `exit code ${code}`}).`));
    // Every job on it fails, all before the next ones start (on a fresh worker).
    const lost = this.#inFlight.filter((p) => p.worker === worker);
    this.#inFlight = this.#inFlight.filter((p) => p.worker !== worker);
    for (const pending of lost) pending.reject(crashError(pending, code, signal));
    this.#pump();
    if (!this.#inFlight.length) this.#worker?.handle.keepAlive?.(false);
  }
}

function crashError(pending: Pending, code: number | null, signal: string | null): EngineError {
  const job = pending.message.job;
  const what = 'photo' in job ? ` on ${path.basename(job.photo)}` : '';
  const how = signal ? `killed by ${signal}` : code === null ? 'stopped' : `exit code ${code}`;
  return new EngineError(
    'worker-crashed',
    `The engine worker stopped unexpectedly (${how}) while working${what}; the jobs it was running failed, and the next one starts a fresh worker.`,
  );
}

const cancelledError = () => new EngineError('cancelled', 'Cancelled.');

/** The defaults of every job that writes a file, in one place: the format its name asks for, DEFAULT_QUALITY, and
 * an existing file left alone. */
function writeDefaults(req: { output: string; format?: OutputFormat; quality?: number; overwrite?: boolean }) {
  return { output: req.output, format: req.format ?? requireFormat(req.output), quality: req.quality ?? DEFAULT_QUALITY, overwrite: req.overwrite ?? false };
}

function requireFormat(output: string): OutputFormat {
  const format = formatFromPath(output);
  if (!format) {
    throw new EngineError('invalid-request', `Cannot tell the output format from ${path.basename(output)}: use .png, .jpg, .jpeg, .webp, .tif or .tiff.`);
  }
  return format;
}

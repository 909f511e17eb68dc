// The engine's public entry. Hosts (the app's main process, the web host, the CLI) and the batch runner run jobs
// through EngineClient, in a worker process of its own; nothing imported here loads onnxruntime or decodes an image.
// What that worker process runs in itself (the model, the fill, images) is for measuring it in one process (the
// bench): loadInProcessEngine() loads it when asked.
export type { OutputFormat, Patch } from '../contract/app-api';
export type { EngineInfo, InferSize, MaskInput } from '../contract/engine';
export { MAX_INPUT_PIXELS } from '../contract/limits';
export { asEngineError, EngineError } from './errors';
export { DEFAULT_QUALITY, formatFromPath } from './images/encode';
export { atomicWrite } from './images/write';
export { autoThreads, logicalCores } from './model/cpu-cores';
export { choosePrecision, int8ModelFor } from './model/precision';
export { availableProviders, planProviders } from './model/providers';
export { DEFAULT_MODEL, EngineClient, JOBS_IN_FLIGHT } from './worker-process/client';
export type { EngineOptions, JobOptions } from './worker-process/client';
export { childProcessSpawner, spawnerOf, WORKER_ENTRY } from './worker-process/spawner';
export type { ForkedWorker, WorkerHandle, WorkerListener, WorkerProcess, WorkerSpawner } from './worker-process/spawner';

export type { Enlarger, Placement } from './fill/enlarge';
export type { JobContext } from './fill/pipeline';
export type { LoadedModel, Model } from './model/session';

/** The worker process's own parts, in this process: loads onnxruntime and sharp (engine/in-process.ts). */
export const loadInProcessEngine = () => import('./in-process');

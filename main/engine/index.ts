// The engine's public face: the client that runs jobs on the worker, and the few pieces callers need.
export { EngineClient, childProcessSpawner, DEFAULT_MODEL, WORKER_ENTRY } from './client';
export type { EngineOptions, JobOptions, WorkerHandle, WorkerListener, WorkerSpawner } from './client';
export { EngineError } from './errors';
export { MAX_INPUT_PIXELS } from './image-io';
export { formatFromPath } from './output';
export { availableProviders, planProviders } from './providers';
export type { EngineInfo, InferSize, Layer, MaskInput, OutputFormat } from '../contract/engine';

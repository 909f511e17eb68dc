// Folder jobs for the CLI and the app's batch dialog (via main/commands).
export { countImages, planBatch, PHOTO_EXTENSIONS } from './plan';
export type { BatchItem, BatchPlan } from './plan';
export { runBatch } from './run';
export type { BatchEngine, BatchRunOptions, FileResult } from './run';
export type { BatchProgress } from '../contract/app-api';

// Folder jobs for the CLI and the app's batch dialog (via main/commands).
export { countImages, planBatch, PHOTO_EXTENSIONS } from './plan';
export type { BatchItem, BatchPlan } from './plan';
export { runBatch } from './run';
export type { BatchEngine, BatchProgress, BatchRunOptions, FileResult } from './run';

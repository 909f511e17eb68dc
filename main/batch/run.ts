// Running a planned batch through the engine, one photo after another on the one worker session. Bad files
// fail alone, with their reason; cancelling stops after the current photo and keeps what is finished;
// running again resumes, because finished outputs exist (written atomically: an output is whole or absent).
import { randomUUID } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BatchOptions, BatchProgress, BatchSummary } from '../contract/app-api';
import type { InferSize } from '../contract/engine';
import type { EngineClient } from '../engine/client';
import { asEngineError } from '../engine/errors';
import { planBatch, type BatchItem } from './plan';

/** What a batch needs from the engine (a fake in tests of the layers above). */
export type BatchEngine = Pick<EngineClient, 'inpaintFile'>;


export interface BatchRunOptions {
  batchId?: string;
  /** Aborting stops the batch after the photo in progress. */
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
  /** Each photo's outcome as it is known. */
  onFile?: (result: FileResult, elapsedMs: number) => void;
  inferSize?: InferSize;
}

export type FileResult = BatchSummary['files'][number];

/** Plans and runs a batch; refuses it as a whole (throws) only for folder problems found by planBatch. */
export async function runBatch(engine: BatchEngine, options: BatchOptions, run: BatchRunOptions = {}): Promise<BatchSummary> {
  const plan = await planBatch(options);
  const started = performance.now();
  const files: FileResult[] = [];
  const count = (status: FileResult['status']) => files.filter((f) => f.status === status).length;
  let busyMs = 0; // time on photos actually processed: skipped ones would make the estimate too hopeful
  let processed = 0;

  const report = (current: string) => {
    const remaining = plan.items.length - files.length;
    run.onProgress?.({
      done: files.length,
      total: plan.items.length,
      current,
      elapsedMs: Math.round(performance.now() - started),
      etaMs: processed ? Math.round((busyMs / processed) * remaining) : null,
      succeeded: count('succeeded'),
      skipped: count('skipped'),
      failed: count('failed'),
    });
  };

  let cancelled = false;
  for (const item of plan.items) {
    if (run.signal?.aborted) {
      cancelled = true;
      break;
    }
    report(item.file);
    const t0 = performance.now();
    const result = await processOne(engine, item, options, run.inferSize);
    const took = performance.now() - t0;
    if (result.status !== 'skipped') {
      busyMs += took;
      processed++;
    }
    files.push(result);
    run.onFile?.(result, Math.round(took));
  }
  report('');
  return {
    batchId: run.batchId ?? randomUUID(),
    total: plan.items.length,
    succeeded: count('succeeded'),
    skipped: count('skipped'),
    failed: count('failed'),
    cancelled,
    files,
    outputDir: plan.outputDir,
  };
}

async function processOne(engine: BatchEngine, item: BatchItem, options: BatchOptions, inferSize?: InferSize): Promise<FileResult> {
  if (!item.mask) {
    return { file: item.file, status: 'failed', reason: `No mask found for it in the masks folder (expected ${path.parse(item.file).name}.png or similar).` };
  }
  const output = await chooseOutput(item.output, options.existing);
  if (!output) return { file: item.file, status: 'skipped', reason: 'The output already exists.', output: item.output };
  try {
    await mkdir(path.dirname(output), { recursive: true });
    await engine.inpaintFile({
      photo: item.photo,
      mask: item.mask,
      output,
      format: item.format,
      quality: options.quality,
      overwrite: options.existing === 'overwrite',
      scaleMask: options.masks.kind !== 'folder' && options.masks.scaleToFit,
      ...(inferSize ? { inferSize } : {}),
    });
    return { file: item.file, status: 'succeeded', output };
  } catch (err) {
    const error = asEngineError(err);
    // Appeared since we looked (another run writing the same folder): leave it, as 'skip' asks.
    if (error.code === 'output-exists' && options.existing === 'skip') return { file: item.file, status: 'skipped', reason: 'The output already exists.', output };
    return { file: item.file, status: 'failed', reason: error.message };
  }
}

/** The name to write, or null to skip: 'rename' finds "name (1).ext", "name (2).ext"... */
async function chooseOutput(output: string, existing: BatchOptions['existing']): Promise<string | null> {
  if (existing === 'overwrite' || !(await exists(output))) return output;
  if (existing === 'skip') return null;
  const { dir, name, ext } = path.parse(output);
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, `${name} (${n})${ext}`);
    if (!(await exists(candidate))) return candidate;
  }
}

const exists = (file: string) => stat(file).then(() => true, () => false);

// Running a planned batch through the engine: as many photos at a time as the engine runs jobs (so
// that one photo's decode and encode overlap another's inference), reported and summarised in the plan's
// order. Bad files fail alone, with their reason; cancelling starts no new photo, lets those already started
// finish and keeps what is finished; running again resumes, because finished outputs exist (written
// atomically: an output is whole or absent).
import { randomUUID } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BatchOptions, BatchProgress, BatchSummary } from '../contract/app-api';
import type { InferSize, Texture } from '../contract/engine';
import { asEngineError, type EngineClient, type EngineError } from '../engine';
import { planBatch, type BatchItem } from './plan';

/** What a batch needs from the engine (a fake in tests of the layers above): its jobs, and how many it runs at once. */
export type BatchEngine = Pick<EngineClient, 'inpaintFile' | 'jobsInFlight'>;

export interface BatchRunOptions {
  batchId?: string;
  /**
   * Aborting starts no new photo; those already started (at most `photosInFlight`) finish, are kept and
   * reported, and the summary says cancelled.
   */
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
  /** Each photo's outcome, in the plan's order (a photo finished early waits for those before it). */
  onFile?: (result: FileResult, elapsedMs: number) => void;
  inferSize?: InferSize;
  /** The texture step for every photo (Settings > Texture in the app; --texture in the CLI, which sets the engine's). */
  texture?: Texture;
  /**
   * How many photos are started and not yet reported at any time (the engine's jobsInFlight: what it runs at
   * once). 1 runs the batch strictly one photo after another.
   */
  photosInFlight?: number;
}

export type FileResult = BatchSummary['files'][number];

interface Started {
  item: BatchItem;
  /** The output it will write (or skip): no other photo writing the same file may run beside it. */
  output: Promise<string | null>;
  outcome: Promise<{ result: FileResult; took: number }>;
}

/**
 * Plans and runs a batch; refuses it as a whole (throws) only for folder problems found by planBatch.
 * A window of `photosInFlight` photos slides along the plan: each time the oldest one is reported, the next
 * one starts. So results come in the plan's order, memory holds at most that many photos, and after an abort
 * raised while photo k is reported, exactly the photos up to k + photosInFlight - 1 are done.
 */
export async function runBatch(engine: BatchEngine, options: BatchOptions, run: BatchRunOptions = {}): Promise<BatchSummary> {
  const plan = await planBatch(options);
  const window = Math.max(1, Math.floor(run.photosInFlight ?? engine.jobsInFlight));
  const started = performance.now();
  const files: FileResult[] = [];
  const count = (status: FileResult['status']) => files.filter((f) => f.status === status).length;

  // The estimate: wall time while any photo was in flight, per photo actually processed (skipped ones would
  // make it too hopeful). Wall time, not the sum of each photo's time: photos in flight overlap.
  let busyMs = 0;
  let busySince = 0;
  let active = 0;
  let processed = 0;
  let finished = 0;
  const busyNow = () => busyMs + (active ? performance.now() - busySince : 0);

  const report = (current: string) => {
    const remaining = plan.items.length - finished;
    run.onProgress?.({
      done: files.length,
      total: plan.items.length,
      current,
      elapsedMs: Math.round(performance.now() - started),
      etaMs: processed ? Math.round((busyNow() / processed) * remaining) : null,
      succeeded: count('succeeded'),
      skipped: count('skipped'),
      failed: count('failed'),
    });
  };

  const inFlight: Started[] = [];
  let next = 0;
  let cancelled = false;
  /** Starts the next photo of the plan, unless the batch was aborted (or there is none). */
  const startNext = (): boolean => {
    if (next >= plan.items.length) return false;
    if (run.signal?.aborted) {
      cancelled = true;
      return false;
    }
    const item = plan.items[next++]!;
    report(item.file);
    if (active++ === 0) busySince = performance.now();
    const t0 = performance.now();
    // Two photos can want the same file: a.jpg and a.png both as PNG, or a (1).png beside a.png renamed.
    // The later one waits for the earlier, as it would one after the other, so that skip, rename and
    // overwrite mean what they mean then. Choosing an output is a few stats: waiting for those is cheap.
    const earlier = [...inFlight];
    const output = Promise.all(earlier.map((s) => s.output)).then(async (chosen) => {
      const clash = earlier.filter((s, i) => samePathAnyCase(s.item.output, item.output) || (chosen[i] && samePathAnyCase(chosen[i], item.output)));
      await Promise.all(clash.map((s) => s.outcome));
      return chooseOutput(item.output, options.existing, chosen.filter((c) => c !== null));
    });
    const outcome = output
      .then((chosen) => processOne(engine, item, chosen, options, run))
      // Whatever goes wrong with one photo is that photo's failure, never the batch's (nor its neighbour's).
      .catch((err: unknown): FileResult => failed(item, asEngineError(err)))
      .then((result) => {
        const took = performance.now() - t0;
        if (--active === 0) busyMs += performance.now() - busySince;
        finished++;
        if (result.status !== 'skipped') processed++;
        return { result, took };
      });
    inFlight.push({ item, output, outcome });
    return true;
  };

  while (inFlight.length < window && startNext());
  while (inFlight.length) {
    const { result, took } = await inFlight.shift()!.outcome;
    files.push(result);
    run.onFile?.(result, Math.round(took));
    startNext();
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

/** Outputs that may be one file: the same path compared case-insensitively (as macOS and Windows do), everywhere. */
const samePathAnyCase = (a: string, b: string) => path.resolve(a).toLowerCase() === path.resolve(b).toLowerCase();

async function processOne(engine: BatchEngine, item: BatchItem, output: string | null, options: BatchOptions, { inferSize, texture }: BatchRunOptions): Promise<FileResult> {
  if (!item.mask) {
    return { file: item.file, status: 'failed', reason: `No mask found for it in the masks folder (expected ${path.parse(item.file).name}.png or similar).` };
  }
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
      ...(texture ? { texture } : {}),
    });
    return { file: item.file, status: 'succeeded', output };
  } catch (err) {
    const error = asEngineError(err);
    // Appeared since we looked (another run writing the same folder): leave it, as 'skip' asks.
    if (error.code === 'output-exists' && options.existing === 'skip') return { file: item.file, status: 'skipped', reason: 'The output already exists.', output };
    return failed(item, error);
  }
}

/** The name to write, or null to skip: 'rename' finds "name (1).ext", "name (2).ext"... that neither exists
 * nor is `taken` (by photos in flight, which have not written it yet). */
async function chooseOutput(output: string, existing: BatchOptions['existing'], taken: readonly string[]): Promise<string | null> {
  if (existing === 'overwrite' || !(await exists(output))) return output;
  if (existing === 'skip') return null;
  const { dir, name, ext } = path.parse(output);
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, `${name} (${n})${ext}`);
    if (!taken.some((t) => samePathAnyCase(t, candidate)) && !(await exists(candidate))) return candidate;
  }
}

const exists = (file: string) => stat(file).then(() => true, () => false);

const failed = (item: BatchItem, error: EngineError): FileResult => ({ file: item.file, status: 'failed', reason: error.message, code: error.code });

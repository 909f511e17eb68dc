import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { runBatch } from '../batch';
import type { BatchOptions, BatchSummary } from '../contract/app-api';
import { Failure } from '../contract/failure';
import type { Command, CommandContext } from './context';

export const DEFAULT_OUTPUT = 'inpainted';

/** Every path checked before anything starts: a refused batch leaves no trace. */
function grantedOptions(ctx: CommandContext, req: BatchOptions): BatchOptions {
  const inputDir = ctx.grants.require(req.inputDir, 'read');
  // The dialog's default output, a new `inpainted` folder beside the chosen photos, comes with the input
  // grant: in Electron the person never typed it, so no dialog granted it.
  if (path.resolve(req.outputDir) === path.join(inputDir, DEFAULT_OUTPUT)) ctx.grants.grant(req.outputDir, 'output');
  const outputDir = ctx.grants.require(req.outputDir, 'write');
  const masks =
    req.masks.kind === 'folder' ? { ...req.masks, dir: ctx.grants.require(req.masks.dir, 'read') }
    : req.masks.kind === 'single' ? { ...req.masks, file: ctx.grants.require(req.masks.file, 'read') }
    : req.masks;
  if (inputDir === outputDir && !req.allowInputDir) {
    throw new Failure('conflict', 'The output folder is the input folder: confirm writing there, or choose another.');
  }
  return { ...req, inputDir, outputDir, masks };
}

function failedSummary(batchId: string, outputDir: string, cancelled: boolean, err: unknown): BatchSummary {
  const error = err instanceof Error ? err.message : String(err);
  return { batchId, total: 0, succeeded: 0, skipped: 0, failed: 0, cancelled, files: [], outputDir, error };
}

/** Starts the batch and answers at once; progress and the summary arrive as events. */
export const batchStart: Command<'batch:start'> = async (ctx, req) => {
  const options = grantedOptions(ctx, req);
  if (ctx.batches.size > 0) throw new Failure('conflict', 'A batch is already running: cancel it or wait for it to finish.');

  const batchId = randomUUID();
  const abort = new AbortController();
  ctx.batches.set(batchId, abort);
  runBatch(ctx.engine, options, {
    batchId,
    signal: abort.signal,
    texture: ctx.settings.get().texture,
    onProgress: (progress) => ctx.emit('batch:progress', { batchId, ...progress }),
  })
    .catch((err: unknown) => failedSummary(batchId, options.outputDir, abort.signal.aborted, err))
    .then((summary) => ctx.emit('batch:done', { ...summary, batchId }))
    .finally(() => ctx.batches.delete(batchId));
  return { batchId };
};

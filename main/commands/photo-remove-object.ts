import { randomUUID } from 'node:crypto';
import type { ProgressDetail } from '../contract/engine';
import { Failure } from '../contract/failure';
import type { Command } from './context';

const STAGES: Record<string, string> = {
  decode: 'Reading the photo',
  holes: 'Finding the holes',
  model: 'Filling the holes',
  texture: 'Matching the texture around it',
  patch: 'Putting the fill in place',
};

/** What the person reads while Remove Object runs (the dialog adds "…"): "Filling hole 2 of 3". */
export function progressText(stage: string, hole?: ProgressDetail): string {
  if (stage === 'model' && hole) return hole.holes === 1 ? 'Filling the hole' : `Filling hole ${hole.hole} of ${hole.holes}`;
  return STAGES[stage] ?? stage;
}

/**
 * Fills the painted holes in what the person sees (the photo with the listed result layers over it) and
 * returns only the patch. Main keeps the patch for later fills, export and the recovery file, which the
 * renderer's recovery:save writes after every change to its document, this result included.
 */
export const photoRemoveObject: Command<'photo:removeObject'> = async (ctx, req) => {
  const doc = ctx.documents.get(req.docId);
  const layers = ctx.documents.results(req.docId, req.resultIds); // unknown ids refuse before any work
  ctx.grants.require(doc.path, 'read');
  if (ctx.jobs.has(req.jobId)) throw new Failure('conflict', `Job ${req.jobId} is already running.`);

  const abort = new AbortController();
  ctx.jobs.set(req.jobId, abort);
  try {
    const { kind: _, ...result } = await ctx.engine.removeObject(
      { photo: doc.path, layers, mask: req.mask, texture: ctx.settings.get().texture },
      {
        signal: abort.signal,
        onProgress: (stage, fraction, hole) => ctx.emit('job:progress', { jobId: req.jobId, stage: progressText(stage, hole), fraction }),
      },
    );
    if (abort.signal.aborted) throw new Failure('cancelled', 'Remove Object was cancelled.');
    const resultId = randomUUID();
    ctx.documents.addResult(doc.docId, { resultId, rect: result.rect, patch: result.patch });
    return { resultId, ...result };
  } finally {
    ctx.jobs.delete(req.jobId);
  }
};

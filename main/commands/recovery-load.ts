import { existsSync } from 'node:fs';
import type { Command } from './context';
import { openDocument } from './photo-open';

/**
 * The document left behind by a crash, reopened: its photo granted again (the person chose it in the run
 * that crashed), its result patches restored under the same ids the saved session refers to.
 */
export const recoveryLoad: Command<'recovery:load'> = async (ctx) => {
  const saved = await ctx.recovery.load();
  if (!saved || !existsSync(saved.photoPath)) return null;
  ctx.grants.grant(saved.photoPath, 'photo');
  const photo = await openDocument(ctx, saved.photoPath, saved.docId);
  ctx.documents.restore(photo.docId, saved.results);
  return { photo, session: saved.session, results: saved.results, savedAt: saved.savedAt };
};

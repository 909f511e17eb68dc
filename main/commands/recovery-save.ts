import type { Command } from './context';

/** The renderer's session for the open document; main adds the photo path and the result patches. */
export const recoverySave: Command<'recovery:save'> = async (ctx, { docId, session }) => {
  await ctx.recovery.saveSession(ctx.documents.get(docId), session);
  return {};
};

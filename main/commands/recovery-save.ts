import type { Command } from './context';

/** The renderer's layers for the open document; main adds the photo path and the result patches. */
export const recoverySave: Command<'recovery:save'> = async (ctx, { docId, layers }) => {
  await ctx.recovery.saveLayers(ctx.documents.get(docId), layers);
  return {};
};

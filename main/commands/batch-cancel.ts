import type { Command } from './context';

export const batchCancel: Command<'batch:cancel'> = async (ctx, { batchId }) => {
  const batch = ctx.batches.get(batchId);
  batch?.abort();
  return { cancelled: batch !== undefined };
};

import type { Command } from './context';

export const batchCount: Command<'batch:count'> = async (ctx, req) => {
  const dir = ctx.grants.require(req.inputDir, 'read');
  return { count: await ctx.engine.countImages(dir, req.recursive) };
};

import { countImages } from '../batch';
import { normalisePath } from '../state/grants';
import type { Command } from './context';

export const batchCount: Command<'batch:count'> = async (ctx, req) => {
  const inputDir = ctx.grants.require(req.inputDir, 'read');
  // The output and mask folders are only left out of the count, never read: they need no grant.
  const outputDir = req.outputDir === null ? null : normalisePath(req.outputDir);
  const masksDir = req.masksDir === null ? null : normalisePath(req.masksDir);
  return { count: await countImages({ inputDir, recursive: req.recursive, outputDir, masksDir }) };
};

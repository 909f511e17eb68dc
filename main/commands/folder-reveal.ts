import { Failure } from '../contract/failure';
import type { Command } from './context';

export const folderReveal: Command<'folder:reveal'> = async (ctx, req) => {
  const p = ctx.grants.has(req.path, 'write') ? ctx.grants.require(req.path, 'write') : ctx.grants.require(req.path, 'read');
  if (!ctx.reveal) throw new Failure('unavailable', `No file manager from the browser; the folder is ${p}.`);
  await ctx.reveal(p);
  return {};
};

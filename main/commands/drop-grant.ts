import { stat } from 'node:fs/promises';
import { Failure } from '../contract/failure';
import type { Command } from './context';

/**
 * A file dropped on the window. Only the preload sends this channel (it is not in the renderer's allow-list),
 * with a path it read from the dropped File via webUtils.getPathForFile, which the page cannot forge.
 */
export const dropGrant: Command<'drop:grant'> = async (ctx, { path }) => {
  const s = await stat(path).catch(() => null);
  if (!s?.isFile()) throw new Failure('not-found', `Not a file: ${path}`);
  return ctx.grants.grant(path, 'photo');
};

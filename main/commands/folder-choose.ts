import type { Command } from './context';
import { requireDialogs } from './dialogs';

export const folderChoose: Command<'folder:choose'> = async (ctx, { purpose }) => {
  const chosen = await requireDialogs(ctx).openFolder(purpose);
  return chosen === null ? null : ctx.grants.grant(chosen, purpose);
};

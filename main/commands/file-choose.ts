import type { Command } from './context';
import { requireDialogs } from './dialogs';

export const fileChoose: Command<'file:choose'> = async (ctx) => {
  const chosen = await requireDialogs(ctx).openMaskFile();
  return chosen === null ? null : ctx.grants.grant(chosen, 'mask');
};

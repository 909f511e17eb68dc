import type { Command } from './context';
import { requireDialogs } from './dialogs';

export const photoChoose: Command<'photo:choose'> = async (ctx) => {
  const chosen = await requireDialogs(ctx).openPhoto();
  return chosen === null ? null : ctx.grants.grant(chosen, 'photo');
};

import type { Command } from './context';

export const appUnsaved: Command<'app:unsaved'> = async (ctx, { unsaved }) => {
  ctx.unsaved = unsaved;
  return {};
};

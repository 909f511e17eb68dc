import type { Command } from './context';

export const recoveryClear: Command<'recovery:clear'> = async (ctx) => {
  await ctx.recovery.clear();
  return {};
};

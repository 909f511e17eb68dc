import type { Command } from './context';

/** The recent photos; each was granted when the list was loaded (see main/state/recent.ts). */
export const recentList: Command<'recent:list'> = async (ctx) => ctx.recent.list();

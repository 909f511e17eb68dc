import type { Command } from './context';
import { currentInfo } from './app-info';

/** Saves the settings and restarts the engine with them; the answer says which provider is now in use. */
export const settingsSet: Command<'settings:set'> = async (ctx, settings) => {
  await ctx.engine.configure(settings);
  await ctx.settings.set(settings);
  return currentInfo(ctx);
};

import { announceInfo, configureEngine } from './app-info';
import type { Command } from './context';

/**
 * Saves the settings and restarts the engine with them; the answer says which provider is now in use (and
 * why, when it is not the one asked for). The native menu hears of it too.
 */
export const settingsSet: Command<'settings:set'> = async (ctx, settings) => {
  await configureEngine(ctx, settings);
  await ctx.settings.set(settings);
  return announceInfo(ctx);
};

import type { AppInfo } from '../contract/app-api';
import { autoThreads, logicalCores } from '../engine';
import type { Command, CommandContext } from './context';

export async function currentInfo(ctx: CommandContext): Promise<AppInfo> {
  const { fallback = null, threads: started, precision = 'fp32', precisionNote = null, ...engine } = await ctx.engine.info();
  const settings = ctx.settings.get();
  const auto = autoThreads();
  const threads = started ?? settings.threads; // the engine's own word when it is running
  return {
    version: ctx.version,
    ...engine,
    settings,
    fallback,
    threads: threads > 0 ? threads : auto,
    precision,
    precisionNote,
    autoThreads: auto,
    logicalCores: logicalCores(),
    host: ctx.host,
  };
}

/** The AppInfo after a change, told to everyone who shows it outside the renderer (the native menu). */
export async function announceInfo(ctx: CommandContext): Promise<AppInfo> {
  const info = await currentInfo(ctx);
  for (const listener of ctx.infoListeners) listener(info);
  return info;
}

/** At start: the engine runs with the settings the person saved (the worker starts and loads the model). */
export async function startEngine(ctx: CommandContext): Promise<AppInfo> {
  await ctx.engine.configure(ctx.settings.get());
  return announceInfo(ctx);
}

export const appInfo: Command<'app:info'> = (ctx) => currentInfo(ctx);

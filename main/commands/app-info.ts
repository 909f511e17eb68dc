import path from 'node:path';
import type { AppInfo, Settings } from '../contract/app-api';
import { autoThreads, availableProviders, logicalCores } from '../engine';
import type { Command, CommandContext } from './context';

/**
 * What the engine says it runs, or, when it cannot start, why: photos still open and export without the model,
 * and Remove Object says what is wrong. The reason travels where a fallback's would, so Settings and About say
 * why, not just "unavailable".
 */
async function engineInfo(ctx: CommandContext) {
  try {
    const { provider, providers, model, fallback, threads, precision, precisionNote } = await ctx.engine.info();
    return { provider, providers, model: path.basename(model), fallback, threads: threads as number | undefined, precision, precisionNote };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    ctx.log(`engine unavailable: ${why}`);
    return { provider: 'unavailable', providers: availableProviders(), model: 'unavailable', fallback: `The engine could not start: ${why}`, threads: undefined, precision: 'fp32' as const, precisionNote: null };
  }
}

export async function currentInfo(ctx: CommandContext): Promise<AppInfo> {
  const { threads: started, ...engine } = await engineInfo(ctx);
  const settings = ctx.settings.get();
  const auto = autoThreads();
  const threads = started ?? settings.threads; // the engine's own word when it is running
  return {
    version: ctx.version,
    ...engine,
    settings,
    threads: threads > 0 ? threads : auto,
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

/** The engine restarts with the settings; one that cannot load its model says so in currentInfo, not here. */
export async function configureEngine(ctx: CommandContext, settings: Settings): Promise<void> {
  await ctx.engine.configure(settings).catch(() => undefined);
}

/** At start: the engine runs with the settings the person saved (the worker starts and loads the model). */
export async function startEngine(ctx: CommandContext): Promise<AppInfo> {
  await configureEngine(ctx, ctx.settings.get());
  return announceInfo(ctx);
}

export const appInfo: Command<'app:info'> = (ctx) => currentInfo(ctx);

import type { Command, CommandContext } from './context';

export async function currentInfo(ctx: CommandContext) {
  const engine = await ctx.engine.info();
  return { version: ctx.version, ...engine, settings: ctx.settings.get(), host: ctx.host };
}

export const appInfo: Command<'app:info'> = (ctx) => currentInfo(ctx);

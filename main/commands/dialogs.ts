import { Failure } from '../contract/failure';
import type { CommandContext, Dialogs } from './context';

/** The native dialogs, or a clear answer that this host has none (the browser shows path fields). */
export function requireDialogs(ctx: CommandContext): Dialogs {
  if (!ctx.dialogs) throw new Failure('unavailable', 'No file dialogs in the browser: type the path instead.');
  return ctx.dialogs;
}

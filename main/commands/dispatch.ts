// The one entry every transport calls: Electron's ipc handlers and the web host's POST /api/<channel>.
// The request is checked against the contract before any command runs, so a malformed message changes
// nothing; the answer is checked too, so a bug in main never reaches the renderer as a wrong shape.
import { type Reply, type RequestChannel, requests } from '../contract/app-api';
import { toAppError } from '../contract/failure';
import type { CommandContext } from './context';
import { commands } from './index';

export const isRequestChannel = (channel: string): channel is RequestChannel => Object.hasOwn(requests, channel);

export async function dispatch(ctx: CommandContext, channel: RequestChannel, raw: unknown): Promise<Reply<unknown>> {
  try {
    const schema = requests[channel];
    const req = schema.req.parse(raw);
    const command = commands[channel] as (ctx: CommandContext, req: unknown) => Promise<unknown>;
    const value = schema.res.parse(await command(ctx, req));
    return { ok: true, value };
  } catch (err) {
    const error = toAppError(err);
    if (error.code === 'failed') ctx.log(`${channel} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { ok: false, error };
  }
}

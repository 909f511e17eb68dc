// Registers every request channel of the contract with ipcMain.handle. Each call is checked twice before
// a command runs: who sent it (the one window, our page) and what it says (the contract's schema).
import { type Reply, type RequestChannel, requests } from '../contract/app-api';
import type { CommandContext } from '../commands/context';
import { dispatch } from '../commands/dispatch';
import { type SenderEvent, type TrustedPage, isTrustedSender } from './sender';

/** The part of Electron's ipcMain used here, so tests can pass a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

const refused: Reply<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'This request did not come from the Holefill window.' },
};

export function registerIpc(ipcMain: IpcMainLike, ctx: CommandContext, trusted: () => TrustedPage | null): () => void {
  const channels = Object.keys(requests) as RequestChannel[];
  for (const channel of channels) {
    ipcMain.handle(channel, async (event, ...args) => {
      if (!isTrustedSender(event, trusted())) {
        ctx.log(`refused ${channel} from ${event.senderFrame?.url ?? 'an unknown frame'}`);
        return refused;
      }
      if (args.length !== 1) return dispatch(ctx, channel, undefined); // fails validation, with a clear error
      return dispatch(ctx, channel, args[0]);
    });
  }
  return () => channels.forEach((channel) => ipcMain.removeHandler(channel));
}

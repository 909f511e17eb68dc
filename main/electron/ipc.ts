// Electron's IPC, the one place that speaks it: every request channel of the contract registered with
// ipcMain.handle, each call checked twice before a command runs (who sent it: the one window showing our page;
// what it says: the contract's schema, in dispatch), and main's events sent to that window.
import type { CommandContext } from '../commands/context';
import { dispatch } from '../commands/dispatch';
import { type EventChannel, type EventPayload, events, type Reply, type RequestChannel, requests } from '../contract/app-api';

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

// Only the one window, showing our own page in its main frame, may call main. A page that navigated
// elsewhere, an iframe, or another webContents is refused even though it can reach ipcRenderer.

/** The parts of Electron's IpcMainInvokeEvent the check reads (a fake one is enough in tests). */
export interface SenderEvent {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export interface TrustedPage {
  webContentsId: number;
  /** The renderer's URL: app://renderer/index.html, or the dev server's URL. */
  url: string;
}

/** Same scheme, host and page; '/' and '/index.html' are the same page. Query and hash do not matter. */
function samePage(actual: string, expected: string): boolean {
  let a: URL;
  let e: URL;
  try {
    a = new URL(actual);
    e = new URL(expected);
  } catch {
    return false;
  }
  const page = (u: URL) => (u.pathname === '/' ? '/index.html' : u.pathname);
  return a.protocol === e.protocol && a.host === e.host && page(a) === page(e);
}

export function isTrustedSender(event: SenderEvent, trusted: TrustedPage | null): boolean {
  const frame = event.senderFrame;
  if (!trusted || !frame) return false;
  if (event.sender.id !== trusted.webContentsId) return false;
  if (frame.parent !== null) return false; // a subframe
  return samePage(frame.url, trusted.url);
}

// main -> renderer events: checked against the contract, then sent to the one window if it is there.
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

export function windowEmitter(target: () => EventTarget | null, log: (m: string) => void) {
  return <C extends EventChannel>(channel: C, payload: EventPayload<C>): void => {
    const checked = events[channel].safeParse(payload);
    if (!checked.success) return log(`not sent: ${channel} does not match the contract: ${checked.error.message}`);
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(channel, checked.data);
  };
}

// The renderer's only door to main: window.holefill, a HolefillApi over ipcRenderer. It forwards only the
// contract's channels (an allow-list), never hands out ipcRenderer itself, and keeps drop:grant for itself:
// that channel carries a path read here from a dropped File with webUtils.getPathForFile, which the page
// (sandboxed, context-isolated) can neither call nor forge. Built as CommonJS: sandboxed preloads cannot
// load ES modules or node_modules, so the contract is bundled in.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import {
  type EventChannel,
  type HolefillApi,
  type PublicChannel,
  type Reply,
  events,
  preloadOnlyChannels,
  requests,
} from '../contract/app-api';

const preloadOnly: readonly string[] = preloadOnlyChannels;
const invokable = new Set(Object.keys(requests).filter((c) => !preloadOnly.includes(c)));
const listenable = new Set(Object.keys(events));

/**
 * Unwraps main's Reply: the value, or an Error "[code] message". The contextBridge copies only an Error's
 * message, so the code travels inside it; renderer/api.ts turns it back into ApiError { code, message }.
 */
async function call(channel: string, req: unknown): Promise<unknown> {
  const reply = (await ipcRenderer.invoke(channel, req)) as Reply<unknown>;
  if (reply.ok) return reply.value;
  throw new Error(`[${reply.error.code}] ${reply.error.message}`);
}

const api: HolefillApi = {
  host: 'electron',
  invoke(channel: PublicChannel, req: unknown) {
    if (!invokable.has(channel)) return Promise.reject(new Error(`[not-found] Unknown request channel: ${String(channel)}`));
    return call(channel, req);
  },
  on(channel: EventChannel, listener: (payload: never) => void) {
    if (!listenable.has(channel)) throw new Error(`Unknown event channel: ${String(channel)}`);
    const forward = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel, forward);
    return () => void ipcRenderer.removeListener(channel, forward);
  },
  async grantDroppedFile(file: File) {
    const path = webUtils.getPathForFile(file); // '' for a File the page made itself
    return path ? ((await call('drop:grant', { path })) as string) : null;
  },
} as HolefillApi;

contextBridge.exposeInMainWorld('holefill', api);

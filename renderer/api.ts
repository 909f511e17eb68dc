// The one HolefillApi the renderer uses. In Electron it is the preload's window.holefill; in a browser
// (the web host) it is this HTTP + Server-Sent Events client with the same interface. The run's token
// comes from the page URL (?token=...), is kept for the tab's reloads, and is then taken off the URL.
import type { EventChannel, EventPayload, HolefillApi, PublicChannel, Reply, Req, Res } from '../main/contract/app-api';
import { decodeWire, encodeWire } from '../main/contract/wire';

declare global {
  interface Window {
    holefill?: HolefillApi;
  }
}

/** An error from main: `message` is for the person, `code` says what kind (the contract's AppError). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'holefill.token';

function takeToken(): string {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url);
  }
  return fromUrl ?? sessionStorage.getItem(TOKEN_KEY) ?? '';
}

async function unwrap<T>(response: Response): Promise<T> {
  let reply: Reply<T>;
  try {
    reply = decodeWire(await response.text()) as Reply<T>;
  } catch {
    throw new ApiError('failed', `The Holefill web host answered ${response.status} without a readable reply.`);
  }
  if (!reply.ok) throw new ApiError(reply.error.code, reply.error.message);
  return reply.value;
}

export function createWebApi(token: string = takeToken()): HolefillApi {
  const headers = { 'x-holefill-token': token };
  let source: EventSource | null = null;
  const subscribed = new Map<string, Set<(payload: never) => void>>();

  function events(): EventSource {
    source ??= new EventSource(`/events?token=${encodeURIComponent(token)}`);
    return source;
  }

  return {
    host: 'web',
    async invoke<C extends PublicChannel>(channel: C, req: Req<C>): Promise<Res<C>> {
      const response = await fetch(`/api/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: encodeWire(req),
      });
      return unwrap<Res<C>>(response);
    },
    on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void {
      let listeners = subscribed.get(channel);
      if (!listeners) {
        const set = new Set<(payload: never) => void>();
        subscribed.set(channel, (listeners = set));
        events().addEventListener(channel, (e) => {
          const payload = decodeWire((e as MessageEvent<string>).data) as never;
          for (const l of set) l(payload);
        });
      }
      const own = listener as (payload: never) => void;
      listeners.add(own);
      return () => void listeners.delete(own);
    },
    async grantDroppedFile(file: File): Promise<string | null> {
      const response = await fetch(`/upload?name=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/octet-stream' },
        body: file,
      });
      return unwrap<string>(response);
    },
  };
}

/** The preload's errors read "[code] message" (the contextBridge keeps only messages): make them ApiErrors. */
function restoreCode(err: unknown): never {
  const text = err instanceof Error ? err.message : String(err);
  const coded = /^\[([a-z-]+)\] ([\s\S]*)$/.exec(text);
  throw coded ? new ApiError(coded[1]!, coded[2]!) : new ApiError('failed', text);
}

export function fromPreload(preload: HolefillApi): HolefillApi {
  return {
    host: preload.host,
    invoke: (channel, req) => preload.invoke(channel, req).catch(restoreCode),
    on: (channel, listener) => preload.on(channel, listener),
    grantDroppedFile: (file) => preload.grantDroppedFile(file).catch(restoreCode),
  };
}

export const api: HolefillApi = window.holefill ? fromPreload(window.holefill) : createWebApi();

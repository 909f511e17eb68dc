// The web host: the built renderer and the same typed API over HTTP, for development and for tests that
// drive the real UI in a browser. Loopback only; every API call carries this run's random token and is
// checked for Host and Origin (DNS rebinding), body size and the contract's schema.
//
//   POST /api/<channel>   JSON body (bytes as {"$bytes": base64}) -> Reply JSON
//   GET  /events?token=   Server-Sent Events: `event: <channel>`, `data: <payload JSON>`
//   POST /upload?name=    a dropped file's bytes -> Reply with its granted path (the browser's drag and drop)
//   GET  /...             the built renderer (out/renderer)
//
// Trust: the page gets the token from the URL printed at start. Whoever holds it is the person at this
// machine using their own browser, so typed paths are granted here (folder:grant); Electron never does that.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { CommandContext, Engine } from '../commands/context';
import { createContext } from '../commands/create-context';
import { dispatch, isRequestChannel } from '../commands/dispatch';
import { preloadOnlyChannels } from '../contract/app-api';
import { toAppError } from '../contract/failure';
import { decodeWire } from '../contract/wire';
import { securityHeaders } from '../page/files';
import { EventHub } from './events';
import { hostAllowed, originAllowed, tokenMatches, tokenOf } from './guard';
import { HttpError, readBody, sendError, sendReply } from './http';
import { serveStatic } from './static';
import { receiveUpload } from './upload';

export interface WebHostOptions {
  rendererDir: string;
  engine: Engine;
  userData: string;
  version: string;
  port?: number; // 0 or absent: any free port
  token?: string; // absent: a random one
  maxBodyBytes?: number;
  maxUploadBytes?: number;
  log?: (message: string) => void;
}

export interface WebHost {
  url: string; // the page, token included
  origin: string;
  token: string;
  port: number;
  ctx: CommandContext;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
const preloadOnly: readonly string[] = preloadOnlyChannels;

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const log = options.log ?? ((m: string) => console.error(`[web-host] ${m}`));
  const token = options.token ?? randomBytes(24).toString('hex');
  const maxBody = options.maxBodyBytes ?? 64 * MiB;
  const maxUpload = options.maxUploadBytes ?? 512 * MiB;
  const uploads = await mkdtemp(path.join(os.tmpdir(), 'holefill-web-drops-'));
  const hub = new EventHub();
  const ctx = await createContext({
    host: 'web',
    version: options.version,
    engine: options.engine,
    userData: options.userData,
    dialogs: null,
    reveal: null,
    grantsTypedPaths: true,
    uploadsDir: uploads,
    emit: (channel, payload) => hub.emit(channel, payload),
    log,
  });

  let port = 0;
  const inflight = new Set<Promise<unknown>>(); // commands still running, awaited by close()
  const track = <T>(work: Promise<T>): Promise<T> => {
    inflight.add(work);
    return work.finally(() => inflight.delete(work));
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err : new HttpError(500, 'failed', toAppError(err).message);
      if (status.status === 500) log(`${req.method} ${req.url}: ${err instanceof Error ? err.stack : err}`);
      if (!res.headersSent) sendError(res, status, securityHeaders);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req, port)) throw new HttpError(403, 'forbidden', 'Wrong Host header: use the printed 127.0.0.1 URL.');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const isApi = url.pathname.startsWith('/api/') || url.pathname === '/events' || url.pathname === '/upload';
    if (!isApi) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'invalid-request', 'Only GET here.');
      return serveStatic(res, options.rendererDir, url.pathname, securityHeaders);
    }
    if (!originAllowed(req, port)) throw new HttpError(403, 'forbidden', 'Requests from other origins are refused.');
    if (!tokenMatches(tokenOf(req, url), token)) throw new HttpError(401, 'unauthorized', 'Missing or wrong token.');

    if (url.pathname === '/events') return hub.attach(res, securityHeaders);
    if (req.method !== 'POST') throw new HttpError(405, 'invalid-request', 'Use POST.');
    if (url.pathname === '/upload') {
      const file = await receiveUpload(req, uploads, url.searchParams.get('name'), maxUpload);
      return sendReply(res, { ok: true, value: ctx.grants.grant(file, 'photo') }, securityHeaders);
    }
    const channel = decodeURIComponent(url.pathname.slice('/api/'.length));
    if (!isRequestChannel(channel) || preloadOnly.includes(channel)) {
      throw new HttpError(404, 'not-found', `Unknown request channel: ${channel}`);
    }
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      throw new HttpError(415, 'unsupported-media-type', 'Send JSON (content-type: application/json).');
    }
    let body: unknown;
    try {
      body = decodeWire((await readBody(req, maxBody)).toString('utf8'));
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'invalid-request', `Malformed JSON: ${(err as Error).message}`);
    }
    sendReply(res, await track(dispatch(ctx, channel, body)), securityHeaders);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    port,
    ctx,
    async close() {
      for (const job of [...ctx.jobs.values(), ...ctx.batches.values()]) job.abort();
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inflight]); // nothing writes to userData after close
      await rm(uploads, { recursive: true, force: true });
    },
  };
}

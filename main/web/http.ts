// Small HTTP helpers for the web host: bounded bodies and Reply answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reply } from '../contract/app-api';
import { encodeWire } from '../contract/wire';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The request body, or HttpError 413 as soon as it passes `limit` bytes (the rest is never buffered). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, 'too-large', `Request body over ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'too-large', `Request body over ${limit} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const statusOf: Record<string, number> = {
  'invalid-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-granted': 403,
  'not-found': 404,
  unavailable: 501,
  conflict: 409,
  cancelled: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  // The engine's refusals (main/contract/engine.ts): the request was understood but cannot be done.
  unreadable: 422,
  'unsupported-image': 422,
  'corrupt-image': 422,
  'mask-size': 422,
  'mask-empty': 422,
  'mask-full': 422,
  'output-exists': 409,
  'would-overwrite-input': 409,
  'output-unwritable': 422,
  'model-unavailable': 503,
};

export function sendReply(res: ServerResponse, reply: Reply<unknown>, headers: Record<string, string> = {}, status?: number): void {
  status ??= reply.ok ? 200 : (statusOf[reply.error.code] ?? 500);
  const body = encodeWire(reply);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function sendError(res: ServerResponse, err: HttpError, headers: Record<string, string> = {}): void {
  // After a refused body the rest of the upload is not read: close the connection instead.
  if (err.status === 413) res.setHeader('connection', 'close');
  sendReply(res, { ok: false, error: { code: err.code, message: err.message } }, headers, err.status);
}

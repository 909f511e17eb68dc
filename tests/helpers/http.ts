// A raw HTTP client for the web host's tests: node:http lets a test set Host and Origin as an attacker would.
import http from 'node:http';
import { decodeWire, encodeWire } from '../../main/contract/wire';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json(): any;
}

export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer | Iterable<Buffer> },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => decodeWire(body) });
      });
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The host may close the socket after refusing an oversize body mid-upload.
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') resolve({ status: -1, headers: {}, body: '', json: () => null });
      else reject(err);
    });
    const body = options.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      for (const chunk of body) req.write(chunk);
      req.end();
    }
  });
}

/** POST /api/<channel> as the page does: JSON in the wire encoding, the token in a header. */
export function callApi(port: number, token: string | null, channel: string, req: unknown, headers: Record<string, string> = {}) {
  return rawRequest(port, {
    method: 'POST',
    path: `/api/${channel}`,
    headers: { 'content-type': 'application/json', ...(token ? { 'x-holefill-token': token } : {}), ...headers },
    body: encodeWire(req),
  });
}

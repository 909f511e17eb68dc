// app://renderer/... serves the built renderer from disk with the CSP as a response header. A custom
// standard, secure scheme gives the page a real origin (file:// pages share one), lets the header be set
// (webRequest does not see file://), and confines what it can load to one folder.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contentSecurityPolicy } from './security/csp';

export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const appUrl = `${APP_SCHEME}://${APP_HOST}/index.html`;

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export const securityHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** The file under `root` a request path names, or null if it would leave `root`. */
export function fileUnder(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel === '' ? path.join(root, 'index.html') : file;
}

export const contentType = (file: string) => types[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

/** The handler for protocol.handle(APP_SCHEME, ...). */
export function rendererProtocolHandler(root: string) {
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? fileUnder(root, url.pathname) : null;
    const body = file ? await readFile(file).catch(() => null) : null;
    if (!file || !body) return new Response('Not found', { status: 404, headers: securityHeaders });
    return new Response(body, { headers: { ...securityHeaders, 'content-type': contentType(file) } });
  };
}

// app://renderer/... serves the built renderer from disk with the CSP as a response header. A custom
// standard, secure scheme gives the page a real origin (file:// pages share one), lets the header be set
// (webRequest does not see file://), and confines what it can load to one folder.
import { readFile } from 'node:fs/promises';
import { contentType, fileUnder, securityHeaders } from '../page/files';

export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const appUrl = `${APP_SCHEME}://${APP_HOST}/index.html`;

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

// Who may talk to the web host: a page served by this host (Host and Origin name the loopback address, so a
// DNS-rebinding page on another name is refused) that holds this run's secret token.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_HEADER = 'x-holefill-token';

const loopbackNames = (port: number) => [`127.0.0.1:${port}`, `localhost:${port}`];

export function hostAllowed(req: IncomingMessage, port: number): boolean {
  return loopbackNames(port).includes((req.headers.host ?? '').toLowerCase());
}

/** No Origin (curl, same-origin GET) is fine; any Origin must be this host's own. */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return loopbackNames(port).some((name) => origin.toLowerCase() === `http://${name}`);
}

/** The token from the header, or from the query (EventSource and the page's own URL cannot set headers). */
export function tokenOf(req: IncomingMessage, url: URL): string | null {
  const header = req.headers[TOKEN_HEADER];
  if (typeof header === 'string') return header;
  return url.searchParams.get('token');
}

export function tokenMatches(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

// The session the window uses: no permission is ever granted (camera, notifications, openExternal...),
// the CSP is set as a response header on everything it loads, nothing is downloaded, and no request
// leaves the machine: the page only ever loads its own app:// files (or the dev server in development).
import type { Session } from 'electron';
import { contentSecurityPolicy, devContentSecurityPolicy } from '../page/csp';

export function isOwnRequest(url: string, devUrl: string | undefined): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (['app:', 'blob:', 'data:', 'devtools:'].includes(u.protocol)) return true;
  if (!devUrl) return false;
  const dev = new URL(devUrl);
  return u.host === dev.host && (u.protocol === 'http:' || u.protocol === 'ws:');
}

export function hardenSession(session: Session, devUrl: string | undefined): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());

  const csp = devUrl ? devContentSecurityPolicy(devUrl) : contentSecurityPolicy;
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isOwnRequest(details.url, devUrl) });
  });
}

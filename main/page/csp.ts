// The renderer's Content-Security-Policy, one definition for every way the page is served: the header of
// Electron's app:// protocol and of the web host, and a <meta> tag the build puts into index.html.
// Scripts only from the app itself: no inline scripts, no eval, no remote code. Styles may be inline
// (Svelte and fabric.js set them); images may be blob:/data: (previews and result patches).
const directives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'blob:', 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"], // the web host's /api and /events; nothing remote
  'worker-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-src': ["'none'"],
};

const render = (d: Record<string, string[]>) =>
  Object.entries(d)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');

/** For HTTP headers (frame-ancestors only works there). */
export const contentSecurityPolicy = `${render(directives)}; frame-ancestors 'none'`;

/** For the <meta http-equiv> tag in the built index.html. */
export const metaContentSecurityPolicy = render(directives);

/** electron-vite's dev server also needs its HMR websocket; used only when ELECTRON_RENDERER_URL is set. */
export function devContentSecurityPolicy(devUrl: string): string {
  const ws = devUrl.replace(/^http/, 'ws');
  return render({ ...directives, 'connect-src': ["'self'", ws] });
}

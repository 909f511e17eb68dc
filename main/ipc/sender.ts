// Only the one window, showing our own page in its main frame, may call main. A page that navigated
// elsewhere, an iframe, or another webContents is refused even though it can reach ipcRenderer.

/** The parts of Electron's IpcMainInvokeEvent the check reads (a fake one is enough in tests). */
export interface SenderEvent {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export interface TrustedPage {
  webContentsId: number;
  /** The renderer's URL: app://renderer/index.html, or the dev server's URL. */
  url: string;
}

/** Same scheme, host and page; '/' and '/index.html' are the same page. Query and hash do not matter. */
function samePage(actual: string, expected: string): boolean {
  let a: URL;
  let e: URL;
  try {
    a = new URL(actual);
    e = new URL(expected);
  } catch {
    return false;
  }
  const page = (u: URL) => (u.pathname === '/' ? '/index.html' : u.pathname);
  return a.protocol === e.protocol && a.host === e.host && page(a) === page(e);
}

export function isTrustedSender(event: SenderEvent, trusted: TrustedPage | null): boolean {
  const frame = event.senderFrame;
  if (!trusted || !frame) return false;
  if (event.sender.id !== trusted.webContentsId) return false;
  if (frame.parent !== null) return false; // a subframe
  return samePage(frame.url, trusted.url);
}

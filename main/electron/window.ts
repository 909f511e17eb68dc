// The one window, hardened: an isolated, sandboxed renderer without Node, web security on, and every way
// out of our own page (navigation, new windows, webviews, redirects) denied.
import { BrowserWindow, type WebContents } from 'electron';

export interface WindowOptions {
  preload: string; // out/preload/preload.cjs
  url: string; // app://renderer/index.html, or the dev server's URL
  devTools: boolean; // development only
  icon?: string; // assets/icon.png: the window's icon where the desktop does not take it from the installer (Linux)
}

export function createMainWindow({ preload, url, devTools, icon }: WindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    ...(icon ? { icon } : {}),
    width: 1280,
    height: 860,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Holefill',
    backgroundColor: '#1e1e1e',
    webPreferences: {
      // Reviewed: the preload exposes only the contract's channels through contextBridge (preload.ts).
      preload, // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false, // a dropped file goes to the page's drop handler, never replaces the page
      disableBlinkFeatures: 'Auxclick', // middle-click cannot open links elsewhere
      spellcheck: false,
      devTools,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(url);
  return window;
}

/** Applied to every webContents the app ever creates (app 'web-contents-created'). */
export function lockDown(contents: WebContents, ownUrl: () => string): void {
  const isOwnPage = (target: string) => {
    try {
      const t = new URL(target);
      const own = new URL(ownUrl());
      return t.protocol === own.protocol && t.host === own.host;
    } catch {
      return false;
    }
  };
  contents.on('will-navigate', (event, target) => {
    if (!isOwnPage(target)) event.preventDefault();
  });
  contents.on('will-redirect', (event, target) => {
    if (!isOwnPage(target)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

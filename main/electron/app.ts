// The Electron app: lifecycle, the one window, the menu, IPC. Kept thin: commands/ does the work, the
// engine runs in a utilityProcess, and this file only wires Electron to them.
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell } from 'electron';
import { startEngine } from '../commands/app-info';
import type { CommandContext } from '../commands/context';
import { createContext } from '../commands/create-context';
import type { MenuCommand } from '../contract/app-api';
import { EngineClient } from '../engine';
import { APP_SCHEME, appUrl, rendererProtocolHandler } from './app-scheme';
import { electronDialogs } from './dialogs';
import { registerIpc, windowEmitter } from './ipc';
import { keepMenuCurrent } from './menu';
import { hardenSession } from './session-security';
import { utilityProcessSpawner } from './utility-process';
import { createMainWindow, lockDown } from './window';

const here = path.dirname(fileURLToPath(import.meta.url)); // out/main
const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
const rendererUrl = devUrl ?? appUrl;
const log = (message: string) => console.error(`[holefill] ${message}`);

// Tests and portable setups may keep their state elsewhere; must happen before anything reads userData.
if (process.env.HOLEFILL_USER_DATA) app.setPath('userData', process.env.HOLEFILL_USER_DATA);

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();

let window: BrowserWindow | null = null;
let ctx: CommandContext | null = null;
let quitConfirmed = false;
const pendingOpens: string[] = []; // "Open with Holefill" before the window was ready

/** The system asked Holefill to open a file (Finder's Open With, a file on the command line): granted. */
function openFromSystem(photo: string): void {
  if (!ctx || !window || window.webContents.isLoading()) return void pendingOpens.push(photo);
  try {
    ctx.emit('photo:granted', { path: ctx.grants.grant(photo, 'photo') });
  } catch (err) {
    log(`not opened: ${photo}: ${err}`);
  }
}
const isFile = (p: string) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
const photoArgs = (argv: string[]) =>
  argv.slice(1).filter((a) => path.isAbsolute(a) && /\.(jpe?g|png|webp|tiff?|avif)$/i.test(a) && isFile(a));

app.on('web-contents-created', (_event, contents) => lockDown(contents, () => rendererUrl));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
    photoArgs(argv).forEach(openFromSystem);
  });
  app.on('open-file', (event, photo) => {
    event.preventDefault();
    openFromSystem(photo);
  });
  photoArgs(process.argv).forEach(openFromSystem);
  app.whenReady().then(start, (err: unknown) => {
    dialog.showErrorBox('Holefill could not start', String(err));
    app.exit(1);
  });
}

async function start(): Promise<void> {
  const root = app.getAppPath();
  protocol.handle(APP_SCHEME, rendererProtocolHandler(path.join(here, '../renderer')));
  hardenSession(session.defaultSession, devUrl);

  const emit = windowEmitter(() => window?.webContents ?? null, log);
  const engine = new EngineClient({
    modelPath: app.isPackaged
      ? path.join(process.resourcesPath, 'models', 'pconv-unet.onnx')
      : path.join(root, 'native-models', 'pconv-unet.onnx'),
    spawner: utilityProcessSpawner(path.join(here, 'engine-worker.js'), log),
    log,
  });
  const context = await createContext({
    host: 'electron',
    version: app.getVersion(),
    engine,
    userData: app.getPath('userData'),
    dialogs: electronDialogs(() => window),
    reveal: async (p) => shell.showItemInFolder(p),
    grantsTypedPaths: false,
    emit,
    log,
  });
  ctx = context;
  // Starts the worker with the saved settings (the model loads while the window opens); the menu, set up
  // below, hears which provider it got.
  void startEngine(context).catch((err: unknown) => log(`engine did not start: ${err}`));

  const trusted = () => (window && !window.isDestroyed() ? { webContentsId: window.webContents.id, url: rendererUrl } : null);
  registerIpc(ipcMain, context, trusted);
  window = createMainWindow({
    preload: path.join(here, '../preload/preload.cjs'),
    url: rendererUrl,
    devTools: !app.isPackaged,
    icon: path.join(app.getAppPath(), 'assets', 'icon.png'),
  });
  window.on('close', (event) => confirmClose(event, context));
  window.on('closed', () => (window = null));
  // A crashed page comes back and is offered its document from the recovery file.
  window.webContents.on('render-process-gone', (_event, details) => {
    log(`the page stopped (${details.reason}); reloading`);
    if (details.reason !== 'clean-exit') window?.webContents.reload();
  });
  // The page's beforeunload guard is for the browser build; here main has already asked (confirmClose),
  // so the guard must not silently keep the window open.
  window.webContents.on('will-prevent-unload', (event) => event.preventDefault());
  window.webContents.once('did-finish-load', () => pendingOpens.splice(0).forEach(openFromSystem));

  // Rebuilt when the recent list changes and when the provider in use does (start, Settings' Apply).
  keepMenuCurrent(context, {
    isMac: process.platform === 'darwin',
    actions: {
      command: (command: MenuCommand) => emit('menu:command', { command }),
      openRecent: (photo: string) => emit('photo:granted', { path: photo }),
    },
    apply: (template) => Menu.setApplicationMenu(Menu.buildFromTemplate(template)),
  });
}

/** Closing with results not yet exported asks first; a clean close drops the recovery file. */
function confirmClose(event: Electron.Event, context: CommandContext): void {
  if (quitConfirmed) return;
  event.preventDefault();
  const ask = context.unsaved
    ? dialog.showMessageBox(window!, {
        type: 'question',
        buttons: ['Quit Without Exporting', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        message: 'Quit without exporting?',
        detail: 'The objects you removed are not in any exported file yet.',
      })
    : Promise.resolve({ response: 0 });
  void ask.then(async ({ response }) => {
    if (response !== 0) return;
    quitConfirmed = true;
    await context.recovery.clear().catch(() => undefined);
    app.quit();
  });
}

app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => void ctx?.engine.close());

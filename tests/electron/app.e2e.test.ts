// Electron end to end: the real app (out/, built here) with Playwright's _electron. Runs wherever an
// Electron binary exists; elsewhere it prints one SKIPPED line and skips.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, suite, test } from 'node:test';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { ensureBuilt } from '../helpers/build';
import { findElectron } from '../helpers/electron-binary';
import { maskRegion, tempDir, writePhoto } from '../helpers/temp';
import type { HolefillApi } from '../../main/contract/app-api';

declare global {
  interface Window {
    holefill?: HolefillApi;
  }
}

const root = path.resolve(import.meta.dirname, '../..');
const found = findElectron();
const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const skip = 'missing' in found ? found.missing : needsDisplay ? 'no display for Electron (run the tests under xvfb-run)' : null;
if (skip) console.log(`SKIPPED: Electron end-to-end tests: ${skip}`);

suite('Electron end to end', { skip: skip ?? false }, () => {
  let app: ElectronApplication;
  let page: Page;
  let dir: string;
  const cleanups: (() => unknown)[] = [];

  before(async () => {
    ensureBuilt();
    dir = await tempDir({ after: (fn) => cleanups.push(fn) });
    app = await _electron.launch({
      executablePath: (found as { executable: string }).executable,
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root],
      env: { ...process.env, HOLEFILL_USER_DATA: path.join(dir, 'user-data') } as Record<string, string>,
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForFunction(() => 'holefill' in window);
  });
  after(async () => {
    await app?.close();
    for (const fn of cleanups) await fn();
  });

  test('the window is isolated, sandboxed, without Node, on our own app:// page', async () => {
    assert.equal(page.url(), 'app://renderer/index.html');
    const permission = await page.evaluate(() => navigator.permissions.query({ name: 'notifications' }).then((p) => p.state));
    assert.equal(permission, 'denied', 'every permission is denied');
    const globals = await page.evaluate(() => [typeof (window as any).require, typeof (window as any).process, typeof (window as any).ipcRenderer]);
    assert.deepEqual(globals, ['undefined', 'undefined', 'undefined']);
    const evalBlocked = await page.evaluate(() => {
      try {
        return String((0, eval)('1 + 1'));
      } catch (e) {
        return (e as Error).name;
      }
    });
    assert.equal(evalBlocked, 'EvalError', 'the CSP forbids eval');
  });

  test('navigation away and new windows are denied', async () => {
    await page.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    assert.equal(page.url(), 'app://renderer/index.html');
    assert.equal(await page.evaluate(() => window.open('https://example.com/') === null), true);
    assert.equal(app.windows().length, 1);
  });

  test('the menu has Remove Object on Ctrl/Cmd+Shift+R, and its items reach the renderer', async () => {
    const accelerator = await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.getMenuItemById('removeObject')?.accelerator);
    assert.equal(accelerator, 'CmdOrCtrl+Shift+R');
    await page.evaluate(() => {
      (window as any).__commands = [];
      window.holefill!.on('menu:command', ({ command }) => (window as any).__commands.push(command));
    });
    await app.evaluate(({ Menu }) => {
      const menu = Menu.getApplicationMenu()!;
      menu.getMenuItemById('zoom100')!.click();
      menu.getMenuItemById('removeObject')!.click();
    });
    await page.waitForFunction(() => (window as any).__commands.length === 2);
    assert.deepEqual(await page.evaluate(() => (window as any).__commands), ['zoom100', 'removeObject']);
    const provider = await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.getMenuItemById('provider')?.label);
    assert.match(String(provider), /^Execution provider: /);
  });

  test('the preload API: the contract channels only, typed paths and made-up paths refused', async () => {
    const photo = await writePhoto(path.join(dir, 'photo.jpg'), 320, 240);
    const info = await page.evaluate(() => window.holefill!.invoke('app:info', {}));
    assert.equal(info.host, 'electron');
    const refusal = (channel: string, req: unknown) =>
      page.evaluate(([c, r]) => (window.holefill as any).invoke(c, r).then(() => 'accepted', (e: Error) => e.message), [channel, req] as const);
    assert.match(await refusal('drop:grant', { path: photo }), /^\[not-found\]/, 'preload-only channel');
    assert.match(await refusal('no:such', {}), /^\[not-found\]/);
    assert.match(await refusal('folder:grant', { path: photo, purpose: 'photo' }), /^\[unavailable\]/, 'typed paths are never granted in Electron');
    assert.match(await refusal('photo:open', { path: photo }), /^\[not-granted\]/);
    assert.match(await refusal('photo:open', { path: 7 }), /^\[invalid-request\]/);
  });

  test('open through the dialog, Remove Object in the utility process, export through the save dialog', { timeout: 120_000 }, async () => {
    const photo = await writePhoto(path.join(dir, 'beach.jpg'), 320, 240);
    const target = path.join(dir, 'beach-clean.png');
    await app.evaluate(({ dialog }, [open, save]) => {
      dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [open] })) as typeof dialog.showOpenDialog;
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath: save })) as typeof dialog.showSaveDialog;
    }, [photo, target] as const);
    const { rect, rgba } = await maskRegion(320, 240);
    const exported = await page.evaluate(async (mask) => {
      const api = window.holefill!;
      const chosen = await api.invoke('photo:choose', {});
      const doc = await api.invoke('photo:open', { path: chosen! });
      const result = await api.invoke('photo:removeObject', { docId: doc.docId, jobId: 'e2e', mask: { rect: mask.rect, rgba: new Uint8Array(mask.rgba) }, resultIds: [] });
      const out = await api.invoke('photo:export', { docId: doc.docId, resultIds: [result.resultId], path: null, format: 'png', quality: 90, overwriteOriginal: false });
      return { size: [doc.width, doc.height], holes: result.holes, out: out?.path };
    }, { rect, rgba: Array.from(rgba) });
    assert.deepEqual(exported, { size: [320, 240], holes: 1, out: target });
  });
});

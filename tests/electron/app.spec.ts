// Electron end to end: the real app (out/, built here) with Playwright's _electron (fixtures.ts). Runs wherever
// an Electron binary exists (ELECTRON_OVERRIDE_DIST_PATH); elsewhere the project reports one skipped test that
// says why.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { HolefillApi } from '../../main/contract/app-api';
import { maskRegion, writePhoto } from '../helpers/temp';
import { expect } from '@playwright/test';
import { electronSkip, test } from './fixtures';

declare global {
  interface Window {
    holefill?: HolefillApi;
  }
}

if (electronSkip) {
  test.skip(`Electron end to end: SKIPPED: ${electronSkip}`, () => {});
} else {
  test.describe('Electron end to end', () => {
    test('the window is isolated, sandboxed, without Node, on our own app:// page', async ({ window: page }) => {
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

    test('navigation away and new windows are denied', async ({ app, window: page }) => {
      await page.evaluate(() => {
        location.href = 'https://example.com/';
      });
      await page.waitForTimeout(500);
      assert.equal(page.url(), 'app://renderer/index.html');
      assert.equal(await page.evaluate(() => window.open('https://example.com/') === null), true);
      assert.equal(app.windows().length, 1);
    });

    test('the menu has Remove Object on Ctrl/Cmd+Shift+R, and its items reach the renderer', async ({ app, window: page }) => {
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

    test('the preload API: the contract channels only, typed paths and made-up paths refused', async ({ window: page, appDir: dir }) => {
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

    test("the window's title names the photo opened with File > Open", async ({ app, window: page, appDir: dir }) => {
      const photo = await writePhoto(path.join(dir, 'harbour.jpg'), 320, 240);
      await app.evaluate(({ dialog }, open) => {
        dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [open] })) as typeof dialog.showOpenDialog;
      }, photo);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await page.locator('[data-photo="harbour.jpg"]').waitFor();
      const title = () => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.getTitle());
      await expect.poll(title).toBe('harbour.jpg — Holefill');
    });

    test('open through the dialog, Remove Object in the utility process, export through the save dialog', async ({ app, window: page, appDir: dir }) => {
      const photo = await writePhoto(path.join(dir, 'beach.jpg'), 320, 240);
      const target = path.join(dir, 'beach-clean.png');
      await app.evaluate(({ dialog }, [open, save]) => {
        dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [open] })) as typeof dialog.showOpenDialog;
        dialog.showSaveDialog = (async () => ({ canceled: false, filePath: save })) as typeof dialog.showSaveDialog;
      }, [photo, target] as const);
      const region = await maskRegion(320, 240);
      const exported = await page.evaluate(async (mask) => {
        const api = window.holefill!;
        const chosen = await api.invoke('photo:choose', {});
        const doc = await api.invoke('photo:open', { path: chosen! });
        const result = await api.invoke('photo:removeObject', { docId: doc.docId, jobId: 'e2e', mask: { ...mask, data: new Uint8Array(mask.data) }, resultIds: [] });
        const out = await api.invoke('photo:export', { docId: doc.docId, resultIds: [result.resultId], path: null, format: 'png', quality: 90, overwriteOriginal: false });
        return { size: [doc.width, doc.height], holes: result.holes, out: out?.path };
      }, { ...region, data: Array.from(region.data) });
      assert.deepEqual(exported, { size: [320, 240], holes: 1, out: target });
    });
  });
}

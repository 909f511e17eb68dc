// The electron project's fixtures: the built app (out/, built here) launched with Playwright's _electron, one
// per worker, with its own userData folder; each test is traced, and keeps its trace and a screenshot of the
// window when it fails (Playwright's own trace and screenshot options cover browser pages, not Electron's).
//
// `electronSkip` says why the app cannot run here (no binary, no display), or null where it can.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { _electron, test as base, type ElectronApplication, type Page } from '@playwright/test';
import { ensureBuilt } from '../helpers/build';
import { findElectron } from '../../scripts/electron-binary';

const root = path.resolve(import.meta.dirname, '../..');
const found = findElectron();
const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;

export const electronSkip: string | null =
  'missing' in found ? found.missing : needsDisplay ? 'no display for Electron (run the tests under xvfb-run)' : null;

interface WorkerFixtures {
  /** A folder for the worker's files, removed afterwards; the app's userData is inside it. */
  appDir: string;
  app: ElectronApplication;
  /** The app's window, once the preload's API is there. */
  window: Page;
}

export const test = base.extend<{ traced: void }, WorkerFixtures>({
  appDir: [
    async ({}, use) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'holefill-e2e-'));
      await use(dir);
      await rm(dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  app: [
    async ({ appDir }, use) => {
      if (!('executable' in found)) throw new Error(`no Electron binary: ${found.missing}`);
      ensureBuilt();
      const app = await _electron.launch({
        executablePath: found.executable,
        args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root],
        env: { ...process.env, HOLEFILL_USER_DATA: path.join(appDir, 'user-data') } as Record<string, string>,
        timeout: 60_000,
      });
      await use(app);
      await app.close();
    },
    { scope: 'worker', timeout: 300_000 },
  ],
  window: [
    async ({ app }, use) => {
      const page = await app.firstWindow();
      await page.waitForFunction(() => 'holefill' in window);
      await use(page);
    },
    { scope: 'worker' },
  ],
  traced: [
    async ({ app, window }, use, testInfo) => {
      await app.context().tracing.start({ screenshots: true, snapshots: true });
      await use();
      const failed = testInfo.status !== testInfo.expectedStatus;
      if (failed) {
        await window.screenshot({ path: testInfo.outputPath('window.png') }).catch(() => {});
        await app.context().tracing.stop({ path: testInfo.outputPath('trace.zip') });
      } else {
        await app.context().tracing.stop();
      }
    },
    { auto: true },
  ],
});

// Settings in Debian's Chromium against the real web host and engine: Edit > Settings…, CPU, one thread and the
// patches texture, Apply; the engine restarts with them (app:info over HTTP says so), the status bar shows the provider from
// Apply's answer, Cancel changes nothing, and the next start of the host runs the saved settings.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type Page } from '@playwright/test';
import type { AppInfo } from '../../main/contract/app-api';
import { decodeWire, encodeWire } from '../../main/contract/wire';
import { autoThreads, logicalCores } from '../../main/engine/model/cpu-cores';
import { callApi } from '../helpers/http';
import { startWebHostForTests, type TestWebHost } from '../helpers/web-host';

/** Restarting the engine loads the model again on a busy 2-core machine: generous, never a timing. */
const ENGINE_TIMEOUT = 180_000;

let userData: string; // shared by both runs of the host: the settings must survive the restart
let host: TestWebHost; // its own, not the shared fixture's: this test restarts it

test.beforeAll(async () => {
  userData = await mkdtemp(path.join(os.tmpdir(), 'holefill-ui-settings-'));
  host = await startWebHostForTests(undefined, { userData });
});

test.afterAll(async () => {
  await host?.close();
  await rm(userData, { recursive: true, force: true });
});

async function appInfo(of: TestWebHost): Promise<AppInfo> {
  const r = await callApi(of.port, of.token, 'app:info', {});
  assert.equal(r.status, 200, r.body.slice(0, 300));
  return r.json().value as AppInfo;
}

const statusProvider = (page: Page) => page.getByLabel('Status').getByTitle('Execution provider in use');

test('Settings: CPU, 1 thread and the patches texture applied run the engine with them, show in the status bar, and persist', async ({ page }) => {
  assert.equal(autoThreads() > 1, true, 'this test needs automatic threads to differ from 1 (2 physical cores here)');
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));

  // Automatic is CPU on this machine, so CPU in the status bar would prove nothing: the page's first app:info
  // (the real answer) is changed to say DirectML. CPU can then only come from Apply's answer.
  await page.route(
    (url) => decodeURIComponent(url.pathname) === '/api/app:info',
    async (route) => {
      const real = await route.fetch();
      const reply = decodeWire(await real.text()) as { ok: true; value: AppInfo };
      assert.equal(reply.ok, true);
      await route.fulfill({ response: real, body: encodeWire({ ...reply, value: { ...reply.value, provider: 'dml' } }) });
    },
    { times: 1 },
  );
  await page.goto(host.url);
  await page.locator('[data-ready="true"]').waitFor();
  await statusProvider(page).filter({ hasText: /^DirectML$/ }).waitFor();

  // Edit > Settings… in the page's menu bar.
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Settings…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.waitFor();

  const providerSelect = dialog.getByLabel('Execution provider');
  const threadsSelect = dialog.getByLabel('Threads');
  assert.equal(await providerSelect.inputValue(), 'auto');
  assert.equal(await threadsSelect.inputValue(), '0');
  const providerOptions = await providerSelect.locator('option').allTextContents();
  assert.deepEqual(providerOptions, ['Automatic (best available)', 'CPU'], 'automatic, then what the engine has here');
  const threadOptions = (await threadsSelect.locator('option').allTextContents()).map((s) => s.trim());
  const cores = Array.from({ length: logicalCores() }, (_, i) => String(i + 1));
  assert.deepEqual(threadOptions, [`Automatic (one per physical core: ${autoThreads()})`, ...cores]);
  const precisionSelect = dialog.getByLabel('Precision');
  assert.equal(await precisionSelect.inputValue(), 'auto');
  assert.deepEqual(await precisionSelect.locator('option').allTextContents(), ['Automatic (full, fp32)', 'Full (fp32)', 'Fast (int8)']);
  // What auto resolves to, as the real engine decided it.
  const autoPrecision = 'full (fp32)';
  await dialog.getByTestId('precision-in-use').filter({ hasText: `In use: ${autoPrecision}.` }).waitFor({ timeout: ENGINE_TIMEOUT });
  const textureSelect = dialog.getByLabel('Texture');
  assert.equal(await textureSelect.inputValue(), 'grain');
  assert.deepEqual(await textureSelect.locator('option').allTextContents(), ['Fine grain (closest to the photo)', 'Patches (natural sand, wood, water)', "Off (the network's fill alone)"]);
  const apply = dialog.getByRole('button', { name: 'Apply', exact: true });
  assert.equal(await apply.isDisabled(), true, 'nothing to apply yet');

  await threadsSelect.selectOption('1');
  await providerSelect.selectOption({ label: 'CPU' });
  await precisionSelect.selectOption('fp32');
  await textureSelect.selectOption('patches');
  await apply.click();
  await dialog.getByRole('status').filter({ hasText: 'Applied. Running on CPU with 1 thread, full (fp32).' }).waitFor({ timeout: ENGINE_TIMEOUT });
  assert.equal(await dialog.getByRole('alert').count(), 0, 'no error');
  await dialog.getByTestId('provider-in-use').filter({ hasText: 'In use: CPU' }).waitFor();
  await dialog.getByTestId('threads-in-use').filter({ hasText: 'In use: 1 thread.' }).waitFor();
  assert.equal((await statusProvider(page).innerText()).trim(), 'CPU', 'the status bar shows the provider Apply answered');

  // The real host: the engine was restarted with them, and they are saved in userData.
  const info = await appInfo(host);
  assert.deepEqual([info.provider, info.threads, info.fallback, info.precision], ['cpu', 1, null, 'fp32']);
  assert.deepEqual(info.settings, { provider: 'cpu', threads: 1, precision: 'fp32', texture: 'patches' });
  assert.deepEqual(JSON.parse(await readFile(path.join(userData, 'settings.json'), 'utf8')), info.settings);

  // Cancel leaves everything as it was. Ctrl+, opens Settings in the browser.
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.keyboard.press('Control+Comma');
  await dialog.waitFor();
  assert.deepEqual([await providerSelect.inputValue(), await threadsSelect.inputValue(), await textureSelect.inputValue()], ['cpu', '1', 'patches'], 'the dialog shows what is set');
  await providerSelect.selectOption('auto');
  await threadsSelect.selectOption('0');
  await textureSelect.selectOption('off');
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  const unchanged = await appInfo(host);
  assert.deepEqual([unchanged.threads, unchanged.settings], [1, info.settings]);
  assert.deepEqual(errors, []);

  // The next start of the host (same userData) runs the engine with the saved settings.
  await host.close();
  host = await startWebHostForTests(undefined, { userData });
  const restarted = await appInfo(host);
  assert.deepEqual([restarted.provider, restarted.threads, restarted.settings], ['cpu', 1, info.settings]);
});

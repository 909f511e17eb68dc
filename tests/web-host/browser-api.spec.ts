// renderer/api.ts's browser client in Debian's Chromium, on the page the web host serves, against the real
// engine: the token from the URL, typed errors, Server-Sent Events, bytes both ways, a dropped file.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { maskRegion, writePhoto } from '../helpers/temp';
import { test } from '../ui/fixtures';

const root = path.resolve(import.meta.dirname, '../..');

/** renderer/api.ts bundled for an init script (which the page's CSP does not apply to). */
async function apiBundle(): Promise<string> {
  const out = await build({
    stdin: { contents: "import { createWebApi } from './renderer/api'; (window as any).__createWebApi = createWebApi;", resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

test('the browser API client speaks the web host\'s protocol with the real engine', async ({ page, webHost: host, workDir }) => {
  const photo = await writePhoto(path.join(workDir, 'drop.jpg'), 160, 120);
  await page.addInitScript({ content: await apiBundle() });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));

  await page.goto(host.url);
  await page.waitForFunction(() => !location.search.includes('token='));
  assert.equal(page.url(), `${host.origin}/`, 'the token is taken off the address bar');

  const outcome = await page.evaluate(
    async ({ photoBytes, mask }) => {
      const api = (window as any).__createWebApi();
      const info = await api.invoke('app:info', {});
      const refused = await api.invoke('photo:open', { path: '/etc/passwd' }).then(
        () => null,
        (e: { name: string; code: string; message: string }) => ({ name: e.name, code: e.code, message: e.message }),
      );
      const progress: string[] = [];
      api.on('job:progress', (p: { stage: string }) => progress.push(p.stage));
      await new Promise((r) => setTimeout(r, 300)); // the event stream connects
      const dropped = await api.grantDroppedFile(new File([new Uint8Array(photoBytes)], 'drop.jpg', { type: 'image/jpeg' }));
      const doc = await api.invoke('photo:open', { path: dropped });
      const result = await api.invoke('photo:removeObject', { docId: doc.docId, jobId: 'browser', mask: { ...mask, data: new Uint8Array(mask.data) }, resultIds: [] });
      return {
        host: info.host,
        refused,
        droppedName: dropped.split('/').pop(),
        size: [doc.width, doc.height],
        previewIsBytes: doc.preview instanceof Uint8Array,
        patchIsBytes: result.patch instanceof Uint8Array && result.patch.length > 0,
        progress,
      };
    },
    { photoBytes: Array.from(await readFile(photo)), mask: await maskRegion(160, 120).then((mask) => ({ ...mask, data: Array.from(mask.data) })) },
  );

  assert.equal(outcome.host, 'web');
  assert.deepEqual(outcome.refused && { name: outcome.refused.name, code: outcome.refused.code }, { name: 'ApiError', code: 'not-granted' });
  assert.match(outcome.refused!.message, /\/etc\/passwd/);
  assert.equal(outcome.droppedName, 'drop.jpg');
  assert.deepEqual(outcome.size, [160, 120]);
  assert.ok(outcome.previewIsBytes && outcome.patchIsBytes, 'bytes arrive as Uint8Array');
  assert.ok(outcome.progress.length > 0, 'job:progress events arrived over SSE');

  await page.reload();
  const afterReload = await page.evaluate(() => (window as any).__createWebApi().invoke('app:info', {}).then((i: { host: string }) => i.host));
  assert.equal(afterReload, 'web', 'a reload keeps the token for this tab');
  assert.deepEqual(problems, []);
});

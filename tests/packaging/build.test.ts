// `npm run build` (electron-vite) produces the three parts Electron loads, in the shapes it needs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { metaContentSecurityPolicy } from '../../main/page/csp';
import { EngineClient, childProcessSpawner } from '../../main/engine';
import { ensureBuilt, outDir } from '../helpers/build';
import { tempDir, writePhoto } from '../helpers/temp';

test('main, the engine worker (and its inference thread), the preload and the renderer are built', () => {
  ensureBuilt();
  for (const file of ['main/app.js', 'main/engine-worker.js', 'main/engine-inference.js', 'preload/preload.cjs', 'renderer/index.html']) {
    assert.ok(existsSync(path.join(outDir, file)), `out/${file}`);
  }
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { main: string };
  assert.equal(pkg.main, 'out/main/app.js', "package.json's main is the built app");
});

test('the preload is a self-contained CommonJS script, as a sandboxed preload must be', () => {
  const preload = readFileSync(path.join(outDir, 'preload/preload.cjs'), 'utf8');
  const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(required)], ['electron'], 'only electron is required; zod and the contract are bundled');
  assert.doesNotMatch(preload, /^\s*import\s/m, 'no ES module syntax');
  assert.match(preload, /exposeInMainWorld\("holefill"/);
});

test('the built page carries the one CSP, without unsafe-eval or inline scripts', () => {
  const html = readFileSync(path.join(outDir, 'renderer/index.html'), 'utf8');
  const metas = [...html.matchAll(/http-equiv="Content-Security-Policy"\s+content="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&#39;', "'"));
  assert.deepEqual(metas, [metaContentSecurityPolicy]);
  assert.doesNotMatch(metaContentSecurityPolicy, /unsafe-eval/);
  assert.match(metaContentSecurityPolicy, /script-src 'self';/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline <script>');
  assert.doesNotMatch(html, /https?:\/\//, 'nothing remote');
});

test('the built engine worker (what utilityProcess forks) runs a job', { timeout: 120_000 }, async (t) => {
  ensureBuilt();
  const dir = await tempDir(t);
  const photo = await writePhoto(path.join(dir, 'p.jpg'), 120, 80);
  const client = new EngineClient({ spawner: childProcessSpawner(path.join(outDir, 'main/engine-worker.js')) });
  t.after(() => client.close());
  const preview = await client.preview(photo, 64);
  assert.deepEqual([preview.width, preview.height, preview.previewWidth], [120, 80, 64]);
  assert.match((await client.info()).model, /pconv-unet(\.int8)?\.onnx$/);
});

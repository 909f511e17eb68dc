// Electronegativity (Doyensec's Electron security scanner) over what decides Holefill's security: the main
// process and preload sources, the built preload that actually runs, the built page (its CSP) and the
// renderer's TypeScript. Fails on any finding of MEDIUM or higher, or on a file it could not parse (a file
// it skipped would be a file it did not check). Runs offline: its two look-ups on the internet (updated
// translations, Electron's release list for AVAILABLE_SECURITY_FIXES) are answered "no connectivity" by a
// stub, so the result never depends on the network; Electron's version is pinned by package.json instead.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ensureBuilt, outDir } from '../helpers/build';

interface Issue {
  id: string;
  file: string;
  location: { line: number; column: number };
  severity: { name: string; value: number };
  confidence: { name: string };
  description: string;
}
interface Result {
  globalChecks: number;
  atomicChecks: number;
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: Issue[];
}
type Run = (options: Record<string, unknown>) => Promise<Result>;

const require = createRequire(import.meta.url);
offline();
const run = require('@doyensec/electronegativity/dist/runner.js') as Run;

/** Its HTTP client (got) as if there were no network: every request fails at once. */
function offline(): void {
  const scanner = createRequire(require.resolve('@doyensec/electronegativity/package.json'));
  const gotPath = scanner.resolve('got');
  const noNetwork = () => Promise.reject(new Error('offline: electronegativity runs without the network in tests'));
  const got = Object.assign(noNetwork, { head: noNetwork, get: noNetwork, default: noNetwork });
  require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: got } as unknown as NodeJS.Module;
}
const electronVersion = (require('electron/package.json') as { version: string }).version;
const MEDIUM = 2;

/** What is scanned, copied into one folder (the scanner takes one input; its global checks see all of it). */
function stage(): string {
  const root = path.resolve(import.meta.dirname, '../..');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'holefill-electronegativity-'));
  const typescript = (src: string) => src.endsWith('.ts') || !path.extname(src);
  cpSync(path.join(root, 'main'), path.join(dir, 'main'), { recursive: true, filter: typescript });
  cpSync(path.join(root, 'renderer'), path.join(dir, 'renderer'), { recursive: true, filter: typescript });
  cpSync(path.join(outDir, 'preload'), path.join(dir, 'out/preload'), { recursive: true });
  cpSync(path.join(outDir, 'renderer/index.html'), path.join(dir, 'out/renderer/index.html'));
  cpSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  return dir;
}

test('electronegativity finds nothing of medium or higher severity', { timeout: 180_000 }, async () => {
  ensureBuilt();
  const input = stage();
  try {
    const result = await run({ input, electronVersionOverride: electronVersion, customScan: [], excludeFromScan: [], parserPlugins: [] });
    const bySeverity = new Map<string, number>();
    for (const i of result.issues) bySeverity.set(i.severity.name, (bySeverity.get(i.severity.name) ?? 0) + 1);
    const counts = ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'].map((s) => `${s} ${bySeverity.get(s) ?? 0}`).join(', ');
    console.log(`electronegativity ${require('@doyensec/electronegativity/package.json').version}: ${result.globalChecks + result.atomicChecks} checks, Electron ${electronVersion}: ${counts}`);
    for (const i of result.issues) {
      console.log(`  ${i.severity.name} ${i.confidence.name} ${i.id} ${path.relative(input, i.file) || i.file}:${i.location.line} ${i.description}`);
    }
    const unparsed = result.errors.filter((e) => !e.tolerable);
    assert.deepEqual(unparsed.map((e) => `${path.relative(input, e.file)}: ${e.message}`), [], 'every file was parsed');
    const serious = result.issues.filter((i) => i.severity.value >= MEDIUM);
    assert.deepEqual(serious.map((i) => `${i.id} ${path.relative(input, i.file)}:${i.location.line}`), []);
    assert.ok(readFileSync(path.join(input, 'out/preload/preload.cjs'), 'utf8').includes('exposeInMainWorld'), 'the built preload was scanned');
  } finally {
    rmSync(input, { recursive: true, force: true });
  }
});

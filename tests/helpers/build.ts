// `npm run build` once per change: tests that need out/ (the web host's page, electronegativity, Electron)
// call ensureBuilt(), which rebuilds only when a source is newer than the last build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const stamp = path.join(root, 'out', '.build-stamp');
const sources = ['main', 'renderer', 'electron.vite.config.ts', 'package.json'];

function newestMtime(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export const outDir = path.join(root, 'out');
export const rendererDir = path.join(outDir, 'renderer');

export function ensureBuilt(): void {
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const changed = Math.max(...sources.map((s) => path.join(root, s)).filter(existsSync).map(newestMtime));
  if (built > changed && existsSync(path.join(rendererDir, 'index.html'))) return;
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
  writeFileSync(stamp, new Date(started).toISOString());
  utimesSync(stamp, started / 1000, started / 1000); // a source saved during the build still counts as newer
}

// `npm start` where Electron's binary cannot be downloaded: the build succeeds, then one line says what is
// missing, why, and what to do (not electron's stack trace, which says to delete node_modules/electron).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { findElectron } from '../../scripts/electron-binary';

const root = path.resolve(import.meta.dirname, '../..');
const found = findElectron();

test('npm start without an Electron binary and no way to download it ends in one line that says what to do', () => {
  if ('executable' in found) return console.log(`SKIPPED: npm start would launch Electron here (${found.executable})`);
  // Electron's download goes to a closed port on this machine: it fails at once, with or without a network.
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/' };
  delete env.ELECTRON_OVERRIDE_DIST_PATH;
  const r = spawnSync('npm', ['start'], { cwd: root, env, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  const ours = lines.filter((l) => l.startsWith('holefill:'));
  assert.equal(ours.length, 1, `one line:\n${r.stderr}`);
  assert.equal(lines.at(-1), ours[0], 'and it is the last word');
  assert.match(lines.at(-1)!, /^holefill: cannot start the desktop app: Electron \d+\.\d+\.\d+ is not installed and could not be downloaded from http:\/\/127\.0\.0\.1:9\/ \(.+\)\. /);
  assert.match(ours[0]!, /ELECTRON_OVERRIDE_DIST_PATH/);
  assert.match(ours[0]!, /`npm run web` runs the same editor in a browser/);
  assert.doesNotMatch(r.stderr, /\n\s+at |node_modules\/electron`/, 'no stack trace, no advice to delete node_modules/electron');
  assert.match(r.stdout, /built in/, 'the build itself succeeded');
});

// `npm start`, after the build: Electron on the built app. Electron's binary is downloaded at its first launch;
// where that cannot happen (no connection to Electron's download host) one line says what is missing, why and
// what to do, instead of electron's stack trace and its advice to delete node_modules/electron.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { electronPackage, findElectron } from './electron-binary';

const root = path.resolve(import.meta.dirname, '..');
const version = (JSON.parse(readFileSync(path.join(electronPackage, 'package.json'), 'utf8')) as { version: string }).version;

function fail(line: string): never {
  process.stderr.write(`holefill: cannot start the desktop app: ${line}\n`);
  process.exit(1);
}

let found = findElectron();
if ('missing' in found && found.downloadable) {
  process.stderr.write(`Downloading Electron ${version} (once, at the first start)…\n`);
  const download = spawnSync(process.execPath, [path.join(electronPackage, 'install.js')], { encoding: 'utf8' });
  if (download.status !== 0) {
    const why = `${download.stderr}${download.stdout}`.split('\n').find((l) => l.trim())?.replace(/^\w*Error: /, '').trim() ?? `exit code ${download.status}`;
    const from = process.env.ELECTRON_MIRROR ?? 'GitHub';
    fail(
      `Electron ${version} is not installed and could not be downloaded from ${from} (${why}). ` +
        `Run npm start again once connected, or set ELECTRON_OVERRIDE_DIST_PATH to an Electron ${version.split('.')[0]} build; ` +
        '`npm run web` runs the same editor in a browser without Electron.',
    );
  }
  found = findElectron();
}
if ('missing' in found) fail(`${found.missing}.`);

const app = spawn(found.executable, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.kill(signal));
app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// Where an Electron binary is, without triggering electron's lazy download (requiring 'electron' would).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const pkg = path.resolve(import.meta.dirname, '../../node_modules/electron');
const platformExe: Record<string, string> = {
  linux: 'electron',
  win32: 'electron.exe',
  darwin: 'Electron.app/Contents/MacOS/Electron',
};

/** The executable, or why there is none (one sentence for the SKIPPED line). */
export function findElectron(): { executable: string } | { missing: string } {
  const pathTxt = path.join(pkg, 'path.txt');
  const relative = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : (platformExe[process.platform] ?? 'electron');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const executable = path.join(override, relative);
    return existsSync(executable) ? { executable } : { missing: `ELECTRON_OVERRIDE_DIST_PATH has no ${relative} (${executable})` };
  }
  const downloaded = path.join(pkg, 'dist', relative);
  if (existsSync(downloaded)) return { executable: downloaded };
  return { missing: 'no Electron binary (electron@45 was installed for its types; set ELECTRON_OVERRIDE_DIST_PATH to an Electron build)' };
}

// Where the Electron binary is, without triggering electron's lazy download (requiring 'electron' would):
// for `npm start` (scripts/start-electron.ts) and the electron test project (tests/electron/fixtures.ts).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const electronPackage = path.resolve(import.meta.dirname, '../node_modules/electron');
const platformExe: Record<string, string> = {
  linux: 'electron',
  win32: 'electron.exe',
  darwin: 'Electron.app/Contents/MacOS/Electron',
};

/** The executable, or why there is none (one sentence), and whether a download could still bring it. */
export function findElectron(): { executable: string } | { missing: string; downloadable: boolean } {
  const pathTxt = path.join(electronPackage, 'path.txt');
  const relative = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : (platformExe[process.platform] ?? 'electron');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const executable = path.join(override, relative);
    return existsSync(executable) ? { executable } : { missing: `ELECTRON_OVERRIDE_DIST_PATH has no ${relative} (${executable})`, downloadable: false };
  }
  const downloaded = path.join(electronPackage, 'dist', relative);
  if (existsSync(downloaded)) return { executable: downloaded };
  return { missing: 'no Electron binary (electron@45 was installed for its types; set ELECTRON_OVERRIDE_DIST_PATH to an Electron build)', downloadable: true };
}

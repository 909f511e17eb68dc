import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { GrantPurpose } from '../contract/app-api';
import { Failure } from '../contract/failure';
import { normalisePath } from '../state/grants';
import type { Command } from './context';

/** What must already exist on disk for a typed path to be granted. */
const mustExist: Record<GrantPurpose, 'file' | 'folder' | 'parent'> = {
  photo: 'file',
  mask: 'file',
  input: 'folder',
  masks: 'folder',
  output: 'parent', // the batch creates it if missing
  export: 'parent',
};

async function kindOf(p: string): Promise<'file' | 'folder' | null> {
  const s = await stat(p).catch(() => null);
  return s === null ? null : s.isDirectory() ? 'folder' : 'file';
}

/** As a shell would read it: `~` is the home folder, and a relative path starts there too. */
export function resolveTyped(typed: string): string {
  const home = os.homedir();
  const trimmed = typed.trim();
  if (trimmed === '~') return home;
  if (/^~[\\/]/.test(trimmed)) return path.join(home, trimmed.slice(2));
  return path.isAbsolute(trimmed) ? trimmed : path.resolve(home, trimmed);
}

/** A typed path: granted in the web host only (see CommandContext.grantsTypedPaths). */
export const folderGrant: Command<'folder:grant'> = async (ctx, { path: typed, purpose }) => {
  if (!ctx.grantsTypedPaths) {
    throw new Failure('unavailable', 'Typed paths are not accepted here: choose the file or folder with the dialog.');
  }
  const p = normalisePath(resolveTyped(typed));
  const need = mustExist[purpose];
  const found = await kindOf(need === 'parent' ? path.dirname(p) : p);
  if (need === 'parent' ? found !== 'folder' : found !== need) throw new Failure('not-found', notThere(p, purpose, found));
  return ctx.grants.grant(p, purpose);
};

/** Why a typed path is not what was asked for, with what to do instead. */
function notThere(p: string, purpose: GrantPurpose, found: 'file' | 'folder' | null): string {
  const need = mustExist[purpose];
  if (need === 'parent') return `No such folder ${path.dirname(p)}: the folder to save into must exist.`;
  if (found === 'folder') return `${p} is a folder: type the path of a file in it${purpose === 'photo' ? ', or choose the photo with "Choose file…"' : ''}.`;
  if (found === 'file') return `${p} is a file, not a folder: type the folder that holds it, ${path.dirname(p)}.`;
  return `No such ${need} ${p}.`;
}

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Failure } from '../app-error';
import { normalisePath } from '../grants';
import type { GrantPurpose } from '../contract/app-api';
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

/** A typed path: granted in the web host only (see CommandContext.grantsTypedPaths). */
export const folderGrant: Command<'folder:grant'> = async (ctx, { path: typed, purpose }) => {
  if (!ctx.grantsTypedPaths) {
    throw new Failure('unavailable', 'Typed paths are not accepted here: choose the file or folder with the dialog.');
  }
  const p = normalisePath(typed);
  const need = mustExist[purpose];
  const found = await kindOf(need === 'parent' ? path.dirname(p) : p);
  if (need === 'parent' ? found !== 'folder' : found !== need) {
    const what = need === 'parent' ? `folder ${path.dirname(p)}` : `${need} ${p}`;
    throw new Failure('not-found', `No such ${what}.`);
  }
  return ctx.grants.grant(p, purpose);
};

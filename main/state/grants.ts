// Which files and folders the renderer may touch. Main adds a grant only when the person chose the path
// (a dialog, a drop, the recent list, or a typed path in the web host); every command that takes a path from
// the renderer asks `require` first, so a path the renderer makes up is refused.
import path from 'node:path';
import type { GrantPurpose } from '../contract/app-api';
import { Failure } from '../contract/failure';

export type Access = 'read' | 'write';
type Kind = 'file' | 'folder';

interface Grant {
  kind: Kind;
  access: ReadonlySet<Access>;
}

/** What each purpose lets the renderer do with the path. */
const purposeGrants: Record<GrantPurpose, { kind: Kind; access: Access[] }> = {
  photo: { kind: 'file', access: ['read'] },
  mask: { kind: 'file', access: ['read'] },
  input: { kind: 'folder', access: ['read'] },
  masks: { kind: 'folder', access: ['read'] },
  output: { kind: 'folder', access: ['read', 'write'] },
  export: { kind: 'file', access: ['write'] },
};

const caseInsensitive = process.platform === 'win32' || process.platform === 'darwin';

/** Absolute, normalised, and comparable; anything else is refused before it reaches the disk. */
export function normalisePath(raw: string): string {
  if (raw.includes('\0')) throw new Failure('invalid-request', 'A path cannot contain a NUL character.');
  if (!path.isAbsolute(raw)) throw new Failure('not-granted', `Not an absolute path: ${raw}`);
  return path.resolve(raw); // folds '..' and trailing separators
}

const key = (p: string) => (caseInsensitive ? p.toLowerCase() : p);

export class Grants {
  readonly #grants = new Map<string, Grant>();

  /** Grants a path for a purpose and returns it normalised (the form the renderer should use). */
  grant(raw: string, purpose: GrantPurpose): string {
    const { kind, access } = purposeGrants[purpose];
    return this.add(raw, kind, access);
  }

  add(raw: string, kind: Kind, access: Access[]): string {
    const p = normalisePath(raw);
    const old = this.#grants.get(key(p));
    const merged = new Set([...(old?.access ?? []), ...access]);
    this.#grants.set(key(p), { kind: old?.kind === 'folder' ? 'folder' : kind, access: merged });
    return p;
  }

  has(raw: string, access: Access): boolean {
    let p: string;
    try {
      p = normalisePath(raw);
    } catch {
      return false;
    }
    const exact = this.#grants.get(key(p));
    if (exact?.access.has(access)) return true;
    // A folder grant covers everything beneath it (batch inputs, outputs, mask folders).
    for (let dir = path.dirname(p), prev = p; dir !== prev; prev = dir, dir = path.dirname(dir)) {
      const g = this.#grants.get(key(dir));
      if (g?.kind === 'folder' && g.access.has(access)) return true;
    }
    return false;
  }

  /** The normalised path if granted for `access`, else a clear refusal. */
  require(raw: string, access: Access): string {
    if (!this.has(raw, access)) {
      const verb = access === 'read' ? 'read' : 'write to';
      throw new Failure('not-granted', `Holefill may not ${verb} ${raw}: choose it with Open, a drop or the recent list.`);
    }
    return normalisePath(raw);
  }
}

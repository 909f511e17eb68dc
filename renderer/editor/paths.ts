// Path text for display and defaults. The renderer never touches the disk: main normalises and checks.

/** Windows paths use backslashes; everything else (and a mix) uses slashes. */
const separator = (path: string) => (path.includes('\\') && !path.includes('/') ? '\\' : '/');

export function joinPath(dir: string, name: string): string {
  const sep = separator(dir);
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
}

export const samePath = (a: string, b: string): boolean =>
  a.replace(/[\\/]+$/, '') === b.replace(/[\\/]+$/, '');

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

// The recent photos, newest first, kept in userData/recent.json. The person chose each of them, so main
// grants them (read) when the list is loaded: Open Recent is one of the ways a path becomes granted.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readJsonOr, writeFileAtomic, WriteQueue } from './atomic-file';

const MAX_RECENT = 10;
const RecentFile = z.array(z.string().min(1).max(4096)).max(100);

export class RecentList {
  readonly #file: string;
  readonly #queue = new WriteQueue();
  #paths: string[] = [];
  readonly #listeners = new Set<() => void>();

  private constructor(dir: string) {
    this.#file = path.join(dir, 'recent.json');
  }

  static async load(dir: string): Promise<RecentList> {
    const list = new RecentList(dir);
    const saved = await readJsonOr(list.#file, RecentFile, []);
    list.#paths = saved.filter((p) => path.isAbsolute(p)).slice(0, MAX_RECENT);
    return list;
  }

  /** Paths that still exist (a moved photo drops out of the menu but stays in the file). */
  list(): string[] {
    return this.#paths.filter((p) => existsSync(p));
  }

  all(): readonly string[] {
    return this.#paths;
  }

  /** Called after every change (the Open Recent menu is rebuilt). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  async add(photo: string): Promise<void> {
    this.#paths = [photo, ...this.#paths.filter((p) => p !== photo)].slice(0, MAX_RECENT);
    for (const listener of this.#listeners) listener();
    const snapshot = this.#paths;
    await this.#queue.run(() => writeFileAtomic(this.#file, JSON.stringify(snapshot, null, 2)));
  }
}

// The person's engine settings, kept in userData/settings.json.
import path from 'node:path';
import { Settings } from '../contract/app-api';
import { readJsonOr, writeFileAtomic, WriteQueue } from './atomic-file';

export const defaultSettings: Settings = { provider: 'auto', threads: 0, precision: 'auto', texture: 'grain' };

export class SettingsStore {
  readonly #file: string;
  readonly #queue = new WriteQueue();
  #current: Settings = defaultSettings;

  private constructor(dir: string) {
    this.#file = path.join(dir, 'settings.json');
  }

  static async load(dir: string): Promise<SettingsStore> {
    const store = new SettingsStore(dir);
    store.#current = await readJsonOr(store.#file, Settings, defaultSettings);
    return store;
  }

  get(): Settings {
    return this.#current;
  }

  async set(next: Settings): Promise<void> {
    this.#current = next;
    await this.#queue.run(() => writeFileAtomic(this.#file, JSON.stringify(next, null, 2)));
  }
}

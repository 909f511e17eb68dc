// Builds the command context both hosts use: the stores in the userData folder, grants, documents.
import { Documents } from '../state/documents';
import { ExportMemory } from '../state/export-memory';
import { Grants } from '../state/grants';
import { RecentList } from '../state/recent';
import { RecoveryStore } from '../state/recovery';
import { SettingsStore } from '../state/settings';
import type { CommandContext } from './context';

export type ContextOptions = Pick<CommandContext, 'host' | 'version' | 'engine' | 'dialogs' | 'reveal' | 'grantsTypedPaths' | 'emit' | 'log'> & {
  userData: string;
  uploadsDir?: string;
};

export async function createContext(options: ContextOptions): Promise<CommandContext> {
  const { userData, uploadsDir, ...rest } = options;
  const grants = new Grants();
  const recent = await RecentList.load(userData);
  // The person chose every photo on the recent list in an earlier run: Open Recent may read them again.
  for (const photo of recent.all()) grants.grant(photo, 'photo');
  return {
    ...rest,
    grants,
    recent,
    settings: await SettingsStore.load(userData),
    recovery: new RecoveryStore(userData),
    exports: await ExportMemory.load(userData),
    uploadsDir: uploadsDir ?? null,
    documents: new Documents(),
    jobs: new Map(),
    batches: new Map(),
    infoListeners: new Set(),
    unsaved: false,
  };
}

// The channel -> command table. Its type makes a missing or misnamed channel a compile error.
import type { RequestChannel } from '../contract/app-api';
import { appInfo } from './app-info';
import { appUnsaved } from './app-unsaved';
import { batchCancel } from './batch-cancel';
import { batchCount } from './batch-count';
import { batchStart } from './batch-start';
import type { Command } from './context';
import { dropGrant } from './drop-grant';
import { exportDefaults } from './export-defaults';
import { fileChoose } from './file-choose';
import { folderChoose } from './folder-choose';
import { folderGrant } from './folder-grant';
import { folderReveal } from './folder-reveal';
import { jobCancel } from './job-cancel';
import { photoChoose } from './photo-choose';
import { photoExport } from './photo-export';
import { photoOpen } from './photo-open';
import { photoRemoveObject } from './photo-remove-object';
import { recentList } from './recent-list';
import { recoveryClear } from './recovery-clear';
import { recoveryLoad } from './recovery-load';
import { recoverySave } from './recovery-save';
import { settingsSet } from './settings-set';

export const commands: { [C in RequestChannel]: Command<C> } = {
  'app:info': appInfo,
  'app:unsaved': appUnsaved,
  'settings:set': settingsSet,
  'photo:choose': photoChoose,
  'photo:open': photoOpen,
  'photo:removeObject': photoRemoveObject,
  'photo:export': photoExport,
  'export:defaults': exportDefaults,
  'job:cancel': jobCancel,
  'recent:list': recentList,
  'folder:choose': folderChoose,
  'file:choose': fileChoose,
  'folder:grant': folderGrant,
  'drop:grant': dropGrant,
  'folder:reveal': folderReveal,
  'batch:count': batchCount,
  'batch:start': batchStart,
  'batch:cancel': batchCancel,
  'recovery:save': recoverySave,
  'recovery:load': recoveryLoad,
  'recovery:clear': recoveryClear,
};

// A command context as Electron or the web host would build it, with a temp userData folder.
import { createContext } from '../../main/commands/create-context';
import type { CommandContext, Dialogs, Engine } from '../../main/commands/context';
import type { EventChannel } from '../../main/contract/app-api';
import { fakeEngine } from './fake-engine';

export interface TestContext {
  ctx: CommandContext;
  events: { channel: EventChannel; payload: unknown }[];
  logs: string[];
}

export async function testContext(options: {
  userData: string;
  host?: 'electron' | 'web';
  dialogs?: Partial<Dialogs>;
  engine?: Engine;
  uploadsDir?: string;
}): Promise<TestContext> {
  const events: TestContext['events'] = [];
  const logs: string[] = [];
  const host = options.host ?? 'electron';
  const none = async () => null;
  const ctx = await createContext({
    host,
    version: '0.0.0-test',
    engine: options.engine ?? fakeEngine(),
    userData: options.userData,
    ...(options.uploadsDir ? { uploadsDir: options.uploadsDir } : {}),
    dialogs: host === 'web' ? null : { openPhoto: none, openFolder: none, openMaskFile: none, saveExport: none, ...options.dialogs },
    reveal: host === 'web' ? null : async () => {},
    grantsTypedPaths: host === 'web',
    emit: (channel, payload) => events.push({ channel, payload }),
    log: (m) => logs.push(m),
  });
  return { ctx, events, logs };
}

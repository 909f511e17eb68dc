// main/electron/ipc.ts with a fake ipcMain and fake invoke events: the sender check and the contract check happen
// before any command runs.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { requests, type Reply } from '../../main/contract/app-api';
import { type IpcMainLike, registerIpc, type SenderEvent, windowEmitter } from '../../main/electron/ipc';
import { testContext } from '../helpers/context';
import { fakeEngine } from '../helpers/fake-engine';
import { tempDir } from '../helpers/temp';

type Handler = (event: SenderEvent, ...args: unknown[]) => Promise<unknown>;

function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => {
      assert.ok(!handlers.has(channel), `${channel} registered twice`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const invoke = (channel: string, event: SenderEvent, ...args: unknown[]) => handlers.get(channel)!(event, ...args) as Promise<Reply<unknown>>;
  return { ipc, handlers, invoke };
}

const APP_URL = 'app://renderer/index.html';
const ours: SenderEvent = { sender: { id: 7 }, senderFrame: { url: APP_URL, parent: null } };
const trusted = () => ({ webContentsId: 7, url: APP_URL });

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = await tempDir(t);
  const engine = fakeEngine();
  const { ctx, logs } = await testContext({ userData: path.join(dir, 'user'), engine });
  const fake = fakeIpcMain();
  const unregister = registerIpc(fake.ipc, ctx, trusted);
  return { ...fake, engine, logs, unregister };
}

test('every contract channel is registered, and unregistered again', async (t) => {
  const { handlers, unregister } = await setup(t);
  assert.deepEqual([...handlers.keys()].sort(), Object.keys(requests).sort());
  unregister();
  assert.equal(handlers.size, 0);
});

test('the one window showing our page is answered', async (t) => {
  const { invoke } = await setup(t);
  const reply = await invoke('app:info', ours, {});
  assert.equal(reply.ok, true);
  const hashed = await invoke('app:info', { ...ours, senderFrame: { url: `${APP_URL}#/editor`, parent: null } }, {});
  assert.equal(hashed.ok, true, 'a hash or query does not change the page');
});

test('other senders are refused before any command runs', async (t) => {
  const { invoke, engine, logs } = await setup(t);
  const refusedFrom = async (event: SenderEvent) => {
    const reply = await invoke('settings:set', event, { provider: 'cpu', threads: 1, precision: 'fp32' });
    assert.deepEqual(reply.ok ? null : reply.error.code, 'forbidden');
  };
  await refusedFrom({ ...ours, sender: { id: 8 } }); // another webContents
  await refusedFrom({ ...ours, senderFrame: { url: 'https://evil.example/index.html', parent: null } }); // navigated away
  await refusedFrom({ ...ours, senderFrame: { url: 'file:///tmp/index.html', parent: null } });
  await refusedFrom({ ...ours, senderFrame: { url: 'app://other/index.html', parent: null } });
  await refusedFrom({ ...ours, senderFrame: { url: APP_URL, parent: {} } }); // a subframe
  await refusedFrom({ ...ours, senderFrame: null }); // the frame is gone
  assert.deepEqual(engine.calls, [], 'no command ran');
  assert.equal(logs.filter((l) => l.startsWith('refused settings:set')).length, 6);
});

test('a request that does not match the contract is answered with invalid-request', async (t) => {
  const { invoke, engine } = await setup(t);
  for (const args of [[], [{ path: 5 }], [{ path: '/x' }, 'extra'], [null]]) {
    const reply = await invoke('photo:open', ours, ...args);
    assert.equal(reply.ok ? null : reply.error.code, 'invalid-request', JSON.stringify(args));
  }
  assert.deepEqual(engine.calls, []);
});

test('a dev-server page is trusted only at its own origin', async (t) => {
  const dir = await tempDir(t);
  const { ctx } = await testContext({ userData: dir });
  const fake = fakeIpcMain();
  registerIpc(fake.ipc, ctx, () => ({ webContentsId: 1, url: 'http://localhost:5173/' }));
  const at = (url: string) => ({ sender: { id: 1 }, senderFrame: { url, parent: null } });
  assert.equal((await fake.invoke('app:info', at('http://localhost:5173/index.html'), {})).ok, true);
  assert.equal((await fake.invoke('app:info', at('http://localhost:5174/'), {})).ok, false);
});

test('events are checked against the contract and sent only to a live window', () => {
  const sent: [string, unknown][] = [];
  const logs: string[] = [];
  let destroyed = false;
  const emit = windowEmitter(() => ({ isDestroyed: () => destroyed, send: (c, p) => sent.push([c, p]) }), (m) => logs.push(m));
  emit('menu:command', { command: 'removeObject' });
  emit('menu:command', { command: 'format-disk' } as never);
  destroyed = true;
  emit('menu:command', { command: 'undo' });
  assert.deepEqual(sent, [['menu:command', { command: 'removeObject' }]]);
  assert.equal(logs.length, 1);
});

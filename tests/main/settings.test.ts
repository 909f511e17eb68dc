// Settings in main: settings:set restarts the engine and saves the choice, the next start (a new main
// context on the same userData) runs the engine with it, AppInfo says what is in use and what automatic
// means here, and the native Help menu's provider follows every change.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { startEngine } from '../../main/commands/app-info';
import type { Engine } from '../../main/commands/context';
import { dispatch } from '../../main/commands/dispatch';
import type { AppInfo, Reply, Settings } from '../../main/contract/app-api';
import { keepMenuCurrent } from '../../main/electron/menu';
import { autoThreads, choosePrecision, type EngineInfo } from '../../main/engine';
import { testContext } from '../helpers/context';
import { fakeEngine, fakeInfo } from '../helpers/fake-engine';
import { tempDir } from '../helpers/temp';

function ok<T>(reply: Reply<unknown>): T {
  if (!reply.ok) assert.fail(`expected ok, got ${reply.error.code}: ${reply.error.message}`);
  return reply.value as T;
}

/**
 * An engine that behaves as the real one does on a machine with CUDA and a VNNI CPU: it runs what it was last
 * configured with, automatic picks CUDA, a provider it does not have falls back to CPU and says why, and the
 * precision is the engine's own choice for that provider (choosePrecision).
 */
type EngineSettings = Parameters<Engine['configure']>[0]; // the texture rides along from main's settings, unused here
function configurableEngine(): Engine & { configured: EngineSettings[] } {
  const configured: EngineSettings[] = [];
  let current: EngineSettings = { provider: 'auto', threads: 0, precision: 'auto' };
  const info = async (): Promise<EngineInfo> => {
    const available = ['cuda', 'cpu'];
    const provider = current.provider === 'auto' ? 'cuda' : available.includes(current.provider) ? current.provider : 'cpu';
    const fallback = provider === current.provider || current.provider === 'auto' ? null : `${current.provider} was requested but is not available here; using CPU.`;
    const chosen = choosePrecision(current.precision, 'fake.onnx', provider === 'cuda' ? 'cuda' : 'cpu', { fast: true, reason: 'VNNI' }, () => true);
    return { ...fakeInfo, provider, providers: available, requested: current.provider, model: 'fake.onnx', fallback, threads: current.threads, precision: chosen.precision, precisionNote: chosen.note };
  };
  return {
    ...fakeEngine(),
    configured,
    async configure(settings) {
      configured.push(settings);
      current = settings;
      return info();
    },
    info,
  };
}

const providerLabel = (template: MenuItemConstructorOptions[]) => {
  const help = template.find((m) => m.role === 'help')!;
  return (help.submenu as MenuItemConstructorOptions[]).find((i) => i.id === 'provider')?.label;
};

test('settings:set restarts the engine with the choice, saves it, and the next start runs with it', async (t) => {
  const userData = path.join(await tempDir(t), 'user');
  const first = configurableEngine();
  const { ctx } = await testContext({ userData, engine: first });
  const started = await startEngine(ctx);
  assert.deepEqual(first.configured, [{ provider: 'auto', threads: 0, precision: 'auto', texture: 'grain' }], 'a first start runs the defaults');
  assert.equal(started.provider, 'cuda');
  assert.deepEqual([started.precision, started.precisionNote], ['fp32', null]);
  assert.equal(started.threads, autoThreads(), 'automatic threads are reported as what they resolve to');

  const chosen: Settings = { provider: 'cpu', threads: 1, precision: 'fp32', texture: 'patches' };
  const applied = ok<AppInfo>(await dispatch(ctx, 'settings:set', chosen));
  assert.deepEqual(first.configured.at(-1), chosen, 'the engine was restarted with the choice');
  assert.deepEqual([applied.provider, applied.threads, applied.fallback, applied.precision], ['cpu', 1, null, 'fp32']);
  assert.deepEqual(applied.settings, chosen);
  assert.deepEqual(JSON.parse(await readFile(path.join(userData, 'settings.json'), 'utf8')), chosen, 'saved in userData');

  // The next run: a new main context on the same userData, and a new engine that knows nothing yet.
  const second = configurableEngine();
  const next = await testContext({ userData, engine: second });
  assert.deepEqual(next.ctx.settings.get(), chosen);
  const restarted = await startEngine(next.ctx);
  assert.deepEqual(second.configured, [chosen], 'the saved settings reach the engine at start');
  const info = ok<AppInfo>(await dispatch(next.ctx, 'app:info', {}));
  assert.deepEqual([restarted.provider, info.provider, info.threads, info.settings], ['cpu', 'cpu', 1, chosen]);
});

test('AppInfo says why the requested provider is not in use, and what automatic threads mean here', async (t) => {
  const { ctx } = await testContext({ userData: path.join(await tempDir(t), 'user'), engine: configurableEngine() });
  const info = ok<AppInfo>(await dispatch(ctx, 'settings:set', { provider: 'coreml', threads: 0, precision: 'int8' }));
  assert.deepEqual([info.precision, info.precisionNote], ['int8', null], 'int8 asked for is honoured');
  assert.equal(info.provider, 'cpu');
  assert.match(info.fallback ?? '', /coreml was requested .*using CPU/);
  assert.equal(info.threads, info.autoThreads);
  assert.equal(info.logicalCores, availableParallelism());
  assert.ok(info.autoThreads >= 1 && info.autoThreads <= info.logicalCores);
});

test('the Help menu shows the provider in use and follows settings:set', async (t) => {
  const { ctx } = await testContext({ userData: path.join(await tempDir(t), 'user'), engine: configurableEngine() });
  const built: MenuItemConstructorOptions[][] = [];
  keepMenuCurrent(ctx, { isMac: false, actions: { command: () => {}, openRecent: () => {} }, apply: (template) => built.push(template) });
  assert.equal(providerLabel(built.at(-1)!), 'Execution provider: starting…');

  await startEngine(ctx);
  assert.equal(providerLabel(built.at(-1)!), 'Execution provider: cuda (fp32)');
  ok(await dispatch(ctx, 'settings:set', { provider: 'cpu', threads: 1, precision: 'auto' }));
  assert.equal(providerLabel(built.at(-1)!), 'Execution provider: cpu (fp32)', 'rebuilt after settings:set; auto is fp32');
  ok(await dispatch(ctx, 'settings:set', { provider: 'cpu', threads: 1, precision: 'int8' }));
  assert.equal(providerLabel(built.at(-1)!), 'Execution provider: cpu (int8)', 'int8 when asked for');
  ok(await dispatch(ctx, 'settings:set', { provider: 'auto', threads: 0, precision: 'fp32' }));
  assert.equal(providerLabel(built.at(-1)!), 'Execution provider: cuda (fp32)');

  const rebuilds = built.length;
  ok(await dispatch(ctx, 'app:info', {}));
  assert.equal(built.length, rebuilds, 'asking for the info changes nothing, so nothing is rebuilt');
});

test('a settings file saved before the texture setting existed still loads, with the default texture; an unknown texture is refused', async (t) => {
  const userData = path.join(await tempDir(t), 'user');
  await mkdir(userData, { recursive: true });
  await writeFile(path.join(userData, 'settings.json'), JSON.stringify({ provider: 'cpu', threads: 2, precision: 'int8' }));
  const { ctx } = await testContext({ userData, engine: configurableEngine() });
  assert.deepEqual(ctx.settings.get(), { provider: 'cpu', threads: 2, precision: 'int8', texture: 'grain' });
  // A texture the contract does not know is refused at the boundary, and nothing is saved.
  const refused = await dispatch(ctx, 'settings:set', { provider: 'cpu', threads: 2, precision: 'int8', texture: 'wild' });
  assert.equal(refused.ok ? 'ok' : refused.error.code, 'invalid-request');
  assert.deepEqual(JSON.parse(await readFile(path.join(userData, 'settings.json'), 'utf8')), { provider: 'cpu', threads: 2, precision: 'int8' });
});

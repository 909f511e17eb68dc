// app:info when the engine cannot start: it is reported with its reason (Settings and About show it), not just as
// "unavailable", and the app keeps running.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { dispatch } from '../../main/commands/dispatch';
import type { AppInfo, Reply } from '../../main/contract/app-api';
import { EngineError } from '../../main/engine';
import { testContext } from '../helpers/context';
import { fakeEngine } from '../helpers/fake-engine';
import { tempDir } from '../helpers/temp';

test('an engine that cannot start: info says unavailable and why, and nothing throws', async (t) => {
  const broken = { ...fakeEngine(), info: () => Promise.reject(new EngineError('model-unavailable', 'The model file /x/model.onnx is not a valid model: bad magic')) };
  const { ctx, logs } = await testContext({ userData: path.join(await tempDir(t), 'user'), engine: broken });
  const reply = (await dispatch(ctx, 'app:info', {})) as Reply<AppInfo>;
  assert.ok(reply.ok, 'answered');
  const info = reply.value;
  assert.equal(info.provider, 'unavailable');
  assert.equal(info.model, 'unavailable');
  assert.match(info.fallback ?? '', /^The engine could not start: The model file \/x\/model\.onnx is not a valid model: bad magic$/);
  assert.ok(info.providers.includes('cpu'));
  assert.match(logs.join('\n'), /engine unavailable: .*not a valid model/);
});

// The adapter between the commands and the engine: an engine that cannot start is reported with its reason
// (Settings and About show it), not just as "unavailable", and the app keeps running.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineAdapter } from '../../main/engine-adapter';
import { EngineClient } from '../../main/engine';
import { EngineError } from '../../main/engine/errors';

test('an engine that cannot start: info says unavailable and why, and nothing throws', async () => {
  const logged: string[] = [];
  const broken = {
    info: () => Promise.reject(new EngineError('model-unavailable', 'The model file /x/model.onnx is not a valid model: bad magic')),
  } as unknown as EngineClient;
  const info = await engineAdapter(broken, (m) => logged.push(m)).info();
  assert.equal(info.provider, 'unavailable');
  assert.equal(info.model, 'unavailable');
  assert.match(info.fallback ?? '', /^The engine could not start: The model file \/x\/model\.onnx is not a valid model: bad magic$/);
  assert.ok(info.providers.includes('cpu'));
  assert.match(logged.join('\n'), /engine unavailable: .*not a valid model/);
});

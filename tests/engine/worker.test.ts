// The client and its worker process: one session reused, jobs one at a time, a crash costs one job,
// providers fall back to CPU with a message, and malformed messages are refused on both sides.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import type { FromWorker } from '../../main/contract/engine';
import { childProcessSpawner, EngineClient, type WorkerSpawner } from '../../main/engine/client';
import type { EngineError } from '../../main/engine/errors';
import { planProviders } from '../../main/engine/providers';
import { fitMask, kodak, listDir, MODEL, tempDir } from '../helpers/engine-data';

const engineFor = (t: { after(fn: () => unknown): void }, options: ConstructorParameters<typeof EngineClient>[0] = {}) => {
  const engine = new EngineClient({ modelPath: MODEL, threads: 2, ...options });
  t.after(() => engine.close());
  return engine;
};

test('a worker killed mid-job: that job fails clearly, the next one succeeds on a fresh worker', async (t) => {
  const dir = await tempDir(t);
  const photo = path.join(dir, 'big.jpg');
  await sharp(kodak(15)).resize(3000, 2000).jpeg().toFile(photo);
  const mask = await fitMask(8010, 3000, 2000, path.join(dir, 'mask.png')); // many holes: several model runs
  const engine = engineFor(t);
  const firstPid = (await engine.info()).pid;

  let killed = false;
  const job = engine.inpaintFile(
    { photo, mask, output: path.join(dir, 'killed.png'), inferSize: 512 },
    {
      onProgress: (stage) => {
        if (stage === 'model' && !killed) {
          killed = true;
          process.kill(firstPid, 'SIGKILL');
        }
      },
    },
  );
  await assert.rejects(job, (err: EngineError) => {
    assert.equal(err.code, 'worker-crashed');
    assert.match(err.message, /stopped unexpectedly \(killed by SIGKILL\) while working on big\.jpg/);
    return true;
  });
  assert.ok(killed);
  assert.ok(!existsSync(path.join(dir, 'killed.png')), 'no output from the killed job');

  const next = await engine.inpaintFile({ photo: kodak(1), mask: await fitMask(10, 500, 500, path.join(dir, 'm2.png')), output: path.join(dir, 'next.png') });
  assert.equal(next.kind, 'inpaintFile');
  assert.notEqual(engine.workerPid, firstPid, 'a fresh worker');
  assert.equal(engine.workersStarted, 2);
  assert.deepEqual((await listDir(dir)).filter((f) => f.startsWith('.holefill-tmp')), [], 'no temp file left by the killed job');
});

for (const provider of ['cuda', 'dml', 'coreml'] as const) {
  test(`asking for ${provider} where it is absent falls back to CPU with a clear message`, async (t) => {
    const info = await engineFor(t, { provider }).info();
    assert.equal(info.provider, 'cpu');
    assert.equal(info.requested, provider);
    assert.match(info.fallback ?? '', /was requested but .*; using CPU\./);
  });
}

test('auto picks the best available provider (CPU here) with no fallback message; the provider comes with every result', async (t) => {
  const dir = await tempDir(t);
  const engine = engineFor(t, { provider: 'auto' });
  const info = await engine.info();
  assert.deepEqual([info.provider, info.fallback, info.providers.at(-1)], ['cpu', null, 'cpu']);
  const result = await engine.removeObject({ photo: kodak(2), layers: [], mask: { kind: 'file', path: await fitMask(20, 500, 500, path.join(dir, 'm.png')) } });
  assert.equal(result.provider, 'cpu');
  assert.ok(result.elapsedMs > 0);
});

test('provider plans per platform: GPU first when present, CPU always last', () => {
  assert.deepEqual(planProviders('auto', ['dml', 'cpu']).attempts, ['dml', 'cpu']);
  assert.deepEqual(planProviders('coreml', ['coreml', 'cpu']), { attempts: ['coreml', 'cpu'], note: null });
  assert.deepEqual(planProviders('cpu', ['cuda', 'cpu']).attempts, ['cpu']);
  assert.deepEqual(planProviders('cuda', ['cpu']).attempts, ['cpu']);
});

test('jobs queue and run one at a time, in order, on one worker and one session', async (t) => {
  const dir = await tempDir(t);
  const engine = engineFor(t);
  const events: string[] = [];
  const masks = await Promise.all([1, 2, 3].map((n) => fitMask(n * 10, 500, 500, path.join(dir, `m${n}.png`))));
  const jobs = [1, 2, 3].map((n) =>
    engine
      .inpaintFile({ photo: kodak(n), mask: masks[n - 1]!, output: path.join(dir, `o${n}.png`) }, { onProgress: (stage) => stage === 'decode' && events.push(`start ${n}`) })
      .then(() => events.push(`done ${n}`)),
  );
  await Promise.all(jobs);
  assert.deepEqual(events, ['start 1', 'done 1', 'start 2', 'done 2', 'start 3', 'done 3']);
  assert.equal(engine.workersStarted, 1);
  assert.equal(engine.jobsAnswered, 3);
});

test('cancel: a queued job at once, a running one at its next checkpoint; the worker stays', async (t) => {
  const dir = await tempDir(t);
  const engine = engineFor(t);
  await engine.info();
  const mask = await fitMask(30, 500, 500, path.join(dir, 'm.png'));
  const running = new AbortController();
  const queued = new AbortController();
  const first = engine.inpaintFile({ photo: kodak(3), mask, output: path.join(dir, 'a.png') }, { signal: running.signal, onProgress: (stage) => stage === 'holes' && running.abort() });
  const second = engine.inpaintFile({ photo: kodak(4), mask, output: path.join(dir, 'b.png') }, { signal: queued.signal });
  queued.abort();
  await assert.rejects(second, (e: EngineError) => e.code === 'cancelled');
  await assert.rejects(first, (e: EngineError) => e.code === 'cancelled');
  assert.deepEqual((await listDir(dir)).sort(), ['m.png'], 'cancelled jobs write nothing');
  const after = await engine.inpaintFile({ photo: kodak(5), mask, output: path.join(dir, 'c.png') });
  assert.equal(after.kind, 'inpaintFile');
  assert.equal(engine.workersStarted, 1);
});

test('close() fails the running and queued jobs at once and stops the worker', async (t) => {
  const dir = await tempDir(t);
  const engine = new EngineClient({ modelPath: MODEL, threads: 2 });
  const mask = await fitMask(60, 500, 500, path.join(dir, 'm.png'));
  const running = engine.inpaintFile({ photo: kodak(6), mask, output: path.join(dir, 'a.png') }, { onProgress: (stage) => stage === 'holes' && void engine.close() });
  const queued = engine.inpaintFile({ photo: kodak(7), mask, output: path.join(dir, 'b.png') });
  await assert.rejects(running, /The engine was closed/);
  await assert.rejects(queued, /The engine was closed/);
  await assert.rejects(engine.info(), /closed/);
});

test('configure: new threads restart the worker with them', async (t) => {
  const engine = engineFor(t);
  const before = await engine.info();
  const after = await engine.configure({ provider: 'cpu', threads: 1 });
  assert.equal(after.threads, 1);
  assert.notEqual(after.pid, before.pid);
});

test('a malformed message to the worker is refused with an error naming the problem', async () => {
  const replies: FromWorker[] = [];
  const handle = childProcessSpawner()({ message: (m) => replies.push(m as FromWorker), exit: () => {} });
  const send = (m: unknown) => (handle.send as (m: unknown) => void)(m);
  send({ type: 'job', id: 'bad-1', job: { kind: 'paint-it-black', photo: 1 } });
  send({ type: 'job', id: 'bad-2', job: { kind: 'inpaintFile', photo: 'x.jpg', mask: { kind: 'file', path: 'm.png' }, output: 'o.png', format: 'png', quality: 92, overwrite: false, scaleMask: false, inferSize: 300 } });
  send('hello');
  for (let i = 0; i < 200 && replies.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
  handle.kill();
  assert.equal(replies.length, 3);
  assert.deepEqual(replies.map((r) => [r.type, 'id' in r ? r.id : null]), [['rejected', 'bad-1'], ['rejected', 'bad-2'], ['rejected', null]]);
  for (const r of replies) if (r.type === 'rejected') assert.match(r.error.message, /^Malformed message to the engine worker: /);
});

test('a malformed message from the worker fails the job with an error; an invalid job never leaves the client', async (t) => {
  const sent: unknown[] = [];
  const fake: WorkerSpawner = (listener) => ({
    pid: 1,
    kill: () => {},
    send: (m) => {
      sent.push(m);
      if (m.type === 'init') {
        listener.message({ type: 'ready', info: { provider: 'cpu', providers: ['cpu'], requested: 'auto', fallback: null, model: 'm.onnx', modelBytes: 1, inputs: [], outputs: [], threads: 0, pid: 1 } });
      } else if (m.type === 'job') {
        listener.message({ type: 'done', id: m.id, result: { kind: 'preview', width: -5 } });
      }
    },
  });
  const engine = new EngineClient({ spawner: fake });
  t.after(() => engine.close());
  await assert.rejects(engine.preview('photo.jpg', 512), /The engine worker sent a malformed message: .+/);
  await assert.rejects(engine.inpaintFile({ photo: 'a.jpg', mask: 'm.png', output: 'o.png', inferSize: 300 as 256 }), (e: EngineError) => e.code === 'invalid-request');
  await assert.rejects(engine.inpaintFile({ photo: 'a.jpg', mask: 'm.png', output: 'o.bmp' }), /Cannot tell the output format from o\.bmp/);
  assert.equal(sent.filter((m) => (m as { type: string }).type === 'job').length, 1, 'only the valid job was sent');
});

// The client and its worker process: one session reused, JOBS_IN_FLIGHT jobs at a time with their inference
// taking turns (and one job's decode/encode overlapping another's inference), a crash costs the jobs in
// flight, providers fall back to CPU with a message, and malformed messages are refused on both sides.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import type { FromWorker } from '../../main/contract/engine';
import type { EngineError } from '../../main/engine/errors';
import { planProviders } from '../../main/engine/model/providers';
import { EngineClient, JOBS_IN_FLIGHT } from '../../main/engine/worker-process/client';
import { childProcessSpawner, WORKER_ENTRY, type WorkerSpawner } from '../../main/engine/worker-process/spawner';
import { fitMask, kodak, listDir, MODEL, sunHays, tempDir } from '../helpers/engine-data';
import { maskSvg, wirePath } from '../helpers/shapes';

const engineFor = (t: { after(fn: () => unknown): void }, options: ConstructorParameters<typeof EngineClient>[0] = {}) => {
  const engine = new EngineClient({ modelPath: MODEL, threads: 2, ...options });
  t.after(() => engine.close());
  return engine;
};

test('a worker killed mid-job: every job in flight fails clearly, the next one succeeds on a fresh worker', async (t) => {
  const dir = await tempDir(t);
  const photos = [path.join(dir, 'big.jpg'), path.join(dir, 'big2.jpg')];
  await sharp(kodak(15)).resize(3000, 2000).jpeg().toFile(photos[0]!);
  await sharp(kodak(16)).resize(3000, 2000).jpeg().toFile(photos[1]!);
  const mask = await fitMask(8010, 3000, 2000, path.join(dir, 'mask.png')); // many holes: several model runs
  const engine = engineFor(t);
  const firstPid = (await engine.info()).pid;

  let killed = false;
  const stages: string[] = [];
  const jobs = photos.map((photo, i) =>
    engine.inpaintFile(
      { photo, mask, output: path.join(dir, `killed${i}.png`), inferSize: 512 },
      {
        onProgress: (stage) => {
          stages.push(`${i} ${stage}`);
          // Once both are under way: the first at its model stage, the second started.
          if (!killed && stages.includes('0 model') && stages.includes('1 decode')) {
            killed = true;
            process.kill(firstPid, 'SIGKILL');
          }
        },
      },
    ),
  );
  const next = engine.inpaintFile({ photo: kodak(1), mask: await fitMask(10, 500, 500, path.join(dir, 'm2.png')), output: path.join(dir, 'next.png') });
  for (const [i, job] of jobs.entries()) {
    await assert.rejects(job, (err: EngineError) => {
      assert.equal(err.code, 'worker-crashed');
      assert.match(err.message, new RegExp(`stopped unexpectedly \\(killed by SIGKILL\\) while working on ${path.basename(photos[i]!).replace('.', '\\.')}`));
      return true;
    });
  }
  assert.ok(killed);
  assert.ok(!existsSync(path.join(dir, 'killed0.png')) && !existsSync(path.join(dir, 'killed1.png')), 'no output from the killed jobs');

  assert.equal((await next).kind, 'inpaintFile', 'the job queued behind them runs on a fresh worker');
  assert.notEqual(engine.workerPid, firstPid, 'a fresh worker');
  assert.equal(engine.workersStarted, 2);
  assert.deepEqual((await listDir(dir)).filter((f) => f.startsWith('.holefill-tmp')), [], 'no temp file left by the killed jobs');
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

test('precision: auto runs the fp32 model; int8 on request; the two fills agree', async (t) => {
  const dir = await tempDir(t);
  const engine = engineFor(t);
  const auto = await engine.info();
  assert.deepEqual([auto.precision, path.basename(auto.model), auto.precisionNote], ['fp32', 'pconv-unet.onnx', null]);
  const mask = await fitMask(2030, 500, 500, path.join(dir, 'm.png'));
  const fill = async (name: string) => (await engine.inpaintFile({ photo: kodak(3), mask, output: path.join(dir, name), inferSize: 512 })).output;
  const fp32Out = await fill('fp32.png');

  const forced = await engine.configure({ provider: 'cpu', threads: 2, precision: 'int8' });
  assert.deepEqual([forced.precision, path.basename(forced.model)], ['int8', 'pconv-unet.int8.onnx']);
  const int8Out = await fill('int8.png');

  // Same pixels outside the hole (the composite), close inside it: the int8 model is the fp32 one, quantized.
  const rgb = (f: string) => sharp(f).removeAlpha().toColourspace('srgb').raw().toBuffer();
  const [a, b, m] = await Promise.all([rgb(int8Out), rgb(fp32Out), rgb(mask)]);
  let outside = 0;
  let insideSum = 0;
  let inside = 0;
  for (let i = 0; i < a.length; i++) {
    const hole = m[i]! > 127;
    const d = Math.abs(a[i]! - b[i]!);
    if (!hole) outside += d;
    else (insideSum += d, inside++);
  }
  assert.equal(outside, 0, 'kept pixels are identical');
  const meanInside = insideSum / inside;
  assert.ok(meanInside > 0 && meanInside < 3, `int8 vs fp32 inside the hole: mean difference ${meanInside.toFixed(2)} of 255`);
});

test('a damaged int8 model: the engine runs the fp32 one and says why; an explicit fp32 never touches it', async (t) => {
  const dir = await tempDir(t);
  const fp32 = path.join(dir, 'pconv-unet.onnx');
  await symlink(MODEL, fp32);
  await writeFile(path.join(dir, 'pconv-unet.int8.onnx'), 'not a model');
  const engine = engineFor(t, { modelPath: fp32, precision: 'int8' });
  const info = await engine.info();
  assert.deepEqual([info.precision, path.basename(info.model)], ['fp32', 'pconv-unet.onnx']);
  assert.match(info.precisionNote ?? '', /^The int8 model could not be loaded \(.*pconv-unet\.int8\.onnx.*\); using fp32\.$/);
  const done = await engine.inpaintFile({ photo: kodak(4), mask: await fitMask(20, 500, 500, path.join(dir, 'm.png')), output: path.join(dir, 'out.png') });
  assert.ok(existsSync(done.output), 'Remove Object still works');
});

test('provider plans per platform: GPU first when present, CPU always last', () => {
  assert.deepEqual(planProviders('auto', ['dml', 'cpu']).attempts, ['dml', 'cpu']);
  assert.deepEqual(planProviders('coreml', ['coreml', 'cpu']), { attempts: ['coreml', 'cpu'], note: null });
  assert.deepEqual(planProviders('cpu', ['cuda', 'cpu']).attempts, ['cpu']);
  assert.deepEqual(planProviders('cuda', ['cpu']).attempts, ['cpu']);
});

type TraceEvent = { ms: number; id: string; event: string };

/** An engine whose worker traces (HOLEFILL_ENGINE_TRACE=1): job ids and events, timed by the worker's one clock. */
function tracedEngine(t: { after(fn: () => unknown): void }) {
  const lines: string[] = [];
  const spawner = childProcessSpawner(WORKER_ENTRY, (line) => lines.push(line), { ...process.env, HOLEFILL_ENGINE_TRACE: '1' });
  const engine = engineFor(t, { spawner });
  const events = (): TraceEvent[] =>
    lines.flatMap((line) => {
      const m = /holefill-trace (\S+) (\S+) (\S+)$/.exec(line);
      return m ? [{ ms: Number(m[1]), id: m[2]!, event: m[3]! }] : [];
    });
  return { engine, events };
}

type Interval = { id: string; from: number; to: number };
/** Each job's stretches from one event to the next: [decode, holes), [infer, infer-end), [encode, done). */
function intervals(events: TraceEvent[], from: string, to: string): Interval[] {
  const open = new Map<string, number>();
  const out: Interval[] = [];
  for (const e of events) {
    if (e.event === from) open.set(e.id, e.ms);
    else if (e.event === to && open.has(e.id)) (out.push({ id: e.id, from: open.get(e.id)!, to: e.ms }), open.delete(e.id));
  }
  return out;
}
const overlaps = (a: Interval, b: Interval) => a.id !== b.id && a.from < b.to && b.from < a.to;

/** The trace once all `jobs` have answered (stderr may trail the answers a little). */
async function settledTrace(events: () => TraceEvent[], jobs: number): Promise<TraceEvent[]> {
  const answered = () => events().filter((e) => e.event === 'done' || e.event === 'failed').length;
  for (let i = 0; i < 250 && answered() < jobs; i++) await new Promise((r) => setTimeout(r, 20));
  return events();
}
/** The most jobs between their start and their answer at any point of the trace. */
function mostInFlight(trace: TraceEvent[]): number {
  let now = 0;
  let most = 0;
  for (const e of trace) {
    if (e.event === 'start') most = Math.max(most, ++now);
    if (e.event === 'done' || e.event === 'failed') now--;
  }
  return most;
}

const sha = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

test(`jobs start in arrival order, at most ${JOBS_IN_FLIGHT} at once, on one worker and one session`, async (t) => {
  const dir = await tempDir(t);
  const { engine, events } = tracedEngine(t);
  const masks = await Promise.all([1, 2, 3, 4].map((n) => fitMask(n * 10, 500, 500, path.join(dir, `m${n}.png`))));
  await Promise.all([1, 2, 3, 4].map((n) => engine.inpaintFile({ photo: kodak(n), mask: masks[n - 1]!, output: path.join(dir, `o${n}.png`) }, { jobId: `job${n}` })));
  const trace = await settledTrace(events, 4);
  const starts = trace.filter((e) => e.event === 'start').map((e) => e.id);
  assert.deepEqual(starts, ['job1', 'job2', 'job3', 'job4'], 'started in arrival order');
  assert.equal(mostInFlight(trace), JOBS_IN_FLIGHT, `up to ${JOBS_IN_FLIGHT} at once, never more`);
  assert.equal(engine.workersStarted, 1);
  assert.equal(engine.jobsAnswered, 4);
});

test('real photos: one job decodes or encodes while another infers, inference never overlaps itself, and the files are the same as one at a time', async (t) => {
  const dir = await tempDir(t);
  const n = 6;
  // About-1024x768 JPEGs (their own sizes), each with its own NVIDIA mask: one to several holes each.
  const jobs = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const photo = sunHays(i);
      const { width, height } = await sharp(photo).metadata();
      return { photo, mask: await fitMask(100 + 10 * i, width!, height!, path.join(dir, `m${i}.png`)) };
    }),
  );
  const { engine, events } = tracedEngine(t);
  await Promise.all(jobs.map((job, i) => engine.inpaintFile({ ...job, output: path.join(dir, `together${i}.jpg`) }, { jobId: `job${i}` })));
  const trace = await settledTrace(events, n);

  // Inference takes turns: in the worker's order of events, every start is followed by its own end.
  const infers = trace.filter((e) => e.event === 'infer' || e.event === 'infer-end');
  assert.ok(infers.length >= 2 * n);
  for (let i = 0; i < infers.length; i += 2) {
    assert.deepEqual([infers[i]!.event, infers[i + 1]!.event, infers[i + 1]!.id], ['infer', 'infer-end', infers[i]!.id], `inference ${i / 2} ran alone`);
  }
  // Jobs start in arrival order, never more than JOBS_IN_FLIGHT between start and answer.
  assert.deepEqual(trace.filter((e) => e.event === 'start').map((e) => e.id), jobs.map((_, i) => `job${i}`));
  assert.equal(mostInFlight(trace), JOBS_IN_FLIGHT);
  // The point of it: libvips work of one job while another's inference runs, on the worker's one clock.
  const inference = intervals(trace, 'infer', 'infer-end');
  const codec = [...intervals(trace, 'decode', 'holes'), ...intervals(trace, 'encode', 'done')];
  const overlapping = codec.filter((c) => inference.some((i) => overlaps(c, i)));
  assert.ok(overlapping.length > 0, `some decode or encode overlaps another job's inference:\n${trace.map((e) => `${e.ms} ${e.id} ${e.event}`).join('\n')}`);

  // The same jobs one after another (each awaited) write the same bytes.
  for (const [i, job] of jobs.entries()) await engine.inpaintFile({ ...job, output: path.join(dir, `alone${i}.jpg`) });
  for (let i = 0; i < n; i++) {
    assert.equal(await sha(path.join(dir, `together${i}.jpg`)), await sha(path.join(dir, `alone${i}.jpg`)), `photo ${i}: byte for byte`);
  }
});

test('cancel: a queued job at once, a running one at its next checkpoint; its neighbour in flight and the worker carry on', async (t) => {
  const dir = await tempDir(t);
  const engine = engineFor(t);
  await engine.info();
  const mask = await fitMask(30, 500, 500, path.join(dir, 'm.png'));
  const running = new AbortController();
  const queued = new AbortController();
  const first = engine.inpaintFile({ photo: kodak(3), mask, output: path.join(dir, 'a.png') }, { signal: running.signal, onProgress: (stage) => stage === 'holes' && running.abort() });
  const neighbour = engine.inpaintFile({ photo: kodak(4), mask, output: path.join(dir, 'b.png') });
  const third = engine.inpaintFile({ photo: kodak(5), mask, output: path.join(dir, 'c.png') }, { signal: queued.signal }); // behind JOBS_IN_FLIGHT = 2
  queued.abort();
  await assert.rejects(third, (e: EngineError) => e.code === 'cancelled');
  await assert.rejects(first, (e: EngineError) => e.code === 'cancelled');
  assert.equal((await neighbour).kind, 'inpaintFile');
  assert.deepEqual((await listDir(dir)).sort(), ['b.png', 'm.png'], 'cancelled jobs write nothing');
  const after = await engine.inpaintFile({ photo: kodak(6), mask, output: path.join(dir, 'd.png') });
  assert.equal(after.kind, 'inpaintFile');
  assert.equal(engine.workersStarted, 1);
});

test('cancel during a wire filled in pieces: the job stops at the next piece, writes nothing, and the worker carries on', async (t) => {
  const dir = await tempDir(t);
  const engine = engineFor(t);
  await engine.info();
  const [W, H] = [3000, 2000];
  const photo = path.join(dir, 'wide.jpg');
  await sharp(kodak(7)).resize(W, H, { fit: 'fill' }).jpeg({ quality: 90 }).toFile(photo);
  const mask = path.join(dir, 'wire.png');
  await sharp(Buffer.from(maskSvg(W, H, wirePath(W, H, 9)))).greyscale().threshold(128).png().toFile(mask);
  const controller = new AbortController();
  const pieces: number[] = []; // the 'model' stage reports once per piece: 0.1 + 0.8 * i / n
  const job = engine.inpaintFile({ photo, mask, output: path.join(dir, 'out.png') }, {
    signal: controller.signal,
    onProgress: (stage, fraction) => {
      if (stage !== 'model') return;
      pieces.push(fraction);
      if (pieces.length === 2) controller.abort();
    },
  });
  await assert.rejects(job, (e: EngineError) => e.code === 'cancelled');
  const step = pieces[1]! - pieces[0]!;
  const total = Math.round(0.8 / step);
  assert.ok(total >= 10, `the wire is many pieces (${total})`);
  assert.ok(pieces.length <= 3, `no piece started after the one running at the cancel (${pieces.length} of ${total} reported)`);
  assert.deepEqual((await listDir(dir)).sort(), ['wide.jpg', 'wire.png'], 'nothing written');
  const after = await engine.inpaintFile({ photo: kodak(6), mask: await fitMask(30, 500, 500, path.join(dir, 'm.png')), output: path.join(dir, 'd.png') });
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

test('an invalid job is refused where it arrives, by the worker, naming the problem; one that cannot be sent fails at once', async (t) => {
  const engine = engineFor(t);
  await assert.rejects(
    engine.inpaintFile({ photo: 'a.jpg', mask: 'm.png', output: 'o.png', inferSize: 300 as 256 }),
    (e: EngineError) => e.code === 'invalid-request' && /^Malformed message to the engine worker: .* at job\.inferSize$/.test(e.message),
  );
  const rect = { x: 0, y: 0, width: 1, height: 1 };
  await assert.rejects(
    engine.exportImage({ photo: 'a.jpg', layers: [{ rect, patch: (() => 0) as unknown as Uint8Array }], output: 'o.png' }),
    (e: EngineError) => e.code === 'invalid-request' && /could not be sent to the engine worker/.test(e.message),
  );
  assert.equal((await engine.preview(kodak(1), 64)).previewWidth, 64, 'the worker goes on with the next job');
});

test('configure: new threads restart the worker with them', async (t) => {
  const engine = engineFor(t);
  const before = await engine.info();
  const after = await engine.configure({ provider: 'cpu', threads: 1, precision: 'auto' });
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

test('a malformed message from the worker fails the job with an error; a job without a format never leaves the client', async (t) => {
  const sent: unknown[] = [];
  const fake: WorkerSpawner = (listener) => ({
    pid: 1,
    kill: () => {},
    send: (m) => {
      sent.push(m);
      if (m.type === 'init') {
        listener.message({ type: 'ready', info: { provider: 'cpu', providers: ['cpu'], requested: 'auto', fallback: null, model: 'm.onnx', modelBytes: 1, inputs: [], outputs: [], threads: 0, precision: 'fp32', precisionNote: null, pid: 1 } });
      } else if (m.type === 'job') {
        listener.message({ type: 'done', id: m.id, result: { kind: 'preview', width: -5 } });
      }
    },
  });
  const engine = new EngineClient({ spawner: fake });
  t.after(() => engine.close());
  await assert.rejects(engine.preview('photo.jpg', 512), /The engine worker sent a malformed message: .+/);
  await assert.rejects(engine.inpaintFile({ photo: 'a.jpg', mask: 'm.png', output: 'o.bmp' }), /Cannot tell the output format from o\.bmp/);
  assert.equal(sent.filter((m) => (m as { type: string }).type === 'job').length, 1, 'only the preview was sent: no format, no job');

  // A worker whose 'ready' cannot be read (an older worker build, say) fails info() instead of hanging it.
  const mute: WorkerSpawner = (listener) => ({
    pid: 2,
    kill: () => {},
    send: (m) => m.type === 'init' && listener.message({ type: 'ready', info: { provider: 'cpu', pid: 2 } }),
  });
  const older = new EngineClient({ spawner: mute });
  t.after(() => older.close());
  await assert.rejects(older.info(), /The engine worker sent a malformed message: .+/);
});

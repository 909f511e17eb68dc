// The worker's shared model: jobs' views of it never run at once, the oldest job goes first, and one job's
// failure or cancellation gives its turn up without holding the others. (A stand-in session here, whose runs
// end when the test says; the real one is in worker.test.ts and batch.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Model } from '../../main/engine/model/session';
import { serialModel, Turns } from '../../main/engine/model/shared-model';

/** A model whose runs wait to be finished by hand; it records what ran, and how many at once. */
function handModel() {
  const log: string[] = [];
  const open: { tag: number; finish(ok: boolean): void }[] = [];
  let running = 0;
  let most = 0;
  const model: Model = {
    provider: 'cpu',
    run: (image) =>
      new Promise<Float32Array>((resolve, reject) => {
        const tag = image[0]!;
        running++;
        most = Math.max(most, running);
        log.push(`run ${tag}`);
        open.push({
          tag,
          finish: (ok) => {
            running--;
            if (ok) resolve(new Float32Array([tag]));
            else reject(new Error(`run ${tag} failed`));
          },
        });
      }),
    fill: () => Promise.reject(new Error('not used here')),
  };
  return { model, log, open, most: () => most };
}

const tick = () => new Promise((r) => setImmediate(r));
const input = (tag: number) => new Float32Array([tag]);

test('views of one model run one at a time; when the model is free, the oldest job waiting goes next', async () => {
  const hand = handModel();
  const shared = serialModel(hand.model);
  const [a, b, c] = [shared.forJob(), shared.forJob(), shared.forJob()];
  // Arrival order on the session: c, b, a (a's run comes last), while the first of c's runs holds it.
  const c1 = c.run(input(31), input(0), 1, 1);
  await tick();
  const b1 = b.run(input(21), input(0), 1, 1);
  const a1 = a.run(input(11), input(0), 1, 1);
  const c2 = c.run(input(32), input(0), 1, 1);
  await tick();
  assert.deepEqual(hand.log, ['run 31'], 'one run at a time');
  for (const expected of [11, 21, 32]) {
    hand.open.shift()!.finish(true);
    await tick();
    assert.equal(hand.log.at(-1), `run ${expected}`);
  }
  hand.open.shift()!.finish(true);
  assert.deepEqual(await Promise.all([a1, b1, c1, c2]).then((outs) => outs.map((o) => o[0])), [11, 21, 31, 32]);
  assert.equal(hand.most(), 1);
});

test('a failed run or a job cancelled while waiting gives its turn up; the others go on', async () => {
  const hand = handModel();
  const shared = serialModel(hand.model);
  const events: string[] = [];
  let cancelled = false;
  const first = shared.forJob({ beforeRun: () => events.push('first in'), afterRun: () => events.push('first out') });
  const quitter = shared.forJob({
    beforeRun: () => {
      if (cancelled) throw new Error('Cancelled.');
      events.push('quitter in');
    },
  });
  const last = shared.forJob({ beforeRun: () => events.push('last in'), afterRun: () => events.push('last out') });
  const r1 = first.run(input(1), input(0), 1, 1);
  await tick();
  const r2 = quitter.run(input(2), input(0), 1, 1);
  const r3 = last.run(input(3), input(0), 1, 1);
  cancelled = true;
  hand.open.shift()!.finish(false);
  await assert.rejects(r1, /run 1 failed/);
  await assert.rejects(r2, /Cancelled/);
  await tick();
  hand.open.shift()!.finish(true);
  assert.equal((await r3)[0], 3);
  assert.deepEqual(hand.log, ['run 1', 'run 3'], 'the cancelled job never ran the model');
  assert.deepEqual(events, ['first in', 'first out', 'last in', 'last out']);
});

test('Turns: equal ranks are first come, first served; a free lock is taken at once', async () => {
  const turns = new Turns();
  const order: string[] = [];
  let release!: () => void;
  const held = turns.take(5, () => new Promise<void>((r) => (release = r)).then(() => void order.push('held')));
  const queued = ['x', 'y', 'z'].map((name) => turns.take(1, async () => void order.push(name)));
  release();
  await Promise.all([held, ...queued]);
  assert.deepEqual(order, ['held', 'x', 'y', 'z']);
  assert.equal(await turns.take(0, async () => 'free'), 'free');
});

// Several jobs, one onnxruntime session: the worker runs the jobs the client sends it at once (JOBS_IN_FLIGHT,
// worker-process/client.ts), so that one job's decode and encode (libvips, mostly one core) overlap another's
// inference, but the inference itself takes turns. Two runs at once on the one session would share its intra-op
// threads (each run slower, nothing gained on 2 cores) and hold two sets of activations in memory.
import type { Model } from './session';

/**
 * A lock whose waiters go by rank, lowest first (equal ranks first come, first served): take() runs `fn` once
 * no one holds the lock and no better-ranked taker is waiting.
 */
export class Turns {
  #held = false;
  readonly #waiting: { rank: number; go(): void }[] = [];

  async take<T>(rank: number, fn: () => Promise<T>): Promise<T> {
    if (this.#held) {
      await new Promise<void>((go) => {
        const at = this.#waiting.findIndex((w) => w.rank > rank);
        this.#waiting.splice(at < 0 ? this.#waiting.length : at, 0, { rank, go });
      });
    }
    this.#held = true; // handed over by the previous holder, or free
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next.go(); // still held: the lock passes straight to it
      else this.#held = false;
    }
  }
}

/** What a job's view of the shared model reports: when its inference starts and ends (for tracing). */
export interface RunObserver {
  /** Called when the job's turn comes, before the run; throwing (a cancelled job) gives the turn up. */
  beforeRun?(): void;
  afterRun?(): void;
}

/**
 * The shared model; each job runs it through its own view, which waits its turn. Turns go to the oldest job
 * first (views are ranked as they are made, in job start order): a job with several holes finishes, and frees
 * its photo, before the next one takes over the session, and its encode overlaps that one's inference.
 */
export interface SerialModel {
  readonly provider: Model['provider'];
  forJob(observer?: RunObserver): Model;
}

export function serialModel(inner: Model): SerialModel {
  const turns = new Turns();
  let views = 0;
  return {
    provider: inner.provider,
    forJob: (observer = {}) => {
      const rank = views++;
      const inTurn = <T>(fn: () => Promise<T>) =>
        turns.take(rank, async () => {
          observer.beforeRun?.(); // a job cancelled while it waited fails here, without running the model
          try {
            return await fn();
          } finally {
            observer.afterRun?.();
          }
        });
      return {
        provider: inner.provider,
        run: (image, mask, width, height) => inTurn(() => inner.run(image, mask, width, height)),
        fill: (image, mask, width, height, place) => inTurn(() => inner.fill(image, mask, width, height, place)),
      };
    },
  };
}

// One batch job at a time, followed through main's events. Lives outside the dialog so that closing the
// dialog does not lose the run: the status bar keeps showing it and reopening the dialog picks it up.
import type { BatchOptions, BatchSummary, EventPayload } from '../../main/contract/app-api';
import { api } from '../api';

export type BatchProgress = EventPayload<'batch:progress'>;

export class BatchRun {
  batchId: string | null = $state(null);
  progress: BatchProgress | null = $state.raw(null);
  summary: BatchSummary | null = $state.raw(null);
  cancelling = $state(false);

  readonly running = $derived(this.batchId !== null && this.summary === null);
  /** The latest events whatever their id: a small batch can finish before batch:start's reply arrives. */
  #lastProgress: BatchProgress | null = null;
  #lastSummary: BatchSummary | null = null;

  listen(): void {
    api.on('batch:progress', (p) => {
      this.#lastProgress = p;
      if (p.batchId === this.batchId && !this.summary) this.progress = p;
    });
    api.on('batch:done', (summary) => {
      this.#lastSummary = summary;
      if (summary.batchId === this.batchId) this.summary = summary;
    });
  }

  async start(options: BatchOptions): Promise<void> {
    this.reset();
    const { batchId } = await api.invoke('batch:start', options);
    this.batchId = batchId;
    if (this.#lastProgress?.batchId === batchId) this.progress = this.#lastProgress;
    if (this.#lastSummary?.batchId === batchId) this.summary = this.#lastSummary;
  }

  /** Stops after the file in progress; main then sends the summary. */
  async cancel(): Promise<void> {
    if (!this.batchId || !this.running) return;
    this.cancelling = true;
    await api.invoke('batch:cancel', { batchId: this.batchId });
  }

  reset(): void {
    this.batchId = null;
    this.progress = null;
    this.summary = null;
    this.cancelling = false;
  }
}

// One batch job at a time, followed through main's events. Lives outside the dialog so that closing the
// dialog does not lose the run: the status bar keeps showing it and reopening the dialog picks it up.
import type { BatchOptions, BatchSummary, EventPayload } from '../../main/contract/app-api';
import { api } from '../api';

export type BatchProgress = EventPayload<'batch:progress'>;

/**
 * The Batch dialog's choices. They outlive the dialog and "New batch", so the next run starts from the last
 * one's. "If a result exists" starts at Skip, as on the command line: running a batch again continues where
 * it stopped instead of writing every photo a second time.
 */
export class BatchSettings {
  inputDir = $state('');
  recursive = $state(false);
  maskKind: 'folder' | 'single' | 'painted' = $state('folder');
  maskDir = $state('');
  maskFile = $state('');
  scaleToFit = $state(true);
  /** Empty: the default, a new "inpainted" folder inside the input folder. */
  chosenOutput = $state('');
  format: BatchOptions['format'] = $state('same');
  quality = $state(92);
  existing: BatchOptions['existing'] = $state('skip');
  allowInputDir = $state(false);
}

export class BatchRun {
  readonly settings = new BatchSettings();
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

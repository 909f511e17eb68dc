// The open photo and its undo history. The state is immutable (see layers.ts): an edit swaps in a new
// DocState and pushes the old one on the undo stack. Reactive through Svelte's runes, nothing else.
import type { PhotoInfo } from '../../main/contract/app-api';
import { addMaskLayer, emptyState, visibleResults, type DocState } from './layers';

const HISTORY_LIMIT = 200;

/** What the editor keeps of PhotoInfo: the preview bytes live in the canvas once decoded. */
export type PhotoMeta = Omit<PhotoInfo, 'preview'>;

export class PhotoDocument {
  readonly photo: PhotoMeta;
  readonly preview: Blob;
  state: DocState = $state.raw(emptyState());
  #past: DocState[] = $state.raw([]);
  #future: DocState[] = $state.raw([]);
  #mergeKey: string | null = null;
  /** The visible results at the last export: unsaved work is anything else. */
  exportedKey: string = $state('');

  readonly canUndo = $derived(this.#past.length > 0);
  readonly canRedo = $derived(this.#future.length > 0);
  readonly resultsKey = $derived(visibleResults(this.state).map((r) => r.resultId).join(','));
  readonly hasUnexportedResults = $derived(this.resultsKey !== '' && this.resultsKey !== this.exportedKey);

  constructor(info: PhotoInfo, state?: DocState) {
    const { preview, ...photo } = info;
    this.photo = photo;
    this.preview = new Blob([preview as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' });
    this.state = state ?? addMaskLayer(emptyState());
  }

  /**
   * Applies an edit as one undo step. Edits sharing a `mergeKey` in a row (an opacity slider being dragged)
   * fold into one step.
   */
  edit(change: (state: DocState) => DocState, mergeKey?: string): void {
    const next = change(this.state);
    if (next === this.state) return;
    if (!mergeKey || mergeKey !== this.#mergeKey) {
      this.#past = [...this.#past, this.state].slice(-HISTORY_LIMIT);
    }
    this.#future = [];
    this.#mergeKey = mergeKey ?? null;
    this.state = next;
  }

  /** Changes the selection without an undo step: selecting is not an edit. */
  select(layerId: string): void {
    this.state = { ...this.state, activeId: layerId };
  }

  undo(): void {
    const previous = this.#past.at(-1);
    if (!previous) return;
    this.#past = this.#past.slice(0, -1);
    this.#future = [this.state, ...this.#future];
    this.#mergeKey = null;
    this.state = previous;
  }

  redo(): void {
    const next = this.#future[0];
    if (!next) return;
    this.#future = this.#future.slice(1);
    this.#past = [...this.#past, this.state];
    this.#mergeKey = null;
    this.state = next;
  }

  markExported(): void {
    this.exportedKey = this.resultsKey;
  }
}

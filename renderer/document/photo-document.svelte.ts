// The open photo and its undo history. The state is immutable (see layers.ts): an edit swaps in a new
// DocState and pushes the old one on the undo stack. Reactive through Svelte's runes, nothing else.
import type { PhotoInfo } from '../../main/contract/app-api';
import { addMaskLayer, emptyState, visibleResults, type DocState } from './layers';

const HISTORY_LIMIT = 200;

/** What the editor keeps of PhotoInfo: the preview bytes live in the canvas once decoded. */
export type PhotoMeta = Omit<PhotoInfo, 'preview'>;

/** Everything the person would find again after a crash: the state, what undo and redo reach, and more. */
export interface Session {
  state: DocState;
  past: readonly DocState[];
  future: readonly DocState[];
  /** Every result the document was ever given, reachable or not (see editor/recovery.ts). */
  knownResults: readonly string[];
  exportedKey: string;
}

export class PhotoDocument {
  readonly photo: PhotoMeta;
  readonly preview: Blob;
  state: DocState = $state.raw(emptyState());
  #past: DocState[] = $state.raw([]);
  #future: DocState[] = $state.raw([]);
  #mergeKey: string | null = null;
  /** The visible results at the last export: unsaved work is anything else. */
  exportedKey: string = $state('');
  #knownResults = new Set<string>();
  /** Told after every change to the state or the history (the editor saves the recovery file then). */
  onChange: () => void = () => {};

  readonly canUndo = $derived(this.#past.length > 0);
  readonly canRedo = $derived(this.#future.length > 0);
  readonly resultsKey = $derived(visibleResults(this.state).map((r) => r.resultId).join(','));
  readonly hasUnexportedResults = $derived(this.resultsKey !== '' && this.resultsKey !== this.exportedKey);

  /** A new document, or one restored from its session (editor/recovery.ts) as it was left. */
  constructor(info: PhotoInfo, session?: Session) {
    const { preview, ...photo } = info;
    this.photo = photo;
    this.preview = new Blob([preview as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' });
    this.state = session?.state ?? addMaskLayer(emptyState());
    this.#past = [...(session?.past ?? [])];
    this.#future = [...(session?.future ?? [])];
    this.#knownResults = new Set(session?.knownResults);
    this.exportedKey = session?.exportedKey ?? '';
  }

  session(): Session {
    return { state: this.state, past: this.#past, future: this.#future, knownResults: [...this.#knownResults], exportedKey: this.exportedKey };
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
    for (const layer of next.layers) if (layer.kind === 'result') this.#knownResults.add(layer.resultId);
    this.onChange();
  }

  /** Changes the selection without an undo step: selecting is not an edit. */
  select(layerId: string): void {
    this.state = { ...this.state, activeId: layerId };
    this.onChange();
  }

  undo(): void {
    const previous = this.#past.at(-1);
    if (!previous) return;
    this.#past = this.#past.slice(0, -1);
    this.#future = [this.state, ...this.#future];
    this.#mergeKey = null;
    this.state = previous;
    this.onChange();
  }

  redo(): void {
    const next = this.#future[0];
    if (!next) return;
    this.#future = this.#future.slice(1);
    this.#past = [...this.#past, this.state];
    this.#mergeKey = null;
    this.state = next;
    this.onChange();
  }

  markExported(): void {
    this.exportedKey = this.resultsKey;
    this.onChange();
  }
}

// The document's session in the recovery file, saved after every change: the layers as they are, and every
// state undo and redo can reach, so a restored document is exactly the one left behind. States share most of
// their layers, and layers most of their ops (edits are immutable, see document/layers.ts), so each distinct
// op, layer and state is written once and referred to by its index. Masks are kept as their vector ops (exact,
// and far smaller than full-resolution PNGs); result layers by resultId, since main keeps their patches.
import { z } from 'zod';
import type { RecoveredDocument, StoredResult } from '../../main/contract/app-api';
import type { DocState, Layer, MaskOp as Op, ResultLayer } from '../document/layers';
import type { Session } from '../document/photo-document.svelte';

const Points = z.array(z.number()).max(2_000_000);
const MaskOp = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('stroke'), erase: z.boolean(), size: z.number().positive(), points: Points }),
  z.object({ kind: z.literal('rect'), erase: z.boolean(), x: z.number(), y: z.number(), width: z.number(), height: z.number() }),
  z.object({ kind: z.literal('lasso'), erase: z.boolean(), points: Points }),
  z.object({ kind: z.literal('clear') }),
  z.object({ kind: z.literal('invert') }),
]);
const Common = { id: z.string(), name: z.string(), visible: z.boolean() };
const Index = z.number().int().nonnegative();
const SavedLayer = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mask'), ...Common, color: z.string(), opacity: z.number().min(0).max(1), ops: z.array(Index) }),
  z.object({ kind: z.literal('result'), ...Common, resultId: z.string(), provider: z.string(), elapsedMs: z.number() }),
]);
const SavedState = z.object({ layers: z.array(Index), activeId: z.string().nullable(), masksMade: Index, removalsMade: Index });
const SavedSession = z.object({
  version: z.literal(2),
  ops: z.array(MaskOp),
  layers: z.array(SavedLayer),
  states: z.array(SavedState).min(1),
  past: z.array(Index),
  present: Index,
  future: z.array(Index),
  knownResults: z.array(z.string()),
  exportedKey: z.string(),
});
type SavedSession = z.infer<typeof SavedSession>;

/** The recovery file before sessions: the layers alone (masks with their ops inline). */
const LegacyLayer = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mask'), ...Common, color: z.string(), opacity: z.number().min(0).max(1), ops: z.array(MaskOp) }),
  z.object({ kind: z.literal('result'), ...Common, resultId: z.string(), provider: z.string(), elapsedMs: z.number() }),
]);

/** Each distinct value once, by identity: its index in `list`. */
class Table<T, Saved> {
  readonly list: Saved[] = [];
  readonly #index = new Map<T, number>();
  readonly #save: (value: T) => Saved;
  constructor(save: (value: T) => Saved) {
    this.#save = save;
  }
  add(value: T): number {
    let i = this.#index.get(value);
    if (i === undefined) {
      i = this.list.push(this.#save(value)) - 1;
      this.#index.set(value, i);
    }
    return i;
  }
}

export function saveSession(session: Session): SavedSession {
  const ops = new Table<Op, Op>((op) => op);
  const layers = new Table<Layer, z.infer<typeof SavedLayer>>((layer) => {
    if (layer.kind === 'mask') return { ...layer, ops: layer.ops.map((op) => ops.add(op)) };
    const { patch: _patch, rect: _rect, ...kept } = layer; // main holds the pixels
    return kept;
  });
  const states = new Table<DocState, z.infer<typeof SavedState>>(({ layers: stack, ...rest }) => ({
    ...rest,
    layers: stack.map((layer) => layers.add(layer)),
  }));
  const present = states.add(session.state);
  const past = session.past.map((s) => states.add(s));
  const future = session.future.map((s) => states.add(s));
  return {
    version: 2,
    ops: ops.list as SavedSession['ops'], // saved as they are: only read, never changed
    layers: layers.list,
    states: states.list,
    past,
    present,
    future,
    knownResults: [...session.knownResults],
    exportedKey: session.exportedKey,
  };
}

/** How a restored session reads in the Restore prompt: the result layers in it now, and how many are hidden. */
export interface RestoredSession extends Session {
  results: number;
  hidden: number;
}

/**
 * The session as it was saved, its result layers joined to the patches main kept. Whatever cannot be read
 * is left out, never guessed: a layer whose patch is gone disappears from every state. Results main holds that
 * the session never heard of (a crash right after Remove Object, before the session was saved) are added on
 * top; results it knew of but can no longer reach (undone, then replaced) stay gone. A session that cannot be
 * read at all still brings back every result main kept, on top of the photo.
 */
export function restoreSession(recovered: RecoveredDocument): RestoredSession {
  const patches = new Map<string, StoredResult>(recovered.results.map((r) => [r.resultId, r]));
  const parsed = SavedSession.safeParse(recovered.session);
  const session = parsed.success ? fromSaved(parsed.data, patches) : fromLegacy(recovered.session, patches);
  const known = new Set(session.knownResults);
  const unheardOf = recovered.results.filter((r) => !known.has(r.resultId));
  const state = unheardOf.reduce(addRecoveredResult, session.state);
  const results = state.layers.filter((l) => l.kind === 'result');
  return {
    ...session,
    state,
    knownResults: [...known, ...unheardOf.map((r) => r.resultId)],
    results: results.length,
    hidden: results.filter((l) => !l.visible).length,
  };
}

function fromSaved(saved: SavedSession, patches: Map<string, StoredResult>): Session {
  const ops = saved.ops as Op[];
  const layers = saved.layers.map((layer): Layer | null => {
    if (layer.kind === 'mask') return { ...layer, ops: layer.ops.map((i) => ops[i]).filter((op) => op !== undefined) };
    return resultLayer(layer, patches);
  });
  const states = saved.states.map(({ layers: stack, ...rest }): DocState => {
    const kept = stack.map((i) => layers[i]).filter((l): l is Layer => l != null);
    return { ...rest, layers: kept, activeId: kept.some((l) => l.id === rest.activeId) ? rest.activeId : lastMask(kept) };
  });
  const state = (i: number) => states[i];
  const history = (indices: number[]) => indices.map(state).filter((s): s is DocState => s !== undefined);
  return {
    state: state(saved.present) ?? states[0]!,
    past: history(saved.past),
    future: history(saved.future),
    knownResults: saved.knownResults,
    exportedKey: saved.exportedKey,
  };
}

/** A recovery file written before sessions: its layers, without history. */
function fromLegacy(raw: unknown, patches: Map<string, StoredResult>): Session {
  const layers: Layer[] = [];
  for (const item of Array.isArray(raw) ? raw : []) {
    const parsed = LegacyLayer.safeParse(item);
    if (!parsed.success) continue;
    const layer = parsed.data.kind === 'mask' ? parsed.data : resultLayer(parsed.data, patches);
    if (layer) layers.push(layer);
  }
  const state: DocState = {
    layers,
    activeId: lastMask(layers),
    masksMade: highestNumber(layers, 'mask'),
    removalsMade: highestNumber(layers, 'result'),
  };
  const knownResults = layers.flatMap((l) => (l.kind === 'result' ? [l.resultId] : []));
  return { state, past: [], future: [], knownResults, exportedKey: '' };
}

function resultLayer(saved: Omit<ResultLayer, 'rect' | 'patch'>, patches: Map<string, StoredResult>): ResultLayer | null {
  const stored = patches.get(saved.resultId);
  return stored ? { ...saved, rect: stored.rect, patch: stored.patch } : null;
}

function addRecoveredResult(state: DocState, stored: StoredResult): DocState {
  const n = state.removalsMade + 1;
  const layer: ResultLayer = { kind: 'result', id: `recovered-${stored.resultId}`, name: `Remove Object ${n}`, visible: true, ...stored, provider: '', elapsedMs: 0 };
  return { ...state, layers: [...state.layers, layer], removalsMade: n };
}

const lastMask = (layers: readonly Layer[]) => layers.findLast((l) => l.kind === 'mask')?.id ?? null;

/** "Mask 3" -> 3: new layers continue the numbering instead of repeating a name. */
function highestNumber(layers: Layer[], kind: Layer['kind']): number {
  const numbers = layers.filter((l) => l.kind === kind).map((l) => Number(/(\d+)$/.exec(l.name)?.[1] ?? 0));
  return Math.max(0, ...numbers);
}

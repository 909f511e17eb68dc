// The document's layers as plain, immutable data. Every edit returns a new DocState, so an undo step is
// just the previous value. Coordinates are always the photo's full-resolution pixels.
import type { Rect } from '../../main/contract/app-api';

/** A polyline as [x0, y0, x1, y1, ...]: compact in memory and in the recovery file. */
export type Points = readonly number[];

/** What painting does to a mask layer. `erase` ops remove from the mask instead of adding to it. */
export type MaskOp =
  | { kind: 'stroke'; erase: boolean; size: number; points: Points }
  | { kind: 'rect'; erase: boolean; x: number; y: number; width: number; height: number }
  | { kind: 'lasso'; erase: boolean; points: Points }
  | { kind: 'clear' }
  | { kind: 'invert' };

interface LayerBase {
  id: string;
  name: string;
  visible: boolean;
}

export interface MaskLayer extends LayerBase {
  kind: 'mask';
  color: string; // #rrggbb, how the mask is tinted on screen
  opacity: number; // 0..1, on screen only
  ops: readonly MaskOp[];
}

/** A Remove Object result: the patch main returned (RGBA PNG, alpha = the mask) at `rect`. */
export interface ResultLayer extends LayerBase {
  kind: 'result';
  resultId: string;
  rect: Rect;
  patch: Uint8Array;
  provider: string;
  elapsedMs: number;
}

export type Layer = MaskLayer | ResultLayer;

export interface DocState {
  layers: readonly Layer[]; // bottom to top, above the photo
  activeId: string | null;
  /** Numbering for new names; part of the state so undoing a step also gives its number back. */
  masksMade: number;
  removalsMade: number;
}

export const MASK_COLORS = ['#ff3b5c', '#2ec8ff', '#ffc53d', '#b26bff', '#3ddc84'];

let nextId = 0;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(nextId++).toString(36)}`;

export const emptyState = (): DocState => ({ layers: [], activeId: null, masksMade: 0, removalsMade: 0 });

export function addMaskLayer(state: DocState): DocState {
  const n = state.masksMade + 1;
  const layer: MaskLayer = {
    kind: 'mask',
    id: newId('mask'),
    name: `Mask ${n}`,
    visible: true,
    color: MASK_COLORS[(n - 1) % MASK_COLORS.length]!,
    opacity: 0.5,
    ops: [],
  };
  return { ...state, layers: [...state.layers, layer], activeId: layer.id, masksMade: n };
}

export function updateLayer<L extends Layer>(state: DocState, id: string, change: Partial<Omit<L, 'id' | 'kind'>>): DocState {
  return { ...state, layers: state.layers.map((l) => (l.id === id ? ({ ...l, ...change } as Layer) : l)) };
}

export function deleteLayer(state: DocState, id: string): DocState {
  const index = state.layers.findIndex((l) => l.id === id);
  if (index < 0) return state;
  const layers = state.layers.filter((l) => l.id !== id);
  // Select the neighbour that took its place, as layer panels usually do.
  const activeId = state.activeId === id ? (layers[Math.min(index, layers.length - 1)]?.id ?? null) : state.activeId;
  return { ...state, layers, activeId };
}

/** Moves a layer up (+1, towards the top) or down (-1). */
export function moveLayer(state: DocState, id: string, delta: number): DocState {
  const from = state.layers.findIndex((l) => l.id === id);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= state.layers.length) return state;
  const layers = [...state.layers];
  const [layer] = layers.splice(from, 1);
  layers.splice(to, 0, layer!);
  return { ...state, layers };
}

export function appendOp(state: DocState, maskId: string, op: MaskOp): DocState {
  return {
    ...state,
    layers: state.layers.map((l) => (l.id === maskId && l.kind === 'mask' ? { ...l, ops: [...l.ops, op] } : l)),
  };
}

export const visibleMasks = (state: DocState): MaskLayer[] =>
  state.layers.filter((l): l is MaskLayer => l.kind === 'mask' && l.visible);

export const visibleResults = (state: DocState): ResultLayer[] =>
  state.layers.filter((l): l is ResultLayer => l.kind === 'result' && l.visible);

export const findLayer = (state: DocState, id: string | null): Layer | undefined =>
  state.layers.find((l) => l.id === id);

/**
 * Remove Object's one undo step: the result goes on top, named after the step; the masks it used are
 * hidden; a fresh mask layer is added above it and selected, so the person can paint the next thing.
 */
export function addResult(
  state: DocState,
  result: Omit<ResultLayer, 'kind' | 'id' | 'name' | 'visible'>,
  usedMaskIds: readonly string[],
): DocState {
  const n = state.removalsMade + 1;
  const layer: ResultLayer = { kind: 'result', id: newId('result'), name: `Remove Object ${n}`, visible: true, ...result };
  const hidden = state.layers.map((l) => (usedMaskIds.includes(l.id) ? { ...l, visible: false } : l));
  return addMaskLayer({ ...state, layers: [...hidden, layer], removalsMade: n });
}

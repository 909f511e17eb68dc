// The document's layers in the recovery file. Masks are kept as their vector ops (exact, and far smaller
// than full-resolution PNGs); result layers by resultId, since main keeps and restores their patches.
import { z } from 'zod';
import type { RecoveredDocument, StoredResult } from '../../main/contract/app-api';
import type { DocState, Layer } from '../document/layers';

const Points = z.array(z.number()).max(2_000_000);
const MaskOp = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('stroke'), erase: z.boolean(), size: z.number().positive(), points: Points }),
  z.object({ kind: z.literal('rect'), erase: z.boolean(), x: z.number(), y: z.number(), width: z.number(), height: z.number() }),
  z.object({ kind: z.literal('lasso'), erase: z.boolean(), points: Points }),
  z.object({ kind: z.literal('clear') }),
  z.object({ kind: z.literal('invert') }),
]);
const Common = { id: z.string(), name: z.string(), visible: z.boolean() };
const SavedLayer = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mask'), ...Common, color: z.string(), opacity: z.number().min(0).max(1), ops: z.array(MaskOp) }),
  z.object({ kind: z.literal('result'), ...Common, resultId: z.string(), provider: z.string(), elapsedMs: z.number() }),
]);

export function saveLayers(state: DocState): unknown[] {
  return state.layers.map((layer) => {
    if (layer.kind === 'mask') return layer;
    const { patch: _patch, rect: _rect, ...kept } = layer; // main holds the pixels
    return kept;
  });
}

/** Rebuilds the layers from a recovered document; anything unreadable or without its patch is left out. */
export function restoreLayers(recovered: RecoveredDocument): DocState {
  const patches = new Map<string, StoredResult>(recovered.results.map((r) => [r.resultId, r]));
  const layers: Layer[] = [];
  for (const raw of recovered.layers) {
    const parsed = SavedLayer.safeParse(raw);
    if (!parsed.success) continue;
    const saved = parsed.data;
    if (saved.kind === 'mask') {
      layers.push(saved);
      continue;
    }
    const stored = patches.get(saved.resultId);
    if (stored) layers.push({ ...saved, rect: stored.rect, patch: stored.patch });
    patches.delete(saved.resultId);
  }
  // Results main saved after the renderer last did (a crash right after Remove Object) still come back.
  for (const stored of patches.values()) {
    const n = layers.length + 1;
    layers.push({ kind: 'result', id: `recovered-${n}`, name: `Recovered result ${n}`, visible: true, ...stored, provider: '', elapsedMs: 0 });
  }
  return {
    layers,
    activeId: layers.findLast((l) => l.kind === 'mask')?.id ?? null,
    masksMade: highestNumber(layers, 'mask'),
    removalsMade: highestNumber(layers, 'result'),
  };
}

/** "Mask 3" -> 3: new layers continue the numbering instead of repeating a name. */
function highestNumber(layers: Layer[], kind: Layer['kind']): number {
  const numbers = layers.filter((l) => l.kind === kind).map((l) => Number(/(\d+)$/.exec(l.name)?.[1] ?? 0));
  return Math.max(0, ...numbers);
}

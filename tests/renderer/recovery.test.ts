// renderer/editor/recovery.ts: the session saved after every change comes back as it was left, through the
// wire encoding main stores it in, with results joined to the patches main kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecoveredDocument, StoredResult } from '../../main/contract/app-api';
import { decodeWire, encodeWire } from '../../main/contract/wire';
import { addMaskLayer, addResult, appendOp, emptyState, updateLayer, type DocState, type MaskLayer, type MaskOp } from '../../renderer/document/layers';
import type { Session } from '../../renderer/document/photo-document.svelte';
import { restoreSession, saveSession } from '../../renderer/editor/recovery';

const rect = { x: 1, y: 2, width: 3, height: 4 };
const stored = (resultId: string): StoredResult => ({ resultId, rect, patch: new Uint8Array([137, 80, 78, 71, resultId.length]) });
const stroke = (x: number): MaskOp => ({ kind: 'stroke', erase: false, size: 8, points: [x, 10, x + 5, 20] });
const withResult = (state: DocState, resultId: string) => addResult(state, { resultId, rect, patch: new Uint8Array(9), provider: 'cpu', elapsedMs: 5 }, [state.activeId!]);

/** What recovery:load hands the renderer: the session as main stored it (wire form), and main's patches. */
function recovered(session: unknown, results: StoredResult[]): RecoveredDocument {
  const photo = { docId: 'd', path: '/p.png', name: 'p.png', width: 10, height: 10, format: 'png', preview: new Uint8Array(1), previewWidth: 10, previewHeight: 10 };
  return { photo, session: decodeWire(encodeWire(session)), results, savedAt: '2026-01-01T00:00:00Z' };
}

const names = (state: DocState) => state.layers.map((l) => `${l.name}${l.visible ? '' : ' (hidden)'}`);

test('a session comes back as it was left: layers, visibility, opacity, selection, and both ends of the history', () => {
  const base = addMaskLayer(emptyState());
  const maskId = base.layers[0]!.id;
  const painted = appendOp(base, maskId, stroke(1));
  const styled = updateLayer<MaskLayer>(appendOp(painted, maskId, stroke(2)), maskId, { opacity: 0.8 });
  const filled = withResult(styled, 'r1');
  const hidden = updateLayer(filled, filled.layers[1]!.id, { visible: false });
  const session: Session = { state: filled, past: [painted, styled], future: [hidden], knownResults: ['r1'], exportedKey: 'r1' };

  const back = restoreSession(recovered(saveSession(session), [stored('r1')]));
  assert.deepEqual(names(back.state), ['Mask 1 (hidden)', 'Remove Object 1', 'Mask 2']);
  assert.deepEqual(back.past.map(names), [['Mask 1'], ['Mask 1']]);
  assert.deepEqual(back.future.map(names), [['Mask 1 (hidden)', 'Remove Object 1 (hidden)', 'Mask 2']]);
  const mask = back.past[1]!.layers[0]!;
  assert.ok(mask.kind === 'mask' && mask.opacity === 0.8 && mask.ops.length === 2);
  assert.equal(back.state.activeId, filled.activeId);
  assert.deepEqual([back.results, back.hidden, back.exportedKey], [1, 0, 'r1']);
  const result = back.state.layers[1]!;
  assert.ok(result.kind === 'result' && result.patch.length === 5, 'the result carries the patch main kept');
  // Shared layers stay shared, so the canvas does not redraw what did not change.
  assert.equal(back.future[0]!.layers[2], back.state.layers[2]);
});

test('each op and layer is written once however many states hold it', () => {
  let state = addMaskLayer(emptyState());
  const id = state.layers[0]!.id;
  const past: DocState[] = [];
  for (let i = 0; i < 100; i++) {
    past.push(state);
    state = appendOp(state, id, stroke(i));
  }
  const saved = saveSession({ state, past, future: [], knownResults: [], exportedKey: '' });
  assert.equal(saved.ops.length, 100, 'each stroke once, not once per state that holds it');
  assert.equal(saved.states.length, 101);
});

test('results: unheard of ones come back on top, unreachable ones stay gone, one without its patch is left out everywhere', () => {
  const base = addMaskLayer(emptyState());
  const first = withResult(base, 'kept');
  const second = withResult(first, 'lost-patch');
  // 'undone' was made, undone and replaced: known to the session, in no state. 'after-save' reached main only.
  const session: Session = { state: second, past: [base, first], future: [], knownResults: ['kept', 'lost-patch', 'undone'], exportedKey: '' };
  const back = restoreSession(recovered(saveSession(session), [stored('kept'), stored('undone'), stored('after-save')]));
  const results = (state: DocState) => state.layers.flatMap((l) => (l.kind === 'result' ? [l.resultId] : []));
  assert.deepEqual(results(back.state), ['kept', 'after-save']);
  assert.deepEqual(back.past.map(results), [[], ['kept']]);
  assert.equal(back.results, 2);
  assert.deepEqual(back.knownResults.toSorted(), ['after-save', 'kept', 'lost-patch', 'undone']);
});

test('a session that cannot be read still brings back every result, and an old file its layers', () => {
  const back = restoreSession(recovered({ version: 2, states: 'garbage' }, [stored('a'), stored('b')]));
  assert.deepEqual(names(back.state), ['Remove Object 1', 'Remove Object 2']);
  assert.deepEqual([back.past, back.future], [[], []]);

  const legacy = [
    { kind: 'mask', id: 'm1', name: 'Mask 3', visible: false, color: '#ff0000', opacity: 0.5, ops: [stroke(1)] },
    { kind: 'result', id: 'x', name: 'Remove Object 4', visible: true, resultId: 'a', provider: 'cpu', elapsedMs: 1 },
  ];
  const old = restoreSession(recovered(legacy, [stored('a')]));
  assert.deepEqual(names(old.state), ['Mask 3 (hidden)', 'Remove Object 4']);
  assert.deepEqual([old.state.masksMade, old.state.removalsMade, old.results], [3, 4, 1]);
});

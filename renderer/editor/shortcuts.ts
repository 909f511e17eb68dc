// Keyboard shortcuts. Menu accelerators (Ctrl/Cmd+O, Ctrl/Cmd+Shift+R, ...) belong to the native menu in
// Electron, which sends menu:command; the renderer handles them itself only in the browser.
import type { MenuCommand } from '../../main/contract/app-api';
import type { Tool } from '../canvas/tools';
import type { Editor } from './editor.svelte';

const toolKeys: Record<string, Tool> = { b: 'brush', e: 'eraser', r: 'rectangle', l: 'lasso' };

function menuCommand(e: KeyboardEvent): MenuCommand | null {
  const mod = e.ctrlKey || e.metaKey;
  if (!mod || e.altKey) return null;
  const key = e.key.toLowerCase();
  if (key === 'o' && !e.shiftKey) return 'open';
  if (key === 'r' && e.shiftKey) return 'removeObject';
  if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (key === 'y') return 'redo';
  if (key === 'e' && e.shiftKey) return 'export';
  if (key === '=' || key === '+') return 'zoomIn';
  if (key === '-') return 'zoomOut';
  if (key === '0') return 'zoomFit';
  if (key === '1') return 'zoom100';
  if (key === ',' && !e.shiftKey) return 'settings';
  return null;
}

/** Inputs that take typed text (a slider, a checkbox or a colour well does not). */
const TEXT_INPUT = 'input:not([type]), input[type="text"], input[type="search"], input[type="number"], input[type="url"], input[type="email"], input[type="password"], input[type="tel"]';

/**
 * Text fields keep their keys; so do open modal dialogs (they handle Escape themselves). Anything else with
 * the focus (a slider just dragged, a checkbox just clicked) leaves the editing shortcuts working.
 */
function typingOrInDialog(e: KeyboardEvent): boolean {
  const target = e.target as HTMLElement | null;
  if (target?.closest(`${TEXT_INPUT}, textarea, select, [contenteditable="true"]`)) return true;
  return document.querySelector('dialog[open][data-modal]') !== null;
}

/** Space and arrows belong to a focused control (a checkbox toggles, a slider moves). */
const onControl = (e: KeyboardEvent) => (e.target as HTMLElement | null)?.closest('input') !== null;

export function onKeyDown(editor: Editor, e: KeyboardEvent): void {
  if (typingOrInDialog(e)) return;
  const command = menuCommand(e);
  if (command) {
    if (editor.host === 'web') {
      e.preventDefault(); // the browser's own Ctrl+O, Ctrl+Shift+R (reload) ...
      editor.run(command);
    }
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const key = e.key.toLowerCase();
  if (key === ' ' && !onControl(e)) {
    e.preventDefault(); // no page scroll, no button "click"
    editor.spaceHeld = true;
  } else if (key === '\\') {
    editor.showingBefore = true;
  } else if (key === '[') {
    editor.stepBrush(-1);
  } else if (key === ']') {
    editor.stepBrush(1);
  } else if (toolKeys[key] && !e.repeat) {
    editor.tool = toolKeys[key];
  }
}

export function onKeyUp(editor: Editor, e: KeyboardEvent): void {
  if (e.key === ' ') editor.spaceHeld = false;
  if (e.key === '\\') editor.showingBefore = false;
}

/** A held key is released unseen when the window loses focus. */
export function onBlur(editor: Editor): void {
  editor.spaceHeld = false;
  editor.showingBefore = false;
}

// The application menu as a template (plain data, testable without Electron). Every item that edits the
// document sends a `menu:command` event: the renderer runs it, exactly as its own buttons do.
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from './contract/app-api';

export interface MenuActions {
  command(command: MenuCommand): void;
  /** A recent photo was chosen: it is already granted (see RecentList); the renderer is told to open it. */
  openRecent(photo: string): void;
}

export interface MenuState {
  recent: readonly string[];
  provider: string; // the execution provider in use, shown under Help
  isMac: boolean;
}

const item = (id: MenuCommand, label: string, actions: MenuActions, accelerator?: string): MenuItemConstructorOptions => ({
  id,
  label,
  ...(accelerator ? { accelerator } : {}),
  click: () => actions.command(id),
});

export function menuTemplate(state: MenuState, actions: MenuActions): MenuItemConstructorOptions[] {
  const recent: MenuItemConstructorOptions[] = state.recent.length
    ? state.recent.map((photo) => ({ label: path.basename(photo), sublabel: photo, click: () => actions.openRecent(photo) }))
    : [{ label: 'No Recent Photos', enabled: false }];

  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      item('open', 'Open...', actions, 'CmdOrCtrl+O'),
      { id: 'open-recent', label: 'Open Recent', submenu: recent },
      { type: 'separator' },
      item('removeObject', 'Remove Object', actions, 'CmdOrCtrl+Shift+R'),
      item('export', 'Export As...', actions, 'CmdOrCtrl+Shift+S'),
      { type: 'separator' },
      item('batch', 'Batch Process Folder...', actions, 'CmdOrCtrl+Shift+B'),
      ...(state.isMac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  };
  // Undo/Redo are the document's (mask strokes, results), not the text fields'.
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      item('undo', 'Undo', actions, 'CmdOrCtrl+Z'),
      item('redo', 'Redo', actions, state.isMac ? 'Cmd+Shift+Z' : 'Ctrl+Y'),
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      item('zoomIn', 'Zoom In', actions, 'CmdOrCtrl+='),
      item('zoomOut', 'Zoom Out', actions, 'CmdOrCtrl+-'),
      item('zoomFit', 'Fit to Window', actions, 'CmdOrCtrl+0'),
      item('zoom100', 'Actual Size (100%)', actions, 'CmdOrCtrl+1'),
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      item('about', 'About Holefill', actions),
      { id: 'provider', label: `Execution provider: ${state.provider}`, enabled: false },
    ],
  };
  return [...(state.isMac ? [{ role: 'appMenu' } as const] : []), file, edit, view, help];
}

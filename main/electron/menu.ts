// The application menu as a template (plain data, testable without Electron). Every item that edits the
// document sends a `menu:command` event: the renderer runs it, exactly as its own buttons do.
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { CommandContext } from '../commands/context';
import type { MenuCommand } from '../contract/app-api';

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
      // On macOS Settings… is in the app menu, where people look for it.
      ...(state.isMac ? [] : [{ type: 'separator' } as const, item('settings', 'Settings…', actions, 'Ctrl+,')]),
    ],
  };
  const appMenu: MenuItemConstructorOptions = {
    label: 'Holefill', // macOS shows the app's name here whatever the label
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      item('settings', 'Settings…', actions, 'Cmd+,'),
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      item('zoomIn', 'Zoom In', actions, 'CmdOrCtrl+='),
      item('zoomOut', 'Zoom Out', actions, 'CmdOrCtrl+-'),
      item('zoomFit', 'Fit to Window', actions, 'CmdOrCtrl+0'),
      item('zoom100', 'Actual Size (100%)', actions, 'CmdOrCtrl+1'),
      { type: 'separator' },
      item('compare', 'Compare Before and After', actions),
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      item('about', 'About Holefill', actions),
      { id: 'provider', label: `Execution provider: ${state.provider}`, enabled: false },
    ],
  };
  return [...(state.isMac ? [appMenu] : []), file, edit, view, help];
}

/**
 * Builds the menu now and again whenever what it shows changes: the recent list, and the provider in use
 * (known once the engine has started, and new after every settings:set). `apply` installs a template
 * (Electron's Menu.setApplicationMenu in app.ts; a recorder in tests).
 */
export function keepMenuCurrent(
  ctx: Pick<CommandContext, 'recent' | 'infoListeners'>,
  options: { isMac: boolean; actions: MenuActions; apply(template: MenuItemConstructorOptions[]): void },
): void {
  let provider = 'starting…';
  const rebuild = () => options.apply(menuTemplate({ recent: ctx.recent.list(), provider, isMac: options.isMac }, options.actions));
  ctx.recent.onChange(rebuild);
  ctx.infoListeners.add((info) => {
    provider = `${info.provider} (${info.precision})`;
    rebuild();
  });
  rebuild();
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../main/contract/app-api';
import { menuTemplate } from '../../main/electron/menu';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

function build(recent: string[] = []) {
  const commands: MenuCommand[] = [];
  const opened: string[] = [];
  const template = menuTemplate({ recent, provider: 'cpu', isMac: false }, { command: (c) => commands.push(c), openRecent: (p) => opened.push(p) });
  return { template, items: flatten(template), commands, opened };
}

const click = (item: MenuItemConstructorOptions | undefined) => (item!.click as () => void)();

test('File, Edit, View and Help hold the commands the brief names, with their accelerators', () => {
  const { template, items } = build();
  assert.deepEqual(template.map((m) => m.label ?? m.role), ['File', 'Edit', 'View', 'help']);
  const byId = (id: string) => items.find((i) => i.id === id);
  assert.equal(byId('removeObject')?.accelerator, 'CmdOrCtrl+Shift+R');
  assert.equal(byId('removeObject')?.label, 'Remove Object');
  for (const id of ['open', 'export', 'batch', 'undo', 'redo', 'zoomIn', 'zoomOut', 'zoomFit', 'zoom100', 'compare', 'about']) {
    assert.ok(byId(id), `${id} is in the menu`);
  }
  assert.equal(byId('provider')?.label, 'Execution provider: cpu');
  assert.ok(items.some((i) => i.label === 'Open Recent'));
});

test('menu items send their command to the renderer', () => {
  const { items, commands } = build();
  click(items.find((i) => i.id === 'removeObject'));
  click(items.find((i) => i.id === 'zoom100'));
  assert.deepEqual(commands, ['removeObject', 'zoom100']);
});

test('Open Recent lists the recent photos and opens the chosen one', () => {
  const { items, opened } = build(['/photos/a.jpg', '/photos/b.jpg']);
  const recent = items.find((i) => i.label === 'Open Recent')!.submenu as MenuItemConstructorOptions[];
  assert.deepEqual(recent.map((i) => i.label), ['a.jpg', 'b.jpg']);
  click(recent[1]);
  assert.deepEqual(opened, ['/photos/b.jpg']);
  const empty = build().items.find((i) => i.label === 'Open Recent')!.submenu as MenuItemConstructorOptions[];
  assert.equal(empty[0]?.enabled, false);
});

test('Settings… is under Edit with Ctrl+, (Windows, Linux) and in the app menu with Cmd+, (macOS), and opens the dialog', () => {
  const { items, commands } = build();
  const settings = items.filter((i) => i.id === 'settings');
  assert.equal(settings.length, 1);
  assert.deepEqual([settings[0]!.label, settings[0]!.accelerator], ['Settings…', 'Ctrl+,']);
  const edit = build().template.find((m) => m.label === 'Edit')!.submenu as MenuItemConstructorOptions[];
  assert.ok(edit.some((i) => i.id === 'settings'), 'under Edit');
  click(settings[0]);
  assert.deepEqual(commands, ['settings']);

  const mac: MenuCommand[] = [];
  const template = menuTemplate({ recent: [], provider: 'coreml', isMac: true }, { command: (c) => mac.push(c), openRecent: () => {} });
  assert.deepEqual(template.map((m) => m.label ?? m.role), ['Holefill', 'File', 'Edit', 'View', 'help']);
  const appMenu = template[0]!.submenu as MenuItemConstructorOptions[];
  const macSettings = flatten(template).filter((i) => i.id === 'settings');
  assert.equal(macSettings.length, 1, 'only in the app menu on macOS');
  assert.equal(appMenu.find((i) => i.id === 'settings'), macSettings[0]);
  assert.equal(macSettings[0]!.accelerator, 'Cmd+,');
  assert.ok(appMenu.some((i) => i.role === 'quit') && appMenu.some((i) => i.role === 'hide'), 'the usual app menu items stay');
  click(macSettings[0]);
  assert.deepEqual(mac, ['settings']);
});

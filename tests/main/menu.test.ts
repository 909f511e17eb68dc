import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../main/contract/app-api';
import { menuTemplate } from '../../main/menu';

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
  for (const id of ['open', 'export', 'batch', 'undo', 'redo', 'zoomIn', 'zoomOut', 'zoomFit', 'zoom100', 'about']) {
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

// The editor in Debian's Chromium against the real web host, engine and model: open, paint, Remove Object,
// export, then judge the exported pixels against the original with sharp.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import type { MaskRegion } from '../../main/contract/app-api';
import { decodeWire, encodeWire } from '../../main/contract/wire';
import { ENGINE_TIMEOUT, type PhotoPoint } from './editor-page';
import { BRUSH, expect, kodim23, PHOTO_SIZE as SIZE, test } from './fixtures';
import { and, changedPixels, count, not, strokeMask } from './pixels';

const root = path.resolve(import.meta.dirname, '../..');

/** Remove Object's requests as the page sends them; with `hold`, answered "cancelled" instead of filled. */
const isRemoveObject = (url: URL) => decodeURIComponent(url.pathname) === '/api/photo:removeObject';

async function watchRemoveObject(page: Page, hold = false): Promise<MaskRegion[]> {
  const sent: MaskRegion[] = [];
  const record = (body: string | null) => sent.push((decodeWire(body ?? 'null') as { mask: MaskRegion }).mask);
  if (hold) {
    await page.route(isRemoveObject, async (route) => {
      record(route.request().postData());
      const reply = { ok: false, error: { code: 'cancelled', message: 'Held by the test.' } };
      await route.fulfill({ status: 200, contentType: 'application/json', body: encodeWire(reply) });
    });
  } else {
    page.on('request', (r) => r.method() === 'POST' && isRemoveObject(new URL(r.url())) && record(r.postData()));
  }
  return sent;
}

/** The mask's rect holds the stroke's brush footprint, within a few pixels. */
function assertRectFitsStroke(rect: MaskRegion['rect'], stroke: PhotoPoint[]) {
  const xs = stroke.map((p) => p[0]);
  const ys = stroke.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const outer = BRUSH / 2 + 4; // the brush's radius, its antialiased edge, and the mouse's rounding
  const inner = BRUSH / 2 - 4;
  const where = `rect ${JSON.stringify(rect)}, stroke ${JSON.stringify(stroke)}`;
  assert.ok(rect.x >= x0 - outer && rect.x <= x0 - inner, `left edge: ${where}`);
  assert.ok(rect.y >= y0 - outer && rect.y <= y0 - inner, `top edge: ${where}`);
  assert.ok(rect.x + rect.width <= Math.min(SIZE, x1 + outer) && rect.x + rect.width >= Math.min(SIZE, x1 + inner), `right edge: ${where}`);
  assert.ok(rect.y + rect.height <= Math.min(SIZE, y1 + outer) && rect.y + rect.height >= Math.min(SIZE, y1 + inner), `bottom edge: ${where}`);
}

/** A mask region's first band (the mask), checked to be of the rect's size: raw RGBA, or a PNG when large. */
async function regionPixels(region: MaskRegion): Promise<Buffer> {
  const { rect } = region;
  if (region.kind === 'pixels') assert.equal(region.data.length, rect.width * rect.height * 4, "the rect's RGBA pixels");
  const image = region.kind === 'pixels' ? sharp(region.data, { raw: { width: rect.width, height: rect.height, channels: 4 } }) : sharp(region.data);
  const { data, info } = await image.extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [rect.width, rect.height], "the rect's size");
  return data;
}

/**
 * Checks an export against the original: nothing changed outside the stroke (allowing a pixel for the
 * brush's soft edge), and nearly everything well inside it did.
 */
async function assertOnlyStrokeChanged(exported: string, stroke: PhotoPoint[], untouched: PhotoPoint[][] = []) {
  const changed = await changedPixels(kodim23, exported);
  const outer = await strokeMask(SIZE, SIZE, stroke, BRUSH + 4);
  const inner = await strokeMask(SIZE, SIZE, stroke, BRUSH - 4);
  assert.equal(await count(await and(changed, await not(outer))), 0, 'pixels outside the stroke are byte-identical');
  const inside = await count(inner);
  const changedInside = await count(await and(changed, inner));
  assert.ok(changedInside >= 0.9 * inside, `pixels under the stroke were filled (${changedInside} of ${inside} changed)`);
  for (const other of untouched) {
    const region = await strokeMask(SIZE, SIZE, other, BRUSH + 4);
    assert.equal(await count(await and(changed, region)), 0, 'a hidden mask layer was not filled');
  }
}

test('paint a stroke, Remove Object, export: only the pixels under the stroke change (and the README screenshot)', async ({ photoEditor: editor, workDir: dir }) => {
  const sent = await watchRemoveObject(editor.page);
  const stroke: PhotoPoint[] = [[250, 175], [262, 190], [268, 210], [266, 232]];
  await editor.drag(stroke);
  assert.equal(await editor.layerRow('Mask 1').getByText('empty').count(), 0, 'the stroke is on Mask 1');

  await editor.removeObject(1);
  assert.equal(sent.length, 1);
  assertRectFitsStroke(sent[0]!.rect, stroke); // only the painted region travelled, not a photo-sized mask
  assert.equal(await editor.visibility('Mask 1').isChecked(), false, 'the mask used is hidden');
  assert.match(await editor.page.getByRole('contentinfo').innerText(), /Remove Object: \d+(\.\d)? s/);

  // For the README: a result, and a new mask painted on Mask 2 with the brush cursor over the photo.
  // Masks are never exported, so the export below is still judged against the first stroke alone.
  await editor.drag([[120, 330], [140, 350], [150, 380]]);
  await editor.page.mouse.move(...(await editor.screenPoint([185, 300])));
  await editor.page.screenshot({ path: path.join(root, 'assets/screenshot.png') });

  const exported = path.join(dir, 'removed.png');
  await editor.exportPng(exported);
  await assertOnlyStrokeChanged(exported, stroke);
  assert.deepEqual(editor.errors, []);
});

test('Remove Object sends only the painted region: a small rect at a corner stroke, the whole photo once inverted', async ({ photoEditor: editor }) => {
  const sent = await watchRemoveObject(editor.page, true); // the engine is not needed to judge the request
  const removeObject = async () => {
    const answered = editor.page.waitForResponse((r) => isRemoveObject(new URL(r.url())));
    await editor.button('Remove Object').click();
    await answered;
    await editor.page.getByRole('status').filter({ hasText: 'Remove Object cancelled' }).waitFor();
  };
  const corner: PhotoPoint[] = [[465, 22], [480, 30], [486, 40]];
  await editor.drag(corner);
  await removeObject();
  assert.equal(sent.length, 1);
  const { rect } = sent[0]!;
  assertRectFitsStroke(rect, corner);
  assert.ok(rect.width * rect.height < 0.02 * SIZE * SIZE, `a small region: ${JSON.stringify(rect)}`);
  const pixels = await regionPixels(sent[0]!);
  const at = ([x, y]: PhotoPoint) => pixels[(Math.round(y) - rect.y) * rect.width + (Math.round(x) - rect.x)];
  assert.equal(at(corner[1]!), 255, 'white under the stroke');

  await editor.button('Invert mask').click();
  await removeObject();
  assert.equal(sent.length, 2);
  const inverted = sent[1]!;
  assert.deepEqual(inverted.rect, { x: 0, y: 0, width: SIZE, height: SIZE }, 'an inverted mask is the whole photo');
  const all = await regionPixels(inverted);
  assert.equal(all[Math.round(corner[1]![1]) * SIZE + Math.round(corner[1]![0])], 0, 'the stroke, inverted, is kept');
  assert.equal(all[(SIZE - 10) * SIZE + 10], 255, 'the far corner is now the hole');
  assert.equal(await editor.layers.getByRole('listitem').count(), 2, 'no result layer: the request was held');
});

test('undo and redo step back and forth through painting and Remove Object', async ({ photoEditor: editor, workDir: dir }) => {
  const undo = editor.button('Undo');
  const redo = editor.button('Redo');
  await editor.drag([[100, 100], [160, 120]]);
  await undo.click();
  await editor.layerRow('Mask 1').getByText('empty').waitFor();
  await redo.click();
  await editor.layerRow('Mask 1').getByText('empty').waitFor({ state: 'detached' });

  await editor.removeObject(1);
  await editor.page.keyboard.down('\\'); // hold to compare with the photo as it was
  await editor.page.getByText('Before', { exact: true }).waitFor();
  await editor.page.keyboard.up('\\');
  await editor.page.getByText('Before', { exact: true }).waitFor({ state: 'detached' });

  await editor.page.keyboard.press('Control+z');
  await editor.layer('Remove Object 1').waitFor({ state: 'detached' });
  assert.equal(await editor.visibility('Mask 1').isChecked(), true, 'Mask 1 is visible again, as before');

  // The export now flattens no result: it is the original, pixel for pixel.
  const exported = path.join(dir, 'undone.png');
  await editor.exportPng(exported);
  assert.equal(await count(await changedPixels(kodim23, exported)), 0);

  await editor.page.keyboard.press('Control+Shift+z');
  await editor.layer('Remove Object 1').waitFor();
  assert.deepEqual(editor.errors, []);
});

/** Resolves when main has written a session to the recovery file that `holds` says is the one wanted. */
function sessionSaved(page: Page, holds: (session: any) => boolean): Promise<unknown> {
  return page.waitForResponse((r) => {
    if (decodeURIComponent(new URL(r.url()).pathname) !== '/api/recovery:save' || !r.ok()) return false;
    return holds((decodeWire(r.request().postData() ?? 'null') as { session: unknown }).session);
  });
}

test('a hidden mask layer is left out of Remove Object; the result survives a reload', async ({ photoEditor: editor, workDir: dir }) => {
  const hidden: PhotoPoint[] = [[80, 80], [160, 90]];
  const shown: PhotoPoint[] = [[330, 420], [420, 440]];
  await editor.drag(hidden);
  await editor.button('Add mask layer').click();
  assert.equal(await editor.layer('Mask 2').isChecked(), true, 'the new layer is the active one');
  await editor.drag(shown);
  await editor.visibility('Mask 1').uncheck();

  await editor.removeObject(1);
  // Opening another photo over results not yet exported asks first; keeping works.
  await editor.button('Open').click();
  const ask = editor.page.getByRole('alertdialog', { name: 'Discard unexported results?' });
  await ask.getByRole('button', { name: 'Keep working' }).click();
  await editor.layer('Remove Object 1').waitFor();
  assert.equal(await editor.page.getByRole('dialog', { name: 'Open photo' }).count(), 0);

  const exported = path.join(dir, 'hidden.png');
  const saved = sessionSaved(editor.page, (session) => session?.exportedKey !== '');
  await editor.exportPng(exported);
  await assertOnlyStrokeChanged(exported, shown, [hidden]);
  await saved;

  // Recovery: a reload (as after a crash) offers the document back with its result, exported as it was.
  await editor.page.reload();
  const restore = editor.page.getByRole('dialog', { name: 'Restore your last session?' });
  await restore.getByRole('button', { name: 'Restore' }).click();
  await editor.waitForPhoto('kodim23.png');
  await editor.layer('Remove Object 1').waitFor();
  assert.equal(await editor.visibility('Mask 1').isChecked(), false);
  assert.equal(await editor.visibility('Mask 2').isChecked(), false);
  await editor.button('Open').click();
  await editor.page.getByRole('dialog', { name: 'Open photo' }).getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await ask.count(), 0, 'the result was exported before the reload: nothing to ask');
  assert.deepEqual(editor.errors, []);
});

test('Restore brings back the session exactly as it was left: undone results stay undone, a hidden one stays hidden, undo and redo reach what they did', async ({ photoEditor: editor, workDir: dir }) => {
  const page = editor.page;
  await editor.drag([[250, 175], [262, 190], [268, 210]]);
  for (let round = 0; round < 2; round++) {
    await editor.removeObject(1);
    await page.keyboard.press('Control+z');
    await editor.layer('Remove Object 1').waitFor({ state: 'detached' });
  }
  await editor.removeObject(1); // main now holds three results; the document shows one
  // The result hidden, and that change on disk: the saved present state has its one result hidden.
  const saved = sessionSaved(page, (session) => {
    const present = session?.states?.[session.present];
    const results = present?.layers.map((i: number) => session.layers[i]).filter((l: { kind: string }) => l.kind === 'result');
    return results?.length === 1 && results[0].visible === false;
  });
  await editor.visibility('Remove Object 1').uncheck();
  await saved;

  await page.reload(); // as after a crash
  const restore = page.getByRole('dialog', { name: 'Restore your last session?' });
  await expect(restore).toContainText('1 Remove Object result (1 hidden)');
  await restore.getByRole('button', { name: 'Restore' }).click();
  await editor.waitForPhoto('kodim23.png');
  expect(await editor.layerNames()).toEqual(['Mask 2', 'Remove Object 1', 'Mask 1']);
  await expect(editor.visibility('Remove Object 1')).not.toBeChecked();
  await expect(editor.visibility('Mask 1')).not.toBeChecked();

  // Export writes the visible results: none, so the original, pixel for pixel.
  const exported = path.join(dir, 'restored.png');
  await editor.exportPng(exported);
  assert.equal(await count(await changedPixels(kodim23, exported)), 0, 'no hidden or undone result was exported');

  // Undo reaches what it reached before the reload: the hide, then the Remove Object; redo comes back.
  await page.keyboard.press('Control+z');
  await expect(editor.visibility('Remove Object 1')).toBeChecked();
  await page.keyboard.press('Control+z');
  await editor.layer('Remove Object 1').waitFor({ state: 'detached' });
  await expect(editor.visibility('Mask 1')).toBeChecked();
  expect(await editor.layerNames()).toEqual(['Mask 1']);
  await page.keyboard.press('Control+Shift+z');
  await page.keyboard.press('Control+Shift+z');
  await expect(editor.visibility('Remove Object 1')).not.toBeChecked();
  expect(await editor.layerNames()).toEqual(['Mask 2', 'Remove Object 1', 'Mask 1']);
  assert.deepEqual(editor.errors, []);
});

test('Remove Object with nothing painted explains what to do and adds no layer', async ({ photoEditor: editor }) => {
  await editor.button('Remove Object').click();
  await editor.alert.filter({ hasText: 'Nothing to remove' }).waitFor();
  await editor.alert.getByRole('button', { name: 'OK' }).click();
  assert.equal(await editor.layers.getByRole('listitem').count(), 2, 'Mask 1 and the photo only');
});

test('an unsupported file shows a clear error and the painted mask is kept', async ({ photoEditor: editor, workDir: dir }) => {
  await editor.drag([[200, 200], [260, 260]]);
  const notes = path.join(dir, 'notes.txt');
  await writeFile(notes, 'not a photo\n');
  const fake = path.join(dir, 'broken.png');
  await writeFile(fake, 'this is text, not a PNG');

  for (const file of [notes, fake]) {
    await editor.openPhoto(file);
    const alert = editor.alert.filter({ hasText: 'Could not open the photo' });
    await alert.waitFor();
    assert.ok((await alert.innerText()).length > 'Could not open the photo'.length + 10, 'the message says why');
    await alert.getByRole('button', { name: 'OK' }).click();
    await editor.page.getByRole('dialog', { name: 'Open photo' }).getByRole('button', { name: 'Cancel' }).click();
  }
  await editor.waitForPhoto('kodim23.png');
  assert.equal(await editor.layerRow('Mask 1').getByText('empty').count(), 0, 'the stroke is still there');
});

test('dropping a photo on the window opens it', async ({ editor }) => {
  const bytes = (await readFile(kodim23)).toString('base64');
  // What the browser does when a file from the desktop is dropped: dragover, then drop, with a DataTransfer.
  await editor.page.evaluate(async (base64) => {
    const file = new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], 'kodim23.png', { type: 'image/png' });
    const data = new DataTransfer();
    data.items.add(file);
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  }, bytes);
  await editor.waitForPhoto('kodim23.png');
  await editor.layer('Mask 1').waitFor();
  assert.deepEqual(editor.errors, []);
});

test('Export never writes over the original photo unless the person confirms', async ({ photoEditor: editor }) => {
  await editor.button('Export').click();
  const dialog = editor.page.getByRole('dialog', { name: 'Export As' });
  const exportButton = dialog.getByRole('button', { name: 'Export', exact: true });
  assert.notEqual(await dialog.getByLabel('Save to').inputValue(), kodim23, 'the suggested name is a new file');
  await dialog.getByLabel('Save to').fill(kodim23);
  assert.equal(await exportButton.isDisabled(), true, 'not without confirming');
  const confirm = dialog.getByRole('checkbox', { name: /Replace the original photo/ });
  await confirm.check();
  assert.equal(await exportButton.isEnabled(), true);
  await dialog.getByRole('button', { name: 'Cancel' }).click(); // the shared photo stays as it is
  await dialog.waitFor({ state: 'detached' });
});

test('Export: a typed extension chooses the format, the bytes match the name, and the next export starts in the same folder and format', async ({ photoEditor: editor, workDir: dir }) => {
  const page = editor.page;
  const dialog = page.getByRole('dialog', { name: 'Export As' });
  const format = dialog.getByLabel('Format');
  const saveTo = dialog.getByLabel('Save to');
  const exportButton = dialog.getByRole('button', { name: 'Export', exact: true });
  const exportTo = async (name: string) => {
    await exportButton.click();
    await dialog.waitFor({ state: 'detached', timeout: ENGINE_TIMEOUT });
    await page.getByRole('status').filter({ hasText: `Exported ${path.join(dir, name)}` }).waitFor();
  };

  await editor.button('Export').click();
  await format.selectOption('png');
  await saveTo.fill(path.join(dir, 'first.jpg'));
  await expect(format).toHaveValue('jpeg');
  await exportTo('first.jpg');
  assert.equal((await sharp(path.join(dir, 'first.jpg')).metadata()).format, 'jpeg');

  await editor.button('Export').click();
  await expect(format).toHaveValue('jpeg'); // remembered
  await expect(saveTo).toHaveValue(path.join(dir, 'kodim23-holefill.jpg')); // in the folder last exported to
  await format.selectOption('tiff');
  await expect(saveTo).toHaveValue(path.join(dir, 'kodim23-holefill.tif'), { timeout: 5000 });
  await saveTo.fill(path.join(dir, 'second.png'));
  await expect(format).toHaveValue('png');
  await exportTo('second.png');
  assert.equal((await sharp(path.join(dir, 'second.png')).metadata()).format, 'png');

  await editor.button('Export').click();
  await saveTo.fill(path.join(dir, 'third.bmp'));
  await expect(dialog.getByRole('alert')).toHaveText(/Holefill cannot write \.bmp files/);
  await expect(exportButton).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.deepEqual(editor.errors, []);
});

test('Export after a photo was dropped starts in a folder the person can find, not the web host\'s temporary copy', async ({ editor }) => {
  await editor.page.evaluate(async (base64) => {
    const file = new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], 'kodim23.png', { type: 'image/png' });
    const data = new DataTransfer();
    data.items.add(file);
    for (const type of ['dragenter', 'dragover', 'drop']) document.body.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  }, (await readFile(kodim23)).toString('base64'));
  await editor.waitForPhoto('kodim23.png');
  await editor.button('Export').click();
  const saveTo = editor.page.getByRole('dialog', { name: 'Export As' }).getByLabel('Save to');
  await expect(saveTo).toHaveValue(/kodim23-holefill\.png$/);
  const suggested = await saveTo.inputValue();
  assert.doesNotMatch(suggested, /holefill-web-drops-/, `a folder that outlives the web host: ${suggested}`);
  assert.ok(existsSync(path.dirname(suggested)), `an existing folder: ${suggested}`);
});

test('Open in the browser: a file picker beside a wide path field; ~ paths; a folder explained', async ({ editor }) => {
  const page = editor.page;
  await editor.button('Open').click();
  const dialog = page.getByRole('dialog', { name: 'Open photo' });
  const field = dialog.getByLabel('Path');
  const width = (await field.boundingBox())!.width;
  assert.ok(width > 400, `room for a path: ${width} px`);
  const chooser = page.waitForEvent('filechooser');
  await dialog.getByRole('button', { name: 'Choose file…' }).click();
  await (await chooser).setFiles(kodim23);
  await editor.waitForPhoto('kodim23.png');
  await expect(dialog).toBeHidden();

  // A folder in the home folder, as the person's own photos would be; removed afterwards.
  const home = await mkdtemp(path.join(os.homedir(), '.holefill-ui-'));
  try {
    await copyFile(kodim23, path.join(home, 'at-home.png'));
    const typed = `~/${path.basename(home)}`;
    await editor.openPhoto(typed);
    await expect(editor.alert).toContainText(`${home} is a folder: type the path of a file in it, or choose the photo with "Choose file…"`);
    await editor.alert.getByRole('button', { name: 'OK' }).click();
    await field.fill(`${typed}/at-home.png`);
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
    await editor.waitForPhoto('at-home.png');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  // Two recent photos of the same name (the copy picked above, and the original): both in File, told apart.
  await editor.openPhoto(kodim23);
  await editor.waitForPhoto('kodim23.png');
  await page.getByRole('button', { name: 'File', exact: true }).click();
  await expect(page.getByRole('menuitem', { name: `Open Recent: ${kodim23}` })).toBeVisible();
  await page.keyboard.press('Escape');
  assert.deepEqual(editor.errors.filter((e) => !/404/.test(e)), []);
});

test('Keyboard: editing shortcuts work after a slider or a checkbox was used; Escape closes a menu; another title switches menus', async ({ photoEditor: editor }) => {
  const page = editor.page;
  await editor.drag([[100, 100], [160, 120]]);
  const opacity = page.getByRole('slider', { name: 'Opacity' });
  const shown = page.getByRole('complementary', { name: 'Layers' }).getByRole('status');
  await opacity.fill('80');
  await expect(opacity).toBeFocused();
  await expect(shown).toHaveText('80%');
  await page.keyboard.press('Control+z');
  await expect(shown).toHaveText('50%');
  await editor.visibility('Mask 1').uncheck();
  await page.keyboard.press('Control+z');
  await expect(editor.visibility('Mask 1')).toBeChecked();
  await page.keyboard.press('Control+z');
  await editor.layerRow('Mask 1').getByText('empty').waitFor(); // the stroke undone too

  const menu = (name: string) => page.getByRole('menu', { name });
  await page.getByRole('button', { name: 'File', exact: true }).click();
  await expect(menu('File')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(menu('File')).toBeHidden();
  await page.getByRole('button', { name: 'File', exact: true }).click();
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await expect(menu('Edit')).toBeVisible();
  await expect(menu('File')).toBeHidden();
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await expect(menu('Edit')).toBeHidden();
  assert.deepEqual(editor.errors, []);
});

test('Compare: a control splits the canvas into before and after at a divider that the mouse and the keyboard move', async ({ photoEditor: editor }) => {
  const page = editor.page;
  await editor.drag([[80, 250], [420, 250]]); // a mask stroke across the photo, tinted on screen
  const layers = await editor.layers.getByRole('listitem').count();
  /** The canvas's pixel (RGB) where a photo point is shown. */
  const shownAt = async (point: PhotoPoint) => {
    const [x, y] = await editor.screenPoint(point);
    const box = (await editor.canvas.boundingBox())!;
    return editor.canvas.evaluate((canvas: HTMLCanvasElement, [cx, cy]) => {
      const [px, py] = [Math.round(cx * devicePixelRatio), Math.round(cy * devicePixelRatio)];
      return [...canvas.getContext('2d')!.getImageData(px, py, 1, 1).data.slice(0, 3)];
    }, [x - box.x, y - box.y] as const);
  };
  const left: PhotoPoint = [150, 250];
  const right: PhotoPoint = [350, 250];
  const tinted = { left: await shownAt(left), right: await shownAt(right) };

  const compare = page.getByRole('button', { name: 'Compare' });
  await compare.click();
  await expect(compare).toHaveAttribute('aria-pressed', 'true');
  const divider = page.getByRole('separator', { name: 'Before and after divider' });
  await expect(divider).toHaveAttribute('aria-valuenow', '50');
  await expect(page.getByText('Before', { exact: true })).toBeVisible();
  await expect(page.getByText('After', { exact: true })).toBeVisible();
  await expect.poll(() => shownAt(left), 'left of the divider: the photo as it was, without the mask').not.toEqual(tinted.left);
  expect(await shownAt(right), 'right of it: as it is now').toEqual(tinted.right);

  // Dragged right past the second point, the divider shows that one as it was too.
  const handle = (await divider.boundingBox())!;
  const [toX] = await editor.screenPoint([400, 250]);
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(toX, handle.y + handle.height / 2, { steps: 5 });
  await page.mouse.up();
  expect(Number(await divider.getAttribute('aria-valuenow'))).toBeGreaterThan(50);
  await expect.poll(() => shownAt(right)).not.toEqual(tinted.right);

  // The keyboard moves it back left of the second point.
  const before = Number(await divider.getAttribute('aria-valuenow'));
  await divider.focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowLeft');
  expect(Number(await divider.getAttribute('aria-valuenow'))).toBeLessThan(before);
  await expect.poll(() => shownAt(right)).toEqual(tinted.right);

  await compare.click();
  await expect(divider).toBeHidden();
  await expect.poll(() => shownAt(left)).toEqual(tinted.left);
  assert.equal(await editor.layers.getByRole('listitem').count(), layers, 'no layer added');
  await page.keyboard.press('Control+z');
  await editor.layerRow('Mask 1').getByText('empty').waitFor(); // the one stroke was the only edit: the divider painted nothing
  assert.deepEqual(editor.errors, []);
});

test('Remove Object says what it is doing ("Filling hole 2 of 3…"), and the tab\'s title names the photo', async ({ photoEditor: editor }) => {
  const page = editor.page;
  await expect(page).toHaveTitle('kodim23.png — Holefill');
  for (const stroke of [[[60, 60], [100, 70]], [[400, 80], [440, 90]], [[250, 420], [290, 430]]] as PhotoPoint[][]) await editor.drag(stroke);
  // Every text the progress dialog shows, as it shows it.
  await page.evaluate(() => {
    const seen: string[] = ((window as any).__stages = []);
    new MutationObserver(() => {
      const text = document.querySelector('dialog[open] p[aria-live]')?.textContent?.trim();
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await editor.removeObject(1);
  const stages: string[] = await page.evaluate(() => (window as any).__stages);
  for (const hole of [1, 2, 3]) expect(stages).toContain(`Filling hole ${hole} of 3…`);
  expect(stages.filter((s) => /^(decode|holes|model|patch|encode)…$/.test(s)), `the engine's own words: ${stages.join(' | ')}`).toEqual([]);
  await expect(page).toHaveTitle('kodim23.png • — Holefill'); // a result not yet exported
});

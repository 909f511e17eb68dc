// Batch Process Folder in the browser, against the real engine: paths typed, a small temp folder,
// progress to the end, the summary, the files on disk; the editor usable throughout.
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { expect, kodak, test } from './fixtures';

const PHOTOS = ['kodim01.png', 'kodim02.png', 'kodim03.png'];

/** Three small photos and, under the same names, masks with a white box in the middle. */
async function makeFolders(dir: string): Promise<{ input: string; masks: string }> {
  const input = path.join(dir, 'photos');
  const masks = path.join(dir, 'masks');
  await mkdir(input);
  await mkdir(masks);
  const box = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#fff' } }).png().toBuffer();
  for (const name of PHOTOS) {
    await sharp(kodak(name)).resize(160, 120).toFile(path.join(input, name));
    await sharp({ create: { width: 160, height: 120, channels: 3, background: '#000' } })
      .composite([{ input: box, left: 60, top: 45 }])
      .png()
      .toFile(path.join(masks, name));
  }
  return { input, masks };
}

test('Batch Process Folder runs a small folder to the end and shows the summary', async ({ editor, workDir }) => {
  const { input, masks } = await makeFolders(workDir);
  await editor.button('Batch…').click();
  const dialog = editor.page.getByRole('dialog', { name: 'Batch Process Folder' });
  const start = dialog.getByRole('button', { name: 'Start' });

  // In the browser the paths are typed: each is checked as it is typed, with nothing else to press.
  assert.equal(await dialog.getByRole('button', { name: /^Choose/ }).count(), 0, 'no Choose… button that could not choose');
  await dialog.getByRole('textbox', { name: 'Input folder' }).fill(input);
  await dialog.getByText('3 photos').waitFor();
  await expect(start).toBeDisabled();
  await expect(start).toHaveAccessibleDescription('Start needs the mask folder.');
  await dialog.getByRole('textbox', { name: 'Mask folder' }).fill(masks);
  await expect(start).toBeEnabled(); // the mask field still has the focus
  await expect(dialog.getByRole('textbox', { name: 'Mask folder' })).toBeFocused();
  assert.equal(await dialog.getByRole('textbox', { name: 'Output folder' }).inputValue(), path.join(input, 'inpainted'), 'the default output');

  await start.click();
  const progress = dialog.getByRole('progressbar', { name: 'Batch progress' });
  await progress.waitFor();
  assert.equal(await editor.button('Open').isEnabled(), true, 'the editor stays usable');

  await dialog.getByText('3 succeeded').waitFor({ timeout: 300_000 });
  const [value, max] = await progress.evaluate((el: HTMLProgressElement) => [el.value, el.max]);
  assert.equal(value, 3);
  assert.equal(max, 3, 'the progress bar reached the end');
  await dialog.getByText('0 failed').waitFor();
  assert.equal(await dialog.getByRole('button', { name: 'Show output folder' }).count(), 0, 'no file manager to show from a browser');
  await dialog.getByText(`Saved in ${path.join(input, 'inpainted')}`).waitFor();

  const written = (await readdir(path.join(input, 'inpainted'))).sort();
  assert.deepEqual(written, PHOTOS);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(editor.errors, []);
});

test('a batch run again from the dialog skips what it wrote; with subfolders its output folder is neither counted nor read; New batch keeps the settings', async ({ editor, workDir }) => {
  const { input, masks } = await makeFolders(workDir);
  await mkdir(path.join(input, 'sub'));
  await mkdir(path.join(masks, 'sub'));
  await sharp(kodak('kodim04.png')).resize(160, 120).toFile(path.join(input, 'sub', 'kodim04.png'));
  await sharp(path.join(masks, PHOTOS[0]!)).toFile(path.join(masks, 'sub', 'kodim04.png'));
  const output = path.join(input, 'inpainted');
  const outputs = async () => (await readdir(output, { recursive: true })).map(String).sort();

  await editor.button('Batch…').click();
  const dialog = editor.page.getByRole('dialog', { name: 'Batch Process Folder' });
  const start = dialog.getByRole('button', { name: 'Start' });
  await dialog.getByRole('textbox', { name: 'Input folder' }).fill(input);
  await dialog.getByRole('checkbox', { name: 'Include subfolders' }).check();
  await dialog.getByText('4 photos').waitFor();
  await dialog.getByRole('textbox', { name: 'Mask folder' }).fill(masks);
  await expect(dialog.getByRole('radio', { name: 'Skip' })).toBeChecked(); // as the command line does
  await start.click();
  await expect(dialog.getByRole('status')).toContainText('4 succeeded, 0 skipped, 0 failed', { timeout: 300_000 });
  const first = await outputs();
  assert.deepEqual(first, ['kodim01.png', 'kodim02.png', 'kodim03.png', 'sub', 'sub/kodim04.png']);

  // New batch: the same settings; inpainted/ now holds four photos and is still not counted.
  await dialog.getByRole('button', { name: 'New batch' }).click();
  await expect(dialog.getByRole('textbox', { name: 'Input folder' })).toHaveValue(input);
  await expect(dialog.getByRole('textbox', { name: 'Mask folder' })).toHaveValue(masks);
  await expect(dialog.getByRole('checkbox', { name: 'Include subfolders' })).toBeChecked();
  await dialog.getByText('4 photos').waitFor();
  await start.click();
  await expect(dialog.getByRole('status')).toContainText('0 succeeded, 4 skipped, 0 failed', { timeout: 300_000 });
  assert.deepEqual(await outputs(), first, 'no "name (1)" copies, nothing read from inpainted/');
  assert.deepEqual(editor.errors, []);
});

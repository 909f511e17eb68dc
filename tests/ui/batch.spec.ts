// Batch Process Folder in the browser, against the real engine: paths typed, a small temp folder,
// progress to the end, the summary, the files on disk; the editor usable throughout.
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { kodak, test } from './fixtures';

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

  await dialog.getByRole('textbox', { name: 'Input folder' }).fill(input);
  await dialog.getByRole('button', { name: 'Choose input folder' }).click();
  await dialog.getByText('3 photos').waitFor();
  await dialog.getByRole('textbox', { name: 'Mask folder' }).fill(masks);
  await dialog.getByRole('button', { name: 'Choose mask folder' }).click();
  assert.equal(await dialog.getByRole('textbox', { name: 'Output folder' }).inputValue(), path.join(input, 'inpainted'), 'the default output');

  await dialog.getByRole('button', { name: 'Start' }).click();
  const progress = dialog.getByRole('progressbar', { name: 'Batch progress' });
  await progress.waitFor();
  assert.equal(await editor.button('Open').isEnabled(), true, 'the editor stays usable');

  await dialog.getByText('3 succeeded').waitFor({ timeout: 300_000 });
  const [value, max] = await progress.evaluate((el: HTMLProgressElement) => [el.value, el.max]);
  assert.equal(value, 3);
  assert.equal(max, 3, 'the progress bar reached the end');
  await dialog.getByText('0 failed').waitFor();

  const written = (await readdir(path.join(input, 'inpainted'))).sort();
  assert.deepEqual(written, PHOTOS);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(editor.errors, []);
});

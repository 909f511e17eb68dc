// The web project's fixtures: what every browser test used to set up for itself.
//   webHost   the built renderer and the web host with the real engine and model (one per worker: the model
//             loads once), its own userData folder
//   editor    the editor in this test's tab (Playwright's `page`, traced and screenshotted on failure), started
//             up, any recovered session declined
//   photoEditor  the same with kodim23 (500 x 500) open and a 24 px brush
//   workDir   a folder for this test's files (Playwright's output folder for the test: kept when it fails)
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { startWebHostForTests, type TestWebHost } from '../helpers/web-host';
import { EditorPage } from './editor-page';

export { expect } from '@playwright/test';

const root = path.resolve(import.meta.dirname, '../..');
export const kodim23 = path.resolve(root, '../shared/data/eval/kodak24/kodim23.png'); // 500 x 500
export const kodak = (name: string) => path.resolve(root, '../shared/data/eval/kodak24', name);
export const PHOTO_SIZE = 500;
export const BRUSH = 24;

interface TestFixtures {
  editor: EditorPage;
  photoEditor: EditorPage;
  workDir: string;
}

interface WorkerFixtures {
  webHost: TestWebHost;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  webHost: [
    async ({}, use) => {
      const host = await startWebHostForTests();
      await use(host);
      await host.close();
    },
    { scope: 'worker', timeout: 300_000 }, // the first one may build out/
  ],
  editor: async ({ page, webHost }, use) => {
    await use(await EditorPage.open(page, webHost.url));
  },
  photoEditor: async ({ editor }, use) => {
    await editor.openPhoto(kodim23);
    await editor.waitForPhoto('kodim23.png');
    await editor.setBrushSize(BRUSH);
    await use(editor);
  },
  workDir: async ({}, use, testInfo) => {
    const dir = testInfo.outputPath('files');
    await mkdir(dir, { recursive: true });
    await use(dir);
  },
});

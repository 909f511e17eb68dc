// The browser and Electron tests (@playwright/test). `npm test` runs them after the node suites; one file:
//   npx playwright test tests/ui/editor.spec.ts           (the web project)
//   npx playwright test --project=electron                (the built app; skipped, in one line, without a binary)
// Playwright never downloads a browser here: the web project runs Debian's Chromium.
import { defineConfig } from '@playwright/test';

/** Debian's Chromium, as a test machine without a GPU or a network to reach Google can run it. */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

export default defineConfig({
  testDir: 'tests',
  outputDir: 'test-results', // traces and screenshots of failed tests
  // Remove Object runs the real model on a busy 2-core machine: generous limits, never asserted as timings.
  timeout: 600_000,
  expect: { timeout: 60_000 },
  workers: 1, // one engine at a time: the model uses both cores
  fullyParallel: false,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    actionTimeout: 60_000, // a click that cannot happen fails in a minute; waits for the engine say their own
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'web',
      testMatch: ['ui/**/*.spec.ts', 'web-host/**/*.spec.ts'],
      use: { browserName: 'chromium', launchOptions: CHROMIUM, viewport: { width: 1280, height: 800 } },
    },
    {
      name: 'electron',
      testMatch: 'electron/**/*.spec.ts',
    },
  ],
});

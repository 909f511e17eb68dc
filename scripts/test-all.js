#!/usr/bin/env node
// `npm test`: every suite, in order, then one summary line. Each suite's own output is shown as it runs.
//   0. the system packages the tests need (scripts/system-packages.js): installed if missing, or a stop with
//      the one command that installs them
//   1. type checks (tsc for main/, svelte-check for renderer/)
//   2. the Python side of native-models/ (unittest: the PConv arithmetic, features, a training smoke run)
//   3. node's test runner over tests/**/*.test.ts (engine, CLI, batch, web host, main, packaging)
//   4. @playwright/test over tests/**/*.spec.ts (playwright.config.ts: the editor in Chromium, the Electron app),
//      under xvfb-run when there is no display, so the Electron project can open its window
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import semver from 'semver';
import { ensureSystemPackages } from './system-packages.js';

const only = process.argv[2]; // `npm test -- node` runs one suite

/** tests/**\/*.test.ts, listed here because Node 20's test runner does not expand globs. */
function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  ).sort();
}

const { engines } = JSON.parse(readFileSync('package.json', 'utf8'));
if (!semver.satisfies(process.version, engines.node)) {
  console.log(`npm test: Node ${process.version} is older than the ${engines.node} Holefill declares (README); the tests run, npm install warns.`);
}
// First: the suites below need these (xvfb-run included).
if (!ensureSystemPackages()) process.exit(1);
// The tests read real photos and masks in place from ../shared/data (its README); without them dozens of tests
// would fail one by one with "missing file". One clear stop instead.
const dataDir = resolve('..', 'shared', 'data');
if (!existsSync(join(dataDir, 'README.md'))) {
  console.log(`npm test: the test data is not at ${dataDir}. The tests read real photos from ../shared/data, beside this checkout (README, "Two commands"): clone Holefill next to shared/.`);
  process.exit(1);
}

const suites = [
  ['types', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['renderer-types', 'npx', ['svelte-check', '--tsconfig', 'renderer/tsconfig.json', '--fail-on-warnings'], 'renderer/tsconfig.json'],
  ['python', '/usr/bin/python3', ['-m', 'unittest', 'discover', '-s', 'native-models/tests', '-t', 'native-models', '-p', 'test_*.py', '-v']],
  ['node', process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...testFiles('tests')]],
  ['playwright', ...withDisplay(process.execPath, ['node_modules/@playwright/test/cli.js', 'test'])],
];

/** The command under xvfb-run where Linux has no display (CI) and Xvfb is installed. */
function withDisplay(cmd, args) {
  const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
  return headless && existsSync('/usr/bin/xvfb-run') ? ['/usr/bin/xvfb-run', ['-a', cmd, ...args]] : [cmd, args];
}

const failed = [];
for (const [name, cmd, args, needs] of suites) {
  if (only && only !== name) continue;
  if (needs && !existsSync(needs)) continue;
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) failed.push(name);
}
console.log(`\nsuites: ${failed.length ? `FAILED ${failed.join(', ')}` : 'all passed'}`);
process.exit(failed.length ? 1 : 0);

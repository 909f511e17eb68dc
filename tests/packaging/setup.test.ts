// What a new user meets before any photo: the README's commands, what they need from the system, and what npm
// says while installing. The README names the versions and packages; everything else must agree with it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import semver from 'semver';
import { installCommand, missingPackages, packageNames, planSystemPackages } from '../../scripts/system-packages.js';

const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };

test("the README's system packages are the ones npm test installs, and .ci/run runs exactly the README's test command", () => {
  const listed = /system packages[^(]*\(Debian\/Ubuntu: `([^`]+)`\)/.exec(readme.replace(/\n/g, ' '));
  assert.ok(listed, 'the README lists the packages');
  assert.deepEqual(listed[1]!.split(/\s+/), packageNames());

  const twoCommands = /## Two commands\s+```sh\n([\s\S]*?)```/.exec(readme)![1]!;
  const testCommand = /^(npm test)\s/m.exec(twoCommands)?.[1];
  assert.equal(testCommand, 'npm test');
  const ci = readFileSync(path.join(root, '.ci/run'), 'utf8');
  const commands = ci.split('\n').filter((l) => l.trim() && !l.startsWith('#') && !/^(set|cd) /.test(l));
  assert.equal(commands.at(-1), testCommand, '.ci/run ends with the README\'s test command');
  assert.doesNotMatch(ci, /apt-get install/, 'one list of packages: npm test installs them');
});

test('npm test installs missing system packages saying so, or stops at once with the one command that does', () => {
  const missing = missingPackages(['holefill-no-such-package', 'dpkg']);
  if (missing === null) return console.log('SKIPPED: dpkg-query: no dpkg here (not Debian or Ubuntu)');
  assert.deepEqual(missing, ['holefill-no-such-package'], 'dpkg is installed wherever dpkg-query runs');

  assert.deepEqual(planSystemPackages([], { asRoot: false, sudoWorks: false }), { action: 'ok' });
  assert.deepEqual(planSystemPackages(['chromium', 'xvfb'], { asRoot: false, sudoWorks: false }), {
    action: 'stop',
    command: 'sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium xvfb',
  });
  assert.deepEqual(planSystemPackages(['xvfb'], { asRoot: true, sudoWorks: false }), { action: 'install', sudo: false, packages: ['xvfb'] });
  assert.deepEqual(planSystemPackages(['xvfb'], { asRoot: false, sudoWorks: true }), { action: 'install', sudo: true, packages: ['xvfb'] });
  assert.equal(installCommand(packageNames()).split('\n').length, 1, 'one line to copy');
});

test("the declared Node version is the README's, and every locked package runs on it without an engine warning", () => {
  const least = semver.minVersion(pkg.engines.node)!;
  const named = /Node\.js (\d+\.\d+) or later/.exec(readme)?.[1];
  assert.equal(named, `${least.major}.${least.minor}`, `the README names the engines' Node (${pkg.engines.node})`);
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
  const unmet = Object.entries(lock.packages).flatMap(([name, p]) => {
    const wants = !Array.isArray(p.engines) ? p.engines?.node : undefined;
    return name && wants && !semver.satisfies(least, wants) ? [`${name.replace(/^.*node_modules\//, '')} wants node ${wants}`] : [];
  });
  assert.deepEqual(unmet, [], `on Node ${least}`);
});

test("npm prints no warning about the project's own configuration", () => {
  const r = spawnSync('npm', ['pkg', 'get', 'name'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'nothing on stderr (no "Unknown project config")');
});

test('npm test in a checkout without ../shared/data beside it stops at once, saying where the data must be', () => {
  // A copy of the runner with no data next to it; a suite name that matches none, so that without the check the
  // runner would report "all passed" at once instead of stopping.
  const dir = mkdtempSync(path.join(tmpdir(), 'holefill-no-data-'));
  try {
    const checkout = path.join(dir, 'holefill');
    mkdirSync(path.join(checkout, 'scripts'), { recursive: true });
    mkdirSync(path.join(checkout, 'tests'));
    for (const f of ['package.json', 'scripts/test-all.js', 'scripts/system-packages.js']) {
      copyFileSync(path.join(root, f), path.join(checkout, f));
    }
    symlinkSync(path.join(root, 'node_modules'), path.join(checkout, 'node_modules'));
    const r = spawnSync(process.execPath, ['scripts/test-all.js', 'no-such-suite'], { cwd: checkout, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`the test data is not at ${path.join(dir, 'shared', 'data')}\\.`));
    assert.doesNotMatch(r.stdout, /suites: /, 'no suite ran');

    // With the data's README beside it the runner goes on (here to no suite at all).
    mkdirSync(path.join(dir, 'shared', 'data'), { recursive: true });
    writeFileSync(path.join(dir, 'shared', 'data', 'README.md'), 'data\n');
    const ok = spawnSync(process.execPath, ['scripts/test-all.js', 'no-such-suite'], { cwd: checkout, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /suites: all passed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

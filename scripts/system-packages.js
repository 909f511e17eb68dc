// The Debian/Ubuntu packages the tests need (README, "Two commands"), and what `npm test` does about them
// before any suite runs: on a fresh machine it installs the missing ones with apt-get, saying so, when it may
// (as root, or with sudo that needs no password); otherwise it stops at once with the one command to run.
import { spawnSync } from 'node:child_process';

/** Each package, and what needs it. */
export const SYSTEM_PACKAGES = [
  ['python3-torch', 'native-models/: PyTorch (run with /usr/bin/python3)'],
  ['python3-torchvision', 'native-models/: image transforms'],
  ['python3-onnx', 'native-models/: the exported model'],
  ['python3-opencv', 'native-models/: the Telea and Navier-Stokes baselines'],
  ['python3-skimage', 'native-models/: SSIM'],
  ['python3-pil', 'native-models/: reading photos'],
  ['libopenblas0-pthread', "PyTorch's threaded matrix products"],
  ['chromium', 'the UI tests (Playwright drives Debian\'s Chromium)'],
  ['xvfb', 'a display for the UI and Electron tests'],
  ['xauth', 'xvfb-run'],
  ['fonts-dejavu-core', 'text in the UI tests and the README screenshot'],
];

export const packageNames = () => SYSTEM_PACKAGES.map(([name]) => name);

/** The one command that installs `names` (what a person without root runs). */
export const installCommand = (names) => `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${names.join(' ')}`;

/** Which of `names` dpkg does not have installed; null where there is no dpkg (not Debian or Ubuntu). */
export function missingPackages(names = packageNames()) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...names], { encoding: 'utf8' });
  if (r.error) return null;
  const installed = new Set(r.stdout.split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0]));
  return names.filter((n) => !installed.has(n));
}

/**
 * What to do about `missing`: nothing, install them (and how: as root, or with sudo), or stop with the command.
 * `asRoot`: this process runs as root; `sudoWorks`: `sudo -n true` succeeds.
 */
export function planSystemPackages(missing, { asRoot, sudoWorks }) {
  if (missing === null || missing.length === 0) return { action: 'ok' };
  if (asRoot || sudoWorks) return { action: 'install', sudo: !asRoot, packages: missing };
  return { action: 'stop', command: installCommand(missing) };
}

/** Before the suites: true to go on. Says what it does in one line; installs or stops as planned above. */
export function ensureSystemPackages(log = (line) => console.log(line)) {
  const missing = missingPackages();
  if (missing === null) {
    log(`npm test: no dpkg here (not Debian or Ubuntu); the tests need the equivalents of ${packageNames().join(', ')}.`);
    return true;
  }
  const asRoot = process.getuid?.() === 0;
  const sudoWorks = !asRoot && missing.length > 0 && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  const plan = planSystemPackages(missing, { asRoot, sudoWorks });
  if (plan.action === 'ok') return true;
  if (plan.action === 'stop') {
    log(`npm test: missing system packages: ${missing.join(', ')}. Install them with this command, then run npm test again:\n  ${plan.command}`);
    return false;
  }
  log(`npm test: installing the system packages the tests need (apt-get${plan.sudo ? ' with sudo' : ''}): ${plan.packages.join(' ')}`);
  const apt = (args) => spawnSync(plan.sudo ? 'sudo' : 'apt-get', plan.sudo ? ['apt-get', ...args] : args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  }).status === 0;
  const done = apt(['update', '-q']) && apt(['install', '-y', '-q', '--no-install-recommends', ...plan.packages]);
  const still = missingPackages(plan.packages) ?? [];
  if (done && still.length === 0) return true;
  log(`npm test: apt-get could not install ${still.join(', ') || 'them'}; see its output above. The command: ${installCommand(still.length ? still : plan.packages)}`);
  return false;
}

// The command line end to end, as a person runs it: `node bin/holefill.js ...`, exit codes and messages.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { CLI, compareWithMask, fitMask, kodak, maskRaw, raw, rectMask, tempDir } from '../helpers/engine-data';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from another folder (the temp dir), as an installed `holefill` would be. */
function holefill(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('holefill --help lists the commands; no command or an unknown one is a usage error (2)', async (t) => {
  const dir = await tempDir(t);
  const help = await holefill(['--help'], dir);
  assert.equal(help.code, 0);
  for (const c of ['inpaint', 'batch', 'info']) assert.match(help.stdout, new RegExp(`^  ${c}\\s`, 'm'));
  const none = await holefill([], dir);
  assert.equal(none.code, 2);
  assert.equal(none.stderr, 'holefill: which command? inpaint, batch, info, web. Run "holefill --help" for what each does.\n', 'one line, not the whole help');
  const unknown = await holefill(['paint'], dir);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, 'holefill: unknown command "paint"; the commands are inpaint, batch, info, web. Run "holefill --help" for more.\n');
  const inpaintHelp = await holefill(['inpaint', '--help'], dir);
  assert.match(inpaintHelp.stdout, /Usage: holefill inpaint PHOTO --mask MASK -o OUT/);
});

test('holefill info prints the model and providers; an absent provider falls back with a message', async (t) => {
  const dir = await tempDir(t);
  const info = await holefill(['info', '--provider', 'cuda'], dir);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, /^model: +.*pconv-unet(\.int8)?\.onnx \(\d+\.\d MB\)/m);
  assert.match(info.stdout, /^precision: +fp32 \(requested: auto\)/m, 'auto: fp32');
  assert.match(info.stdout, /^providers: +cpu/m);
  assert.match(info.stdout, /^in use: +cpu \(requested: cuda\)/m);
  assert.match(info.stdout, /CUDA was requested but .*; using CPU\./);
  const missing = await holefill(['info', '--model', 'nowhere.onnx'], dir);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /The model file .*nowhere\.onnx does not exist/);
});

test('holefill inpaint writes the filled photo: exit 0, exact outside the mask; the format follows the extension', async (t) => {
  const dir = await tempDir(t);
  const mask = await fitMask(3010, 500, 500, path.join(dir, 'mask.png'));
  const run = await holefill(['inpaint', kodak(10), '--mask', 'mask.png', '-o', 'out.png', '--provider', 'dml', '--threads', '2', '--infer-size', '512'], dir);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Wrote .*out\.png \(500x500, \d+ hole groups?, cpu (int8|fp32), \d+\.\d s\)/);
  assert.match(run.stderr, /DirectML was requested but DirectML is only available on Windows; using CPU\./);
  assert.equal(compareWithMask(await raw(kodak(10)), await raw(path.join(dir, 'out.png')), await maskRaw(mask)).outsideDiffs, 0);
  const jpg = await holefill(['inpaint', kodak(10), '-m', 'mask.png', '-o', 'out.jpeg', '--quality', '80'], dir);
  assert.equal(jpg.code, 0, jpg.stderr);
  assert.equal((await sharp(path.join(dir, 'out.jpeg')).metadata()).format, 'jpeg');
  // --texture reaches the engine: patches and off fill the same hole differently from the default grain.
  const fills = [];
  for (const texture of ['patches', 'off']) {
    const other = await holefill(['inpaint', kodak(10), '--mask', 'mask.png', '-o', `out-${texture}.png`, '--infer-size', '512', '--texture', texture], dir);
    assert.equal(other.code, 0, other.stderr);
    const result = await raw(path.join(dir, `out-${texture}.png`));
    assert.equal(compareWithMask(await raw(kodak(10)), result, await maskRaw(mask)).outsideDiffs, 0);
    fills.push(result.data);
  }
  const grain = (await raw(path.join(dir, 'out.png'))).data;
  assert.ok(!fills[0]!.equals(grain) && !fills[1]!.equals(grain) && !fills[0]!.equals(fills[1]!), 'three textures, three fills');
});

test('holefill inpaint: bad input and bad output give a clear message and exit 1; bad usage exits 2', async (t) => {
  const dir = await tempDir(t);
  await fitMask(10, 500, 500, path.join(dir, 'mask.png'));
  await rectMask(640, 480, [{ x: 1, y: 1, width: 5, height: 5 }], path.join(dir, 'big-mask.png'));
  await writeFile(path.join(dir, 'text.png'), 'hello');
  await copyFile(kodak(11), path.join(dir, 'photo.png'));
  await writeFile(path.join(dir, 'taken.png'), 'x');
  const failures: [string[], RegExp][] = [
    [['inpaint', 'missing.jpg', '--mask', 'mask.png', '-o', 'o.png'], /The photo "missing.jpg" does not exist/],
    [['inpaint', 'photo.png', '--mask', 'nomask.png', '-o', 'o.png'], /The mask "nomask.png" does not exist/],
    [['inpaint', 'text.png', '--mask', 'mask.png', '-o', 'o.png'], /The photo "text.png" is not an image Holefill can read/],
    [['inpaint', 'photo.png', '--mask', 'big-mask.png', '-o', 'o.png'], /The mask "big-mask.png" is 640x480 but the photo is 500x500.*\. Add --scale-mask to scale the mask to the photo\.$/m],
    [['inpaint', 'photo.png', '--mask', 'mask.png', '-o', 'no-dir/o.png'], /The output folder .*no-dir does not exist/],
    [['inpaint', 'photo.png', '--mask', 'mask.png', '-o', 'taken.png'], /The output "taken.png" already exists.*\. Add --overwrite to replace it/],
    // A place no file can be created: the output is named, and nothing is said to be wrong with the photo.
    [['inpaint', 'photo.png', '--mask', 'mask.png', '-o', '/proc/o.png'], /^holefill: Cannot write "o\.png": no file can be created there \(\/proc\)\.$/m],
    [['inpaint', 'photo.png', '--mask', 'mask.png', '-o', 'photo.png', '--overwrite'], /Refusing to write over "photo.png"/],
  ];
  for (const [args, message] of failures) {
    const run = await holefill(args, dir);
    assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack traces');
    assert.doesNotMatch(run.stderr, /damaged/, 'the photo is fine');
  }
  const usages: [string[], RegExp][] = [
    [['inpaint', 'photo.png', '-o', 'o.png'], /--mask MASK is required/],
    [['inpaint', 'photo.png', '--mask', 'mask.png', '-o', 'o.bmp'], /Cannot tell the format from "o.bmp"/],
    [['inpaint', 'photo.png', '--mask', 'mask.png', '-o', 'o.png', '--provider', 'tpu'], /--provider must be one of auto, cpu, cuda, dml, coreml/],
    [['inpaint', 'photo.png', '--mask', 'mask.png', '-o', 'o.png', '--infer-size', '300'], /--infer-size must be a multiple of 256/],
    [['inpaint', 'photo.png', '--mask', 'mask.png', '-o', 'o.png', '--texture', 'wild'], /--texture must be one of grain, patches, off/],
    [['inpaint', 'photo.png', '--mask', 'mask.png', '-o', 'o.png', '--colour', 'red'], /Unknown option '--colour'/],
  ];
  for (const [args, message] of usages) {
    const run = await holefill(args, dir);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    // One line, and where the options are: not the whole help.
    assert.match(run.stderr, /^holefill inpaint: [^\n]+ Run "holefill inpaint --help" for its options\.\n$/);
  }
  assert.ok(!existsSync(path.join(dir, 'o.png')));
});

test('holefill batch: progress on stderr, a summary and each failure on stdout, exit 1 on failures, resume on rerun', async (t) => {
  const dir = await tempDir(t);
  await mkdir(path.join(dir, 'in'));
  await mkdir(path.join(dir, 'masks'));
  for (const n of [1, 2]) {
    await sharp(kodak(n)).resize(160, 120).toFile(path.join(dir, 'in', `ok${n}.png`));
    await fitMask(n * 10, 160, 120, path.join(dir, 'masks', `ok${n}.png`));
  }
  await writeFile(path.join(dir, 'in', 'broken.jpg'), 'not a jpeg');
  await fitMask(30, 160, 120, path.join(dir, 'masks', 'broken.png'));
  await sharp(kodak(3)).resize(160, 120).toFile(path.join(dir, 'in', 'lonely.png'));
  await rectMask(640, 480, [{ x: 1, y: 1, width: 5, height: 5 }], path.join(dir, 'big-mask.png'));

  const run = await holefill(['batch', 'in', '--masks', 'masks', '-o', 'out'], dir);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^\[1\/4\] broken\.jpg: FAILED: The photo "broken\.jpg" is not an image/m);
  assert.match(run.stderr, /^\[4\/4\] ok2\.png: ok \(\d+\.\d s\)$/m);
  assert.match(run.stdout, /^4 photos: 2 succeeded, 0 skipped, 2 failed \(\d+\.\d s\); outputs in .*out$/m);
  assert.match(run.stdout, /^FAILED lonely\.png: No mask found/m);
  assert.deepEqual((await readdir(path.join(dir, 'out'))).sort(), ['ok1.png', 'ok2.png']);

  const rerun = await holefill(['batch', 'in', '--masks', 'masks', '-o', 'out'], dir);
  assert.match(rerun.stdout, /^4 photos: 0 succeeded, 2 skipped, 2 failed/m);
  assert.match(rerun.stdout, /^Skipped photos already have an output: --overwrite replaces them, --rename keeps both\.$/m);
  const wrongSize = await holefill(['batch', 'in', '--mask', 'big-mask.png', '-o', 'out3'], dir);
  assert.match(wrongSize.stdout, /^FAILED ok1\.png: The mask "big-mask\.png" is 640x480 but the photo is 160x120.*\. Add --scale-mask to scale the mask to each photo\.$/m);

  const good = await holefill(['batch', 'in', '--mask', 'masks/ok1.png', '-o', 'out2', '--format', 'webp'], dir);
  assert.equal(good.code, 1, 'broken.jpg still fails');
  assert.deepEqual((await readdir(path.join(dir, 'out2'))).sort(), ['lonely.webp', 'ok1.webp', 'ok2.webp']);

  const intoInput = await holefill(['batch', 'in', '--masks', 'masks', '-o', 'in'], dir);
  assert.equal(intoInput.code, 1);
  assert.match(intoInput.stderr, /The output folder is the input folder.*\. Add --allow-input-dir to write there/);
  const usage = await holefill(['batch', 'in', '-o', 'out'], dir);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /Give either --masks MASK_DIR or --mask ONE\.png/);
});

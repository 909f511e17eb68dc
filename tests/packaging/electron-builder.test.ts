// electron-builder.yml names real files: the model, the unpacked native packages, the build folders.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';

// js-yaml comes with electron-builder (app-builder-lib reads this same file with it).
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  directories: { buildResources: string };
  files: string[];
  extraResources: { from: string; to: string }[];
  asarUnpack: string[];
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
}

const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;
/** The fixed part of a glob: "node_modules/sharp/**" -> "node_modules/sharp". */
const base = (glob: string) => glob.replace(/^!/, '').split(/[*{]/)[0]!.replace(/\/$/, '');

test('every path electron-builder.yml names exists', () => {
  const named = [
    config.directories.buildResources,
    ...config.extraResources.map((r) => r.from),
    ...config.asarUnpack.map(base),
  ];
  for (const p of named) assert.ok(existsSync(p), `${p} (named in electron-builder.yml) does not exist`);
});

test('the model and its int8 twin ship as extra resources where main/electron/app.ts looks for them', () => {
  assert.deepEqual(config.extraResources, [
    { from: 'native-models/pconv-unet.onnx', to: 'models/pconv-unet.onnx' },
    { from: 'native-models/pconv-unet.int8.onnx', to: 'models/pconv-unet.int8.onnx' }, // beside it: model/precision.ts
  ]);
  assert.match(readFileSync('main/electron/app.ts', 'utf8'), /process\.resourcesPath, 'models', 'pconv-unet\.onnx'/);
});

test('native packages are unpacked from the asar, and every platform has its installer', () => {
  for (const pkg of ['onnxruntime-node', 'sharp']) assert.ok(config.asarUnpack.includes(`node_modules/${pkg}/**`), pkg);
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(config.win.target, ['nsis']);
  assert.deepEqual(config.mac.target, ['dmg']);
  assert.ok(config.files.includes('out/**'));
});

test('the app icon: a square PNG of at least 512 px in buildResources (electron-builder makes .ico/.icns from it), shipped for the window', async () => {
  const icon = path.join(config.directories.buildResources, 'icon.png');
  const meta = await sharp(icon).metadata();
  assert.deepEqual([meta.format, meta.width === meta.height, (meta.width ?? 0) >= 512, meta.hasAlpha], ['png', true, true, true]);
  assert.ok(config.files.includes('assets/icon.png'), 'packaged beside out/ for the window icon');
  assert.match(readFileSync('main/electron/app.ts', 'utf8'), /icon: path\.join\(app\.getAppPath\(\), 'assets', 'icon\.png'\)/);
});

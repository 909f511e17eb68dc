// Bad input gets a clear error and loses nothing: decompression bombs, missing, unreadable and corrupt
// files, outputs that may not or cannot be written (read-only, disk full), a missing or damaged model.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { EngineClient } from '../../main/engine/worker-process/client';
import type { EngineError } from '../../main/engine/errors';
import { fitMask, kodak, listDir, MODEL, rectMask, tempDir } from '../helpers/engine-data';

/** CRC-32 as PNG chunks use it. */
function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A valid PNG header claiming width x height RGB, with one tiny IDAT: a decompression bomb's shape. */
function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))]);
}

const engineFor = (t: { after(fn: () => unknown): void }, modelPath = MODEL) => {
  const engine = new EngineClient({ modelPath, threads: 2 });
  t.after(() => engine.close());
  return engine;
};

const code = (expected: string, message?: RegExp) => (err: EngineError) => {
  assert.equal(err.code, expected, err.message);
  if (message) assert.match(err.message, message);
  return true;
};

test('a PNG declaring 100,000 x 100,000 is refused from its header, naming the limit', async (t) => {
  const dir = await tempDir(t);
  const bomb = path.join(dir, 'bomb.png');
  await writeFile(bomb, bombPng(100_000, 100_000));
  assert.equal(crc32(Buffer.from('IEND')), 0xae426082, 'the CRC is the real one');
  const header = await sharp(bomb, { limitInputPixels: false }).metadata();
  assert.deepEqual([header.width, header.height], [100_000, 100_000], 'libvips accepts the header');
  const engine = engineFor(t);
  const mask = await rectMask(500, 500, [{ x: 1, y: 1, width: 9, height: 9 }], path.join(dir, 'mask.png'));
  const started = performance.now();
  await assert.rejects(
    engine.inpaintFile({ photo: bomb, mask, output: path.join(dir, 'out.png') }),
    code('too-large', /is 100000x100000 \(10000 megapixels\); Holefill refuses images above 100 megapixels/),
  );
  await assert.rejects(engine.preview(bomb, 512), code('too-large'));
  await assert.rejects(engine.inpaintFile({ photo: kodak(1), mask: bomb, output: path.join(dir, 'out.png') }), code('too-large', /The mask "bomb.png"/));
  assert.ok(performance.now() - started < 20_000, 'refused without decoding');
  assert.deepEqual(await listDir(dir), ['bomb.png', 'mask.png']);
});

test('missing, unreadable, unsupported and corrupt inputs: a clear error each, nothing written', async (t) => {
  const dir = await tempDir(t);
  const engine = engineFor(t);
  const mask = await fitMask(10, 500, 500, path.join(dir, 'mask.png'));
  const truncated = path.join(dir, 'truncated.jpg');
  const jpeg = await sharp(kodak(3)).jpeg().toBuffer();
  await writeFile(truncated, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  await writeFile(path.join(dir, 'notes.jpg'), 'these are not pixels\n'.repeat(20));
  await writeFile(path.join(dir, 'empty.png'), Buffer.alloc(0));
  await mkdir(path.join(dir, 'folder.png'));
  const out = path.join(dir, 'out.png');
  const cases: [string, string, string, RegExp][] = [
    [path.join(dir, 'nope.jpg'), mask, 'not-found', /The photo "nope.jpg" does not exist/],
    [kodak(3), path.join(dir, 'nomask.png'), 'not-found', /The mask "nomask.png" does not exist/],
    [path.join(dir, 'folder.png'), mask, 'unreadable', /The photo "folder.png" is not a file/],
    [path.join(dir, 'notes.jpg'), mask, 'unsupported-image', /The photo "notes.jpg" is not an image Holefill can read/],
    [path.join(dir, 'empty.png'), mask, 'unsupported-image', /The photo "empty.png" is not an image/],
    [truncated, mask, 'corrupt-image', /The photo "truncated.jpg" is damaged or truncated/],
    [kodak(3), path.join(dir, 'notes.jpg'), 'unsupported-image', /The mask "notes.jpg"/],
  ];
  for (const [photo, m, expected, message] of cases) {
    await assert.rejects(engine.inpaintFile({ photo, mask: m, output: out }), code(expected, message));
  }
  assert.ok(!(await listDir(dir)).includes('out.png'));
  assert.equal(engine.workersStarted, 1, 'bad input never takes the worker down');
});

test('outputs: never the photo or the mask, not over an existing file, not into a missing folder', async (t) => {
  const dir = await tempDir(t);
  const engine = engineFor(t);
  const photo = path.join(dir, 'photo.png');
  await copyFile(kodak(4), photo);
  const mask = await fitMask(20, 500, 500, path.join(dir, 'mask.png'));
  const original = await readFile(photo);
  await assert.rejects(engine.inpaintFile({ photo, mask, output: photo, overwrite: true }), code('would-overwrite-input', /Refusing to write over "photo.png"/));
  await assert.rejects(engine.inpaintFile({ photo, mask, output: mask, overwrite: true }), code('would-overwrite-input'));
  await assert.rejects(engine.exportImage({ photo, layers: [], output: photo, overwrite: true }), code('would-overwrite-input'));
  await writeFile(path.join(dir, 'taken.png'), 'mine');
  await assert.rejects(engine.inpaintFile({ photo, mask, output: path.join(dir, 'taken.png') }), code('output-exists', /already exists/));
  assert.equal(await readFile(path.join(dir, 'taken.png'), 'utf8'), 'mine');
  await assert.rejects(engine.inpaintFile({ photo, mask, output: path.join(dir, 'no/such/dir/out.png') }), code('output-unwritable', /does not exist/));
  assert.ok((await readFile(photo)).equals(original), 'the original is untouched');
  // Confirmed by the person (photo:export's overwriteOriginal): written atomically over the photo.
  await engine.exportImage({ photo, layers: [], output: photo, format: 'png', overwrite: true, allowOverwritePhoto: true });
  assert.deepEqual((await listDir(dir)).filter((f) => f.startsWith('.holefill-tmp')), []);
});

/** A fresh folder with a tmpfs mounted on it (root only), unmounted and removed after the test; null where
 * mounting is not possible. */
async function tmpfsFolder(t: { after(fn: () => unknown): void }, options: string): Promise<string | null> {
  if (process.getuid?.() !== 0) return null;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'holefill-mnt-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    await rm(dir, { recursive: true });
    return null;
  }
  t.after(async () => {
    execFileSync('umount', [dir], { stdio: 'ignore' });
    await rm(dir, { recursive: true });
  });
  return dir;
}

test('a read-only output folder: a clear error before any work, nothing left behind', async (t) => {
  const dir = await tempDir(t);
  // As root, chmod does not stop writes: a read-only tmpfs does. Without root, chmod does.
  let ro = await tmpfsFolder(t, 'ro,size=1m');
  if (!ro && process.getuid?.() !== 0) {
    ro = path.join(dir, 'readonly');
    await mkdir(ro, { mode: 0o555 });
  }
  if (!ro) {
    console.log('SKIPPED: read-only output test needs a read-only mount (root without mount here)');
    return t.skip('no way to make a read-only folder');
  }
  const engine = engineFor(t);
  const mask = await fitMask(30, 500, 500, path.join(dir, 'mask.png'));
  await assert.rejects(engine.inpaintFile({ photo: kodak(5), mask, output: path.join(ro, 'out.png') }), code('output-unwritable', /Cannot write to the output folder .*: (the folder is read-only|permission denied)/));
  assert.deepEqual(await listDir(ro), []);
});

test('disk full while writing: a clear error, no partial output, no temp file', async (t) => {
  const dir = await tempDir(t);
  const full = await tmpfsFolder(t, 'size=64k');
  if (!full) {
    console.log('SKIPPED: disk-full test needs root and `mount -t tmpfs` (not available here)');
    return t.skip('needs root and mount');
  }
  const engine = engineFor(t);
  const mask = await fitMask(40, 500, 500, path.join(dir, 'mask.png'));
  await assert.rejects(engine.inpaintFile({ photo: kodak(6), mask, output: path.join(full, 'out.png') }), code('output-unwritable', /Cannot write "out.png": the disk is full/));
  assert.deepEqual(await listDir(full), [], 'neither the output nor its temp file');
});

test('a missing model: a clear error at start naming the file; previews still work', async (t) => {
  const dir = await tempDir(t);
  const missing = path.join(dir, 'no-model.onnx');
  const engine = engineFor(t, missing);
  await assert.rejects(engine.info(), code('model-unavailable', new RegExp(`The model file ${missing.replace(/[.]/g, '\\.')} does not exist`)));
  const mask = await fitMask(50, 500, 500, path.join(dir, 'mask.png'));
  await assert.rejects(engine.inpaintFile({ photo: kodak(7), mask, output: path.join(dir, 'o.png') }), code('model-unavailable', /no-model\.onnx/));
  const preview = await engine.preview(kodak(7), 128);
  assert.equal(preview.previewWidth, 128);
});

test('a corrupt model file: a clear error naming it', async (t) => {
  const dir = await tempDir(t);
  const corrupt = path.join(dir, 'corrupt.onnx');
  const real = await readFile(MODEL);
  await writeFile(corrupt, real.subarray(0, 4096)); // a truncated download
  await assert.rejects(engineFor(t, corrupt).info(), code('model-unavailable', /The model file .*corrupt\.onnx is not a valid model/));
});

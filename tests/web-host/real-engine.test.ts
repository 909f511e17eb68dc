// The web host as the UI tests use it (tests/helpers/web-host.ts): the real engine, the real model,
// a real photo, over HTTP; and the built page in Debian's Chromium talking to it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { callApi } from '../helpers/http';
import { maskRegion, tempDir, writePhoto } from '../helpers/temp';
import { startWebHostForTests } from '../helpers/web-host';

test('open, Remove Object and export through the web host run the real engine', { timeout: 300_000 }, async (t) => {
  const dir = await tempDir(t);
  const host = await startWebHostForTests(t);
  const photo = await writePhoto(path.join(dir, 'street.jpg'), 400, 300);
  const api = async (channel: string, req: unknown) => {
    const r = await callApi(host.port, host.token, channel, req);
    assert.equal(r.status, 200, `${channel}: ${r.body.slice(0, 300)}`);
    return r.json().value;
  };

  const info = await api('app:info', {});
  assert.equal(info.host, 'web');
  assert.equal(info.model, info.precision === 'int8' ? 'pconv-unet.int8.onnx' : 'pconv-unet.onnx');
  await api('folder:grant', { path: photo, purpose: 'photo' });
  const doc = await api('photo:open', { path: photo });
  assert.deepEqual([doc.width, doc.height, doc.previewWidth, doc.previewHeight], [400, 300, 400, 300]);

  const mask = await maskRegion(400, 300);
  const result = await api('photo:removeObject', { docId: doc.docId, jobId: 'real-1', mask, resultIds: [] });
  assert.equal(result.holes, 1);
  const patch = await sharp(result.patch).metadata();
  assert.deepEqual([patch.width, patch.height, patch.channels], [result.rect.width, result.rect.height, 4], 'an RGBA patch of its rectangle');
  // The same region as the PNG a large one travels as (MaskRegion): the same patch.
  const png = await sharp(mask.data, { raw: { width: mask.rect.width, height: mask.rect.height, channels: 4 } }).png().toBuffer();
  const again = await api('photo:removeObject', { docId: doc.docId, jobId: 'real-2', mask: { kind: 'region', rect: mask.rect, data: png }, resultIds: [] });
  assert.deepEqual(again.rect, result.rect);
  assert.ok(Buffer.from(again.patch).equals(Buffer.from(result.patch)), 'the same patch from a PNG region');

  const target = path.join(dir, 'street-clean.png');
  await api('folder:grant', { path: target, purpose: 'export' });
  const exported = await api('photo:export', { docId: doc.docId, resultIds: [result.resultId], path: target, format: 'png', quality: 90, overwriteOriginal: false });
  assert.equal(exported.path, target);

  // Outside the patch's rectangle the export is the photo itself, decoded.
  const [original, cleaned] = await Promise.all([sharp(photo).raw().toBuffer(), sharp(target).removeAlpha().raw().toBuffer()]);
  const row = 400 * 3;
  assert.deepEqual(cleaned.subarray(0, row * result.rect.y), original.subarray(0, row * result.rect.y), 'rows above the hole are untouched');
  assert.notDeepEqual(cleaned, original, 'the hole was filled');
  assert.ok((await readFile(photo)).length > 0, 'the original is still there');
});

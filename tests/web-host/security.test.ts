// The web host's guards, over real HTTP on the loopback: token, Host/Origin, body size, the contract, grants.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startWebHost, type WebHost } from '../../main/web/host';
import { fakeEngine, type FakeEngine } from '../helpers/fake-engine';
import { callApi, rawRequest } from '../helpers/http';
import { maskRegion, tempDir, writePhoto } from '../helpers/temp';

let host: WebHost;
let engine: FakeEngine;
let dir: string;
let photo: string;
const cleanups: (() => unknown)[] = [];

before(async () => {
  dir = await tempDir({ after: (fn) => cleanups.push(fn) });
  const rendererDir = path.join(dir, 'renderer');
  await mkdir(rendererDir);
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Holefill</title>');
  await writeFile(path.join(dir, 'secret.txt'), 'not for the page');
  photo = await writePhoto(path.join(dir, 'photo.jpg'), 80, 60);
  engine = fakeEngine();
  host = await startWebHost({ rendererDir, engine, userData: path.join(dir, 'user'), version: 'test', maxBodyBytes: 64 * 1024, maxUploadBytes: 256 * 1024, log: () => {} });
});
after(async () => {
  await host.close();
  for (const fn of cleanups) await fn();
});

const code = (r: { json(): any }) => r.json()?.error?.code;

test('the printed URL carries a random token and points at the loopback', () => {
  assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
});

test('every API call needs the token: header or query', async () => {
  assert.equal((await callApi(host.port, null, 'app:info', {})).status, 401);
  assert.equal((await callApi(host.port, 'f'.repeat(48), 'app:info', {})).status, 401);
  assert.equal((await callApi(host.port, host.token.slice(1), 'app:info', {})).status, 401);
  const viaHeader = await callApi(host.port, host.token, 'app:info', {});
  assert.equal(viaHeader.status, 200);
  assert.equal(viaHeader.json().value.host, 'web');
  const viaQuery = await rawRequest(host.port, {
    method: 'POST', path: `/api/app:info?token=${host.token}`, headers: { 'content-type': 'application/json' }, body: '{}',
  });
  assert.equal(viaQuery.status, 200);
  assert.equal((await rawRequest(host.port, { path: '/events' })).status, 401, 'events too');
  assert.equal((await rawRequest(host.port, { method: 'POST', path: '/upload', body: 'x' })).status, 401, 'uploads too');
});

test('a wrong Host (DNS rebinding) or a foreign Origin is refused, even with the token', async () => {
  const rebinding = await callApi(host.port, host.token, 'app:info', {}, { host: `attacker.example:${host.port}` });
  assert.equal(rebinding.status, 403);
  assert.equal((await rawRequest(host.port, { path: '/', headers: { host: 'attacker.example' } })).status, 403, 'the page too');
  for (const origin of ['http://attacker.example', 'null', `http://127.0.0.1:${host.port + 1}`, `https://127.0.0.1:${host.port}`]) {
    const r = await callApi(host.port, host.token, 'app:info', {}, { origin });
    assert.equal(r.status, 403, origin);
    assert.equal(code(r), 'forbidden');
  }
  for (const origin of [host.origin, `http://localhost:${host.port}`]) {
    assert.equal((await callApi(host.port, host.token, 'app:info', {}, { origin })).status, 200, origin);
  }
  const viaLocalhost = await callApi(host.port, host.token, 'app:info', {}, { host: `localhost:${host.port}` });
  assert.equal(viaLocalhost.status, 200);
});

test('an oversize body is refused, declared or streamed, and the host keeps working', async () => {
  const big = JSON.stringify({ docId: 'd', session: ['x'.repeat(80 * 1024)] });
  const declared = await callApi(host.port, host.token, 'recovery:save', JSON.parse(big));
  assert.equal(declared.status, 413);
  assert.equal(code(declared), 'too-large');

  const chunks = Array.from({ length: 40 }, () => Buffer.alloc(4096, 0x20));
  const streamed = await rawRequest(host.port, {
    method: 'POST', path: '/api/recovery:save', body: chunks,
    headers: { 'content-type': 'application/json', 'x-holefill-token': host.token, 'transfer-encoding': 'chunked' },
  });
  assert.ok(streamed.status === 413 || streamed.status === -1, `status ${streamed.status}`);
  const upload = await rawRequest(host.port, {
    method: 'POST', path: '/upload?name=big.jpg', body: Buffer.alloc(300 * 1024),
    headers: { 'content-type': 'application/octet-stream', 'x-holefill-token': host.token },
  });
  assert.ok(upload.status === 413 || upload.status === -1, `upload status ${upload.status}`);
  assert.equal((await callApi(host.port, host.token, 'app:info', {})).status, 200);
});

test('malformed messages are rejected with an error and change nothing', async () => {
  const post = (p: string, body: string, type = 'application/json') =>
    rawRequest(host.port, { method: 'POST', path: p, body, headers: { 'content-type': type, 'x-holefill-token': host.token } });

  const notJson = await post('/api/settings:set', '{"provider": "cpu",');
  assert.equal(notJson.status, 400);
  assert.match(notJson.json().error.message, /Malformed JSON/);
  const rect = '{"x":0,"y":0,"width":4,"height":4}';
  const badBytes = await post('/api/photo:removeObject', `{"docId":"d","jobId":"j","mask":{"kind":"pixels","rect":${rect},"channels":4,"data":{"$bytes":"@@@"}},"resultIds":[]}`);
  assert.equal(badBytes.status, 400, 'malformed base64 nested in the mask');
  const flatMask = await post('/api/photo:removeObject', '{"docId":"d","jobId":"j","mask":{"$bytes":"AAAA"},"resultIds":[]}');
  assert.equal(code(flatMask), 'invalid-request', 'a full-size mask without its rect is refused');
  const wrongShape = await post('/api/settings:set', JSON.stringify({ provider: 'cpu', threads: -1, precision: 'fp32' }));
  assert.equal(wrongShape.status, 400);
  assert.match(wrongShape.json().error.message, /threads/);
  const halfValid = await post('/api/settings:set', JSON.stringify({ provider: 'cuda', threads: 2 }));
  assert.equal(code(halfValid), 'invalid-request');
  assert.equal((await post('/api/settings:set', '{}', 'text/plain')).status, 415);
  assert.equal((await post('/api/no:such', '{}')).status, 404);
  assert.equal((await post('/api/drop:grant', JSON.stringify({ path: photo }))).status, 404, 'preload-only channel');
  assert.equal((await post('/api/__proto__', '{}')).status, 404);
  assert.equal((await rawRequest(host.port, { path: `/api/app:info?token=${host.token}` })).status, 405);

  assert.equal(existsSync(path.join(dir, 'user', 'settings.json')), false, 'no setting was half-saved');
  assert.deepEqual(engine.calls.filter((c) => c === 'configure'), [], 'the engine was never reconfigured');
  const badGrant = await callApi(host.port, host.token, 'folder:grant', { path: dir, purpose: 'everything' });
  assert.equal(badGrant.status, 400);
  assert.equal(code(await callApi(host.port, host.token, 'batch:count', { inputDir: dir, recursive: false, outputDir: null, masksDir: null })), 'not-granted');
});

test('a path that was not granted is refused; typing it grants it', async () => {
  const refused = await callApi(host.port, host.token, 'photo:open', { path: photo });
  assert.equal(refused.status, 403);
  assert.equal(code(refused), 'not-granted');
  assert.equal(code(await callApi(host.port, host.token, 'photo:open', { path: path.join(dir, 'photo.jpg/../secret.txt') })), 'not-granted');

  const granted = await callApi(host.port, host.token, 'folder:grant', { path: photo, purpose: 'photo' });
  assert.equal(granted.json().value, photo);
  const opened = await callApi(host.port, host.token, 'photo:open', { path: photo });
  assert.equal(opened.status, 200);
  const info = opened.json().value;
  assert.ok(info.preview instanceof Uint8Array && info.preview.length > 0, 'bytes come back as {$bytes}');

  // Export needs a write grant: the photo's folder was not granted, only the photo (read).
  const target = path.join(dir, 'out.png');
  const exportReq = { docId: info.docId, resultIds: [], path: target, format: 'png', quality: 90, overwriteOriginal: false };
  assert.equal(code(await callApi(host.port, host.token, 'photo:export', exportReq)), 'not-granted');
  assert.equal(existsSync(target), false);
  await callApi(host.port, host.token, 'folder:grant', { path: target, purpose: 'export' });
  assert.equal((await callApi(host.port, host.token, 'photo:export', exportReq)).json().value.path, target);
  assert.ok(existsSync(target));
  assert.equal(code(await callApi(host.port, host.token, 'photo:choose', {})), 'unavailable', 'no dialogs in the browser');
});

test('events arrive over Server-Sent Events with the token', async () => {
  await callApi(host.port, host.token, 'folder:grant', { path: photo, purpose: 'photo' });
  const info = (await callApi(host.port, host.token, 'photo:open', { path: photo })).json().value;
  const received = new Promise<string>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: host.port, path: `/events?token=${host.token}` }, (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream');
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('event: job:progress')) {
          req.destroy();
          resolve(text);
        }
      });
    });
    req.on('error', reject);
  });
  await new Promise((r) => setTimeout(r, 50)); // let the stream attach
  const mask = await maskRegion(80, 60);
  const removed = await callApi(host.port, host.token, 'photo:removeObject', { docId: info.docId, jobId: 'sse', mask, resultIds: [] });
  assert.equal(removed.status, 200);
  const text = await received;
  assert.match(text, /event: job:progress\ndata: \{"jobId":"sse"/);
});

test('a dropped file is uploaded, kept in the run\'s temp folder and granted', async () => {
  const upload = await rawRequest(host.port, {
    method: 'POST', path: '/upload?name=..%2F..%2Fevil.jpg',
    headers: { 'content-type': 'application/octet-stream', 'x-holefill-token': host.token },
    body: await import('node:fs/promises').then((fs) => fs.readFile(photo)),
  });
  assert.equal(upload.status, 200);
  const uploaded: string = upload.json().value;
  assert.equal(path.basename(uploaded), 'evil.jpg', 'the name cannot climb out of the temp folder');
  assert.equal((await callApi(host.port, host.token, 'photo:open', { path: uploaded })).status, 200);
});

test('the page is served with the CSP header; nothing outside the renderer folder is', async () => {
  const page = await rawRequest(host.port, { path: '/' });
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
  assert.doesNotMatch(String(page.headers['content-security-policy']), /unsafe-eval/);
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%00']) {
    assert.equal((await rawRequest(host.port, { path: p })).status, 404, p);
  }
});

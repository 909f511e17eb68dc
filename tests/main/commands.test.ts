// The commands through dispatch(), as both transports call them, with a fake engine (the real one is
// exercised in tests/web-host/real-engine.test.ts).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { dispatch } from '../../main/commands/dispatch';
import type { PhotoInfo, Reply, ResultPatch } from '../../main/contract/app-api';
import { testContext } from '../helpers/context';
import { fakeEngine } from '../helpers/fake-engine';
import { maskRegion, tempDir, writePhoto } from '../helpers/temp';

function ok<T>(reply: Reply<unknown>): T {
  if (!reply.ok) assert.fail(`expected ok, got ${reply.error.code}: ${reply.error.message}`);
  return reply.value as T;
}
function failed(reply: Reply<unknown>, code: string): string {
  assert.equal(reply.ok, false, 'expected a refusal');
  if (reply.ok) throw new Error('unreachable');
  assert.equal(reply.error.code, code, reply.error.message);
  return reply.error.message;
}

/** The batch:done event of this batch, once the batch runner has sent it. */
async function batchDone(events: { channel: string; payload: unknown }[], batchId: string): Promise<{ total: number; outputDir: string }> {
  const done = () => events.find((e) => e.channel === 'batch:done' && (e.payload as { batchId: string }).batchId === batchId);
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(done(), 'batch:done arrived');
  return done()!.payload as { total: number; outputDir: string };
}

test('photo:open refuses a path the person never chose, and opens one chosen in the dialog', async (t) => {
  const dir = await tempDir(t);
  const photo = await writePhoto(path.join(dir, 'beach.jpg'), 300, 200);
  const { ctx } = await testContext({ userData: path.join(dir, 'user'), dialogs: { openPhoto: async () => photo } });

  failed(await dispatch(ctx, 'photo:open', { path: photo }), 'not-granted');
  const chosen = ok<string>(await dispatch(ctx, 'photo:choose', {}));
  const info = ok<PhotoInfo>(await dispatch(ctx, 'photo:open', { path: chosen }));
  assert.deepEqual([info.width, info.height, info.name], [300, 200, 'beach.jpg']);
  assert.ok(info.preview.length > 100 && info.previewWidth <= 2048);
  assert.deepEqual(ok<string[]>(await dispatch(ctx, 'recent:list', {})), [photo]);
});

test('the recent list is persisted and granted in the next run', async (t) => {
  const dir = await tempDir(t);
  const userData = path.join(dir, 'user');
  const photo = await writePhoto(path.join(dir, 'a.jpg'));
  const first = await testContext({ userData, dialogs: { openPhoto: async () => photo } });
  ok(await dispatch(first.ctx, 'photo:choose', {}));
  ok(await dispatch(first.ctx, 'photo:open', { path: photo }));

  const next = await testContext({ userData });
  assert.deepEqual(ok<string[]>(await dispatch(next.ctx, 'recent:list', {})), [photo]);
  ok<PhotoInfo>(await dispatch(next.ctx, 'photo:open', { path: photo }));
  assert.deepEqual(JSON.parse(await readFile(path.join(userData, 'recent.json'), 'utf8')), [photo]);
});

test('a malformed request is rejected by the contract before any command runs', async (t) => {
  const dir = await tempDir(t);
  const engine = fakeEngine();
  const { ctx } = await testContext({ userData: path.join(dir, 'user'), engine });
  const message = failed(await dispatch(ctx, 'photo:open', { path: 42 }), 'invalid-request');
  assert.match(message, /path/);
  failed(await dispatch(ctx, 'photo:removeObject', { docId: 'x', jobId: 'j', mask: 'not bytes', resultIds: [] }), 'invalid-request');
  const rect = { x: 0, y: 0, width: 4, height: 4 };
  failed(await dispatch(ctx, 'photo:removeObject', { docId: 'x', jobId: 'j', mask: new Uint8Array(8), resultIds: [] }), 'invalid-request');
  const pixels = { kind: 'pixels', rect, channels: 4 };
  failed(await dispatch(ctx, 'photo:removeObject', { docId: 'x', jobId: 'j', mask: { ...pixels, data: 'not bytes' }, resultIds: [] }), 'invalid-request');
  failed(await dispatch(ctx, 'photo:removeObject', { docId: 'x', jobId: 'j', mask: { ...pixels, rect: { ...rect, width: 0 }, data: new Uint8Array(0) }, resultIds: [] }), 'invalid-request');
  failed(await dispatch(ctx, 'photo:removeObject', { docId: 'x', jobId: 'j', mask: { kind: 'file', path: '/etc/passwd' }, resultIds: [] }), 'invalid-request');
  const short = failed(await dispatch(ctx, 'photo:removeObject', { docId: 'x', jobId: 'j', mask: { ...pixels, data: new Uint8Array(60) }, resultIds: [] }), 'invalid-request');
  assert.match(short, /rect\.width x rect\.height x channels bytes/, 'pixels that do not fill the rect are refused by the contract');
  failed(await dispatch(ctx, 'settings:set', { provider: 'tpu', threads: 1, precision: 'fp32' }), 'invalid-request');
  assert.deepEqual(engine.calls, [], 'nothing reached the engine');
  assert.equal(existsSync(path.join(dir, 'user', 'settings.json')), false, 'nothing was saved');
});

test('remove object fills the composite, keeps the patch, and export flattens it', async (t) => {
  const dir = await tempDir(t);
  const photo = await writePhoto(path.join(dir, 'p.jpg'), 64, 48);
  const target = path.join(dir, 'p-clean.png');
  const saves = [target, photo];
  const engine = fakeEngine();
  const { ctx, events } = await testContext({
    userData: path.join(dir, 'user'),
    engine,
    dialogs: { openPhoto: async () => photo, saveExport: async () => saves.shift() ?? null },
  });
  ok(await dispatch(ctx, 'photo:choose', {}));
  const info = ok<PhotoInfo>(await dispatch(ctx, 'photo:open', { path: photo }));
  const mask = await maskRegion(64, 48);

  failed(await dispatch(ctx, 'photo:removeObject', { docId: info.docId, jobId: 'j0', mask, resultIds: ['nope'] }), 'not-found');
  const first = ok<ResultPatch>(await dispatch(ctx, 'photo:removeObject', { docId: info.docId, jobId: 'j1', mask, resultIds: [] }));
  assert.deepEqual(first.rect, mask.rect, 'the fill covers the region the mask was placed at');
  ok(await dispatch(ctx, 'photo:removeObject', { docId: info.docId, jobId: 'j2', mask, resultIds: [first.resultId] }));
  ok(await dispatch(ctx, 'settings:set', { provider: 'auto', threads: 0, precision: 'auto', texture: 'patches' }));
  ok(await dispatch(ctx, 'photo:removeObject', { docId: info.docId, jobId: 'j3', mask, resultIds: [] }));
  assert.deepEqual(
    engine.calls.filter((c) => c.startsWith('removeObject')),
    [`removeObject ${photo} layers=0 texture=grain`, `removeObject ${photo} layers=1 texture=grain`, `removeObject ${photo} layers=0 texture=patches`],
    'the texture chosen in Settings reaches the engine',
  );
  assert.ok(events.some((e) => e.channel === 'job:progress'));

  const exported = ok<{ path: string }>(await dispatch(ctx, 'photo:export', {
    docId: info.docId, resultIds: [first.resultId], path: null, format: 'png', quality: 90, overwriteOriginal: false,
  }));
  assert.equal(exported.path, target);
  const meta = await sharp(target).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [64, 48, 'png']);

  // The save dialog naming the original itself is refused unless the person confirmed overwriting it.
  const before = await readFile(photo);
  failed(await dispatch(ctx, 'photo:export', {
    docId: info.docId, resultIds: [], path: null, format: 'jpeg', quality: 90, overwriteOriginal: false,
  }), 'conflict');
  assert.deepEqual(await readFile(photo), before, 'the original is untouched');
});

test('export refuses a target that was not granted for writing', async (t) => {
  const dir = await tempDir(t);
  const photo = await writePhoto(path.join(dir, 'p.jpg'));
  const { ctx } = await testContext({ userData: path.join(dir, 'user'), dialogs: { openPhoto: async () => photo } });
  ok(await dispatch(ctx, 'photo:choose', {}));
  const info = ok<PhotoInfo>(await dispatch(ctx, 'photo:open', { path: photo }));
  const elsewhere = path.join(dir, 'made-up.png');
  failed(await dispatch(ctx, 'photo:export', {
    docId: info.docId, resultIds: [], path: elsewhere, format: 'png', quality: 90, overwriteOriginal: false,
  }), 'not-granted');
  assert.equal(existsSync(elsewhere), false);
});

test('export: a file\'s bytes always match its name, and the next export starts in the last folder and format', async (t) => {
  const dir = await tempDir(t);
  const userData = path.join(dir, 'user');
  const photo = await writePhoto(path.join(dir, 'p.jpg'));
  const { ctx } = await testContext({ userData, host: 'web' });
  const info = ok<PhotoInfo>(await dispatch(ctx, 'photo:open', { path: ok<string>(await dispatch(ctx, 'folder:grant', { path: photo, purpose: 'photo' })) }));
  const exportTo = async (name: string, format: string) => {
    const target = ok<string>(await dispatch(ctx, 'folder:grant', { path: path.join(dir, name), purpose: 'export' }));
    return dispatch(ctx, 'photo:export', { docId: info.docId, resultIds: [], path: target, format, quality: 90, overwriteOriginal: false });
  };

  assert.match(failed(await exportTo('a.jpg', 'png'), 'invalid-request'), /a\.jpg: The name ends in \.jpg, a JPEG name, but the format is PNG/);
  assert.match(failed(await exportTo('a.bmp', 'png'), 'invalid-request'), /cannot write \.bmp files/);
  assert.match(failed(await exportTo('a', 'png'), 'invalid-request'), /has no extension/);
  assert.deepEqual(await readdir(dir), ['p.jpg', 'user'], 'nothing written');

  const written = ok<{ path: string; format: string }>(await exportTo('out/../a.webp', 'webp'));
  assert.deepEqual(written, { path: path.join(dir, 'a.webp'), format: 'webp' });
  assert.equal((await sharp(written.path).metadata()).format, 'webp');

  // The next Export As, in this run and the next, starts where this one wrote, in its format.
  const expected = { path: path.join(dir, 'p-holefill.webp'), format: 'webp' };
  assert.deepEqual(ok(await dispatch(ctx, 'export:defaults', { docId: info.docId })), expected);
  const next = await testContext({ userData, host: 'web' });
  const again = ok<PhotoInfo>(await dispatch(next.ctx, 'photo:open', { path: ok<string>(await dispatch(next.ctx, 'folder:grant', { path: photo, purpose: 'photo' })) }));
  assert.deepEqual(ok(await dispatch(next.ctx, 'export:defaults', { docId: again.docId })), expected);
});

test('export: an uploaded photo suggests the home folder, never the web host\'s temp copy; a fresh one its own folder and format', async (t) => {
  const dir = await tempDir(t);
  const uploads = path.join(dir, 'uploads');
  await mkdir(path.join(uploads, 'one'), { recursive: true });
  const dropped = await writePhoto(path.join(uploads, 'one', 'beach.jpg'));
  const own = await writePhoto(path.join(dir, 'own.jpg'));
  const { ctx } = await testContext({ userData: path.join(dir, 'user'), host: 'web', uploadsDir: uploads });
  const open = async (p: string) => ok<PhotoInfo>(await dispatch(ctx, 'photo:open', { path: ok<string>(await dispatch(ctx, 'folder:grant', { path: p, purpose: 'photo' })) }));
  assert.deepEqual(ok(await dispatch(ctx, 'export:defaults', { docId: (await open(dropped)).docId })), { path: path.join(os.homedir(), 'beach-holefill.jpg'), format: 'jpeg' });
  assert.deepEqual(ok(await dispatch(ctx, 'export:defaults', { docId: (await open(own)).docId })), { path: path.join(dir, 'own-holefill.jpg'), format: 'jpeg' });
});

test('export through the save dialog: the name typed there chooses the format; one without an extension gets the format\'s', async (t) => {
  const dir = await tempDir(t);
  const photo = await writePhoto(path.join(dir, 'p.jpg'));
  const saves = [path.join(dir, 'typed.png'), path.join(dir, 'bare')];
  const offered: string[] = [];
  const { ctx } = await testContext({
    userData: path.join(dir, 'user'),
    dialogs: { openPhoto: async () => photo, saveExport: async (suggested) => (offered.push(suggested), saves.shift() ?? null) },
  });
  ok(await dispatch(ctx, 'photo:choose', {}));
  const info = ok<PhotoInfo>(await dispatch(ctx, 'photo:open', { path: photo }));
  const exportAs = async () => ok<{ path: string; format: string }>(await dispatch(ctx, 'photo:export', {
    docId: info.docId, resultIds: [], path: null, format: 'jpeg', quality: 90, overwriteOriginal: false,
  }));
  assert.deepEqual(await exportAs(), { path: path.join(dir, 'typed.png'), format: 'png' });
  assert.equal((await sharp(path.join(dir, 'typed.png')).metadata()).format, 'png');
  assert.deepEqual(await exportAs(), { path: path.join(dir, 'bare.jpg'), format: 'jpeg' });
  assert.equal((await sharp(path.join(dir, 'bare.jpg')).metadata()).format, 'jpeg');
  assert.deepEqual(offered, [path.join(dir, 'p-holefill.jpg'), path.join(dir, 'p-holefill.jpg')], 'the dialog starts in the last folder, named for the format');
});

test('batch:start checks every path before starting anything', async (t) => {
  const dir = await tempDir(t);
  const input = path.join(dir, 'in');
  const output = path.join(dir, 'out');
  await mkdir(input);
  const engine = fakeEngine();
  const folders = { input, output, masks: input };
  const { ctx, events } = await testContext({ userData: path.join(dir, 'user'), engine, dialogs: { openFolder: async (p) => folders[p] } });
  ok(await dispatch(ctx, 'folder:choose', { purpose: 'input' }));
  const options = {
    inputDir: input, recursive: false, masks: { kind: 'folder', dir: path.join(dir, 'masks') }, outputDir: output,
    format: 'same', quality: 90, existing: 'skip', allowInputDir: false,
  };
  failed(await dispatch(ctx, 'batch:start', options), 'not-granted'); // output not chosen
  ok(await dispatch(ctx, 'folder:choose', { purpose: 'output' }));
  failed(await dispatch(ctx, 'batch:start', options), 'not-granted'); // mask folder not chosen
  failed(await dispatch(ctx, 'batch:start', { ...options, masks: { kind: 'folder', dir: input }, outputDir: input }), 'not-granted');
  assert.deepEqual(engine.calls, [], 'no batch ran');
  assert.equal(existsSync(output), false, 'a refused batch leaves no trace: no output folder');

  const { batchId } = ok<{ batchId: string }>(await dispatch(ctx, 'batch:start', { ...options, masks: { kind: 'folder', dir: input } }));
  const summary = await batchDone(events, batchId);
  assert.deepEqual([summary.total, summary.outputDir], [0, output], 'the batch ran: no photos in the input folder');
});

test('batch:start accepts the default output beside the chosen photos, and nothing else unchosen', async (t) => {
  const dir = await tempDir(t);
  const input = path.join(dir, 'in');
  await mkdir(input);
  const engine = fakeEngine();
  const { ctx, events } = await testContext({ userData: path.join(dir, 'user'), engine, dialogs: { openFolder: async () => input } });
  ok(await dispatch(ctx, 'folder:choose', { purpose: 'input' }));
  const options = {
    inputDir: input, recursive: false, masks: { kind: 'folder', dir: input }, outputDir: path.join(input, 'other'),
    format: 'same', quality: 90, existing: 'skip', allowInputDir: false,
  };
  failed(await dispatch(ctx, 'batch:start', options), 'not-granted');
  const { batchId } = ok<{ batchId: string }>(await dispatch(ctx, 'batch:start', { ...options, outputDir: path.join(input, 'inpainted') }));
  assert.equal((await batchDone(events, batchId)).outputDir, path.join(input, 'inpainted'));
});

test('batch:start fills with the texture chosen in Settings, as Remove Object does', async (t) => {
  const dir = await tempDir(t);
  const folders = { input: path.join(dir, 'in'), masks: path.join(dir, 'masks'), output: path.join(dir, 'out') };
  await Promise.all([mkdir(folders.input), mkdir(folders.masks)]);
  const photo = await writePhoto(path.join(folders.input, 'p.jpg'), 64, 48);
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#000' } }).composite([{ input: { create: { width: 8, height: 8, channels: 3, background: '#fff' } }, left: 20, top: 20 }]).png().toFile(path.join(folders.masks, 'p.png'));
  const engine = fakeEngine();
  const { ctx, events } = await testContext({ userData: path.join(dir, 'user'), engine, dialogs: { openFolder: async (p) => folders[p] } });
  for (const purpose of ['input', 'masks', 'output'] as const) ok(await dispatch(ctx, 'folder:choose', { purpose }));
  ok(await dispatch(ctx, 'settings:set', { provider: 'auto', threads: 0, precision: 'auto', texture: 'patches' }));
  const options = {
    inputDir: folders.input, recursive: false, masks: { kind: 'folder', dir: folders.masks }, outputDir: folders.output,
    format: 'same', quality: 90, existing: 'skip', allowInputDir: false,
  };
  const { batchId } = ok<{ batchId: string }>(await dispatch(ctx, 'batch:start', options));
  assert.equal((await batchDone(events, batchId)).total, 1);
  assert.deepEqual(engine.calls.filter((c) => c.startsWith('inpaintFile')), [`inpaintFile ${photo} -> ${path.join(folders.output, 'p.jpg')} texture=patches`]);
});

test('typed paths are granted only in the web host', async (t) => {
  const dir = await tempDir(t);
  const photo = await writePhoto(path.join(dir, 'p.jpg'));
  const electron = await testContext({ userData: path.join(dir, 'e') });
  failed(await dispatch(electron.ctx, 'folder:grant', { path: photo, purpose: 'photo' }), 'unavailable');
  failed(await dispatch(electron.ctx, 'photo:open', { path: photo }), 'not-granted');

  const web = await testContext({ userData: path.join(dir, 'w'), host: 'web' });
  failed(await dispatch(web.ctx, 'photo:choose', {}), 'unavailable');
  failed(await dispatch(web.ctx, 'folder:grant', { path: path.join(dir, 'missing.jpg'), purpose: 'photo' }), 'not-found');
  assert.equal(ok<string>(await dispatch(web.ctx, 'folder:grant', { path: photo, purpose: 'photo' })), photo);
  ok<PhotoInfo>(await dispatch(web.ctx, 'photo:open', { path: photo }));
});

test('typed paths read as a shell reads them: ~ and relative paths start from the home folder; a folder for a photo says so', async (t) => {
  // A folder in the home folder, as the person's own photos would be; removed afterwards.
  const home = await mkdtemp(path.join(os.homedir(), '.holefill-test-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const photo = await writePhoto(path.join(home, 'p.jpg'));
  const { ctx } = await testContext({ userData: path.join(home, 'user'), host: 'web' });
  const grant = (typed: string) => dispatch(ctx, 'folder:grant', { path: typed, purpose: 'photo' });
  assert.equal(ok<string>(await grant(`~/${path.basename(home)}/p.jpg`)), photo);
  assert.equal(ok<string>(await grant(`${path.basename(home)}/p.jpg`)), photo);
  assert.match(failed(await grant(home), 'not-found'), /is a folder: type the path of a file in it, or choose the photo with "Choose file…"/);
  assert.match(failed(await dispatch(ctx, 'folder:grant', { path: photo, purpose: 'input' }), 'not-found'), /is a file, not a folder/);
});

test('settings are saved atomically in userData and survive a restart', async (t) => {
  const dir = await tempDir(t);
  const userData = path.join(dir, 'user');
  const { ctx } = await testContext({ userData });
  const info = ok<{ settings: unknown }>(await dispatch(ctx, 'settings:set', { provider: 'cpu', threads: 2, precision: 'int8' }));
  assert.deepEqual(info.settings, { provider: 'cpu', threads: 2, precision: 'int8', texture: 'grain' }, 'a request without a texture gets the default');
  assert.deepEqual((await readdir(userData)).sort(), ['settings.json'], 'no temp file left behind');
  const next = await testContext({ userData });
  assert.deepEqual(ok<{ settings: unknown }>(await dispatch(next.ctx, 'app:info', {})).settings, info.settings);
});

test('after a crash the document comes back: photo, the renderer\'s session and result patches', async (t) => {
  const dir = await tempDir(t);
  const userData = path.join(dir, 'user');
  const photo = await writePhoto(path.join(dir, 'p.jpg'), 64, 48);
  const { ctx } = await testContext({ userData, dialogs: { openPhoto: async () => photo } });
  ok(await dispatch(ctx, 'photo:choose', {}));
  const info = ok<PhotoInfo>(await dispatch(ctx, 'photo:open', { path: photo }));
  const result = ok<ResultPatch>(await dispatch(ctx, 'photo:removeObject', { docId: info.docId, jobId: 'j', mask: await maskRegion(64, 48), resultIds: [] }));
  assert.equal(existsSync(path.join(userData, 'recovery')), false, 'Remove Object writes no recovery state itself: the renderer saves next');
  // As the renderer does after every change: its session, the new result in it.
  const session = { version: 2, layers: [{ kind: 'result', resultId: result.resultId }, { kind: 'mask', png: new Uint8Array([1, 2, 3]) }], past: [0] };
  ok(await dispatch(ctx, 'recovery:save', { docId: info.docId, session }));
  const second = ok<ResultPatch>(await dispatch(ctx, 'photo:removeObject', { docId: info.docId, jobId: 'j2', mask: await maskRegion(64, 48), resultIds: [] }));
  const later = { ...session, layers: [...session.layers, { kind: 'result', resultId: second.resultId }], past: [0, 1] };
  ok(await dispatch(ctx, 'recovery:save', { docId: info.docId, session: later }));

  // A new run, as after a crash: nothing in memory, nothing granted but the recent list.
  const next = await testContext({ userData });
  const recovered = ok<{ photo: PhotoInfo; session: unknown; results: ResultPatch[] }>(await dispatch(next.ctx, 'recovery:load', {}));
  assert.equal(recovered.photo.path, photo);
  assert.deepEqual(recovered.session, later);
  assert.equal(recovered.results.length, 2, 'both results main made, for the renderer to sort out');
  assert.equal(recovered.results[0]!.resultId, result.resultId);
  assert.deepEqual(Buffer.from(recovered.results[0]!.patch), Buffer.from(result.patch));
  // The reopened document is live: its results can be exported by id.
  ok(await dispatch(next.ctx, 'photo:removeObject', { docId: recovered.photo.docId, jobId: 'k', mask: await maskRegion(64, 48), resultIds: [result.resultId] }));

  ok(await dispatch(next.ctx, 'recovery:clear', {}));
  assert.equal(ok(await dispatch(next.ctx, 'recovery:load', {})), null);
});

test('a recovery file from before sessions (version 1, the layers alone) still comes back', async (t) => {
  const dir = await tempDir(t);
  const userData = path.join(dir, 'user');
  const photo = await writePhoto(path.join(dir, 'p.jpg'), 64, 48);
  const layers = [{ kind: 'mask', id: 'm', name: 'Mask 1', visible: true, color: '#ff0000', opacity: 0.5, ops: [] }];
  const file = { version: 1, docId: 'doc-1', photoPath: photo, results: [], layers, savedAt: new Date().toISOString() };
  await mkdir(path.join(userData, 'recovery'), { recursive: true });
  await writeFile(path.join(userData, 'recovery', 'document.json'), JSON.stringify(file));
  const { ctx } = await testContext({ userData });
  const recovered = ok<{ photo: PhotoInfo; session: unknown }>(await dispatch(ctx, 'recovery:load', {}));
  assert.equal(recovered.photo.path, photo);
  assert.deepEqual(recovered.session, layers);
});

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Grants } from '../../main/state/grants';

const root = path.resolve('/photos');

test('a granted file is readable, its neighbours and parent are not', () => {
  const grants = new Grants();
  grants.grant(path.join(root, 'a.jpg'), 'photo');
  assert.equal(grants.has(path.join(root, 'a.jpg'), 'read'), true);
  assert.equal(grants.has(path.join(root, 'b.jpg'), 'read'), false);
  assert.equal(grants.has(root, 'read'), false);
  assert.equal(grants.has(path.join(root, 'a.jpg'), 'write'), false, 'opening a photo never allows writing it');
});

test('a granted folder covers what is beneath it, and nothing outside it', () => {
  const grants = new Grants();
  grants.grant(path.join(root, 'in'), 'input');
  assert.equal(grants.has(path.join(root, 'in', 'sub', 'x.png'), 'read'), true);
  assert.equal(grants.has(path.join(root, 'in', '..', 'secret.txt'), 'read'), false, '.. is folded before checking');
  assert.equal(grants.has(path.join(root, 'input-other', 'x.png'), 'read'), false, 'a name prefix is not a parent');
  assert.equal(grants.has(path.join(root, 'in', 'x.png'), 'write'), false, 'an input folder is read-only');
});

test('an output folder is writable; an export target is writable but not readable', () => {
  const grants = new Grants();
  grants.grant(path.join(root, 'out'), 'output');
  grants.grant(path.join(root, 'export.png'), 'export');
  assert.equal(grants.has(path.join(root, 'out', 'a.png'), 'write'), true);
  assert.equal(grants.has(path.join(root, 'export.png'), 'write'), true);
  assert.equal(grants.has(path.join(root, 'export.png'), 'read'), false);
});

test('relative paths and NUL bytes are refused with a clear error', () => {
  const grants = new Grants();
  grants.grant(path.join(root, 'in'), 'input');
  assert.equal(grants.has('in/x.png', 'read'), false);
  assert.throws(() => grants.require('in/x.png', 'read'), { code: 'not-granted' });
  assert.throws(() => grants.require(`${root}/in/x\0.png`, 'read'), { code: 'not-granted' });
  assert.throws(() => grants.grant('relative.jpg', 'photo'), /absolute/);
});

test('require names the path and the way to grant it', () => {
  const grants = new Grants();
  assert.throws(() => grants.require('/etc/passwd', 'read'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'not-granted');
    assert.match(err.message, /\/etc\/passwd/);
    assert.match(err.message, /Open|drop|recent/);
    return true;
  });
});

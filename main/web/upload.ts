// The browser's drag and drop: a page cannot learn a dropped file's path, so it uploads a copy, which is
// kept in this run's temp folder and granted like a dropped file in Electron.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { HttpError } from './http';

/** A plain file name: no folders, no control characters, not empty. */
export function safeFileName(name: string | null): string {
  const base = path.basename((name ?? '').replace(/\\/g, '/')).replace(/[\u0000-\u001f<>:"|?*]/g, '_');
  return base && base !== '.' && base !== '..' ? base.slice(0, 200) : 'dropped';
}

export async function receiveUpload(req: IncomingMessage, dir: string, name: string | null, limit: number): Promise<string> {
  const folder = path.join(dir, randomUUID());
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, safeFileName(name));
  let size = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      done(size > limit ? new HttpError(413, 'too-large', `Upload over ${limit} bytes.`) : null, chunk);
    },
  });
  try {
    await pipeline(req, limiter, createWriteStream(file, { flags: 'wx' }));
  } catch (err) {
    await rm(folder, { recursive: true, force: true });
    throw err;
  }
  return file;
}

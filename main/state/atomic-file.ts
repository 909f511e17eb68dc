// Files in the userData folder are written whole or not at all, by the one atomic write (the engine's
// atomicWrite: a temp file beside the target, then a rename).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { atomicWrite } from '../engine';

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await atomicWrite(file, (temp) => writeFile(temp, data, { flush: true }), { replace: true });
}

/** The file's JSON if it exists and matches the schema; otherwise `fallback` (a damaged file loses nothing else). */
export async function readJsonOr<T>(file: string, schema: z.ZodType<T>, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return fallback;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

/** Serialises writes to one file so an older state never lands after a newer one. */
export class WriteQueue {
  #last: Promise<unknown> = Promise.resolve();
  run<T>(write: () => Promise<T>): Promise<T> {
    const next = this.#last.then(write, write);
    this.#last = next.catch(() => undefined);
    return next;
  }
}

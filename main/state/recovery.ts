// The recovery file: whenever the renderer saves its session (recovery:save, after every change to the open
// document, a Remove Object's result included) the document is written to userData/recovery/, so after a crash
// Holefill can offer it back whole: the photo path, the renderer's session (layers and undo history), and the
// result patches main holds for it.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { Rect, type StoredResult } from '../contract/app-api';
import { fromWire, toWire } from '../contract/wire';
import { readJsonOr, writeFileAtomic, WriteQueue } from './atomic-file';
import type { OpenDocument } from './documents';

const SafeId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/); // ids become file names
const Common = {
  docId: SafeId,
  photoPath: z.string().min(1),
  results: z.array(z.object({ resultId: SafeId, rect: Rect })).max(500),
  savedAt: z.string(),
};
const RecoveryFile = z.union([
  z.object({ version: z.literal(2), ...Common, session: z.unknown() }), // wire form: bytes as {$bytes}
  z.object({ version: z.literal(1), ...Common, layers: z.array(z.unknown()).max(1000) }), // before sessions
]);
type RecoveryFile = z.infer<typeof RecoveryFile>;

/** The renderer's part of a file, either version, in wire form. */
const sessionOf = (file: RecoveryFile): unknown => (file.version === 2 ? file.session : file.layers);

export interface Recovered {
  docId: string;
  photoPath: string;
  session: unknown;
  results: StoredResult[];
  savedAt: string;
}

export class RecoveryStore {
  readonly #dir: string;
  readonly #queue = new WriteQueue();
  #written = new Set<string>(); // patch files already on disk

  constructor(userData: string) {
    this.#dir = path.join(userData, 'recovery');
  }

  get #file() {
    return path.join(this.#dir, 'document.json');
  }

  #patchFile(resultId: string) {
    return path.join(this.#dir, 'results', `${SafeId.parse(resultId)}.png`);
  }

  /** recovery:save: the renderer's session for this document, and the result patches main holds for it. */
  saveSession(doc: OpenDocument, session: unknown): Promise<void> {
    return this.#queue.run(() => this.#write(doc, toWire(session)));
  }

  async load(): Promise<Recovered | null> {
    const file = await this.#read();
    if (!file) return null;
    const results: StoredResult[] = [];
    for (const r of file.results) {
      const patch = await readFile(this.#patchFile(r.resultId)).catch(() => null);
      if (patch) results.push({ ...r, patch: new Uint8Array(patch) });
    }
    return { docId: file.docId, photoPath: file.photoPath, session: fromWire(sessionOf(file)), results, savedAt: file.savedAt };
  }

  clear(): Promise<void> {
    return this.#queue.run(async () => {
      this.#written.clear();
      await rm(this.#dir, { recursive: true, force: true });
    });
  }

  async #read(): Promise<RecoveryFile | null> {
    return readJsonOr<RecoveryFile | null>(this.#file, RecoveryFile, null);
  }

  async #write(doc: OpenDocument, session: unknown): Promise<void> {
    const old = await this.#read();
    if (old?.docId !== doc.docId) {
      // Another document: its patches are no longer wanted.
      await rm(path.join(this.#dir, 'results'), { recursive: true, force: true });
      this.#written.clear();
    }
    await mkdir(path.join(this.#dir, 'results'), { recursive: true });
    for (const r of doc.results.values()) {
      if (this.#written.has(r.resultId)) continue;
      await writeFileAtomic(this.#patchFile(r.resultId), r.patch);
      this.#written.add(r.resultId);
    }
    const file: RecoveryFile = {
      version: 2,
      docId: doc.docId,
      photoPath: doc.path,
      results: [...doc.results.values()].map(({ resultId, rect }) => ({ resultId, rect })),
      session,
      savedAt: new Date().toISOString(),
    };
    await writeFileAtomic(this.#file, JSON.stringify(file));
  }
}

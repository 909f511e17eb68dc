// The open documents main keeps: which photo a docId is, and the result patches Remove Object produced for
// it, so the next Remove Object can fill the current composite and export can flatten it at full size.
import { randomUUID } from 'node:crypto';
import type { StoredResult } from '../contract/app-api';
import { Failure } from '../contract/failure';

export interface OpenDocument {
  docId: string;
  path: string;
  width: number;
  height: number;
  results: Map<string, StoredResult>;
}

/** The renderer edits one photo at a time; a few more stay open so a late export of the last one still works. */
const MAX_OPEN = 4;
const MAX_RESULTS = 500;

export class Documents {
  readonly #docs = new Map<string, OpenDocument>();

  open(photo: { path: string; width: number; height: number }, docId: string = randomUUID()): OpenDocument {
    const doc: OpenDocument = { docId, ...photo, results: new Map() };
    this.#docs.delete(docId);
    this.#docs.set(docId, doc);
    while (this.#docs.size > MAX_OPEN) this.#docs.delete(this.#docs.keys().next().value!);
    return doc;
  }

  get(docId: string): OpenDocument {
    const doc = this.#docs.get(docId);
    if (!doc) throw new Failure('not-found', 'This photo is no longer open in Holefill; open it again.');
    return doc;
  }

  addResult(docId: string, result: StoredResult): void {
    const doc = this.get(docId);
    if (doc.results.size >= MAX_RESULTS) throw new Failure('conflict', `A photo can hold at most ${MAX_RESULTS} results.`);
    doc.results.set(result.resultId, result);
  }

  /** The listed results in the listed order (bottom to top); an unknown id is an error, never skipped. */
  results(docId: string, resultIds: readonly string[]): StoredResult[] {
    const doc = this.get(docId);
    return resultIds.map((id) => {
      const r = doc.results.get(id);
      if (!r) throw new Failure('not-found', `Unknown result layer ${id} for this photo.`);
      return r;
    });
  }

  restore(docId: string, results: readonly StoredResult[]): void {
    for (const r of results) this.addResult(docId, r);
  }
}

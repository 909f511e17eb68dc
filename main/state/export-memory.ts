// Where and in what format the person last exported, kept in userData/export.json: the next Export As starts
// there, in this run and the next.
import path from 'node:path';
import { z } from 'zod';
import { OutputFormat } from '../contract/app-api';
import { readJsonOr, writeFileAtomic, WriteQueue } from './atomic-file';

const ExportFile = z.object({ dir: z.string().min(1).max(4096), format: OutputFormat });
export type LastExport = z.infer<typeof ExportFile>;

export class ExportMemory {
  readonly #file: string;
  readonly #queue = new WriteQueue();
  #last: LastExport | null = null;

  private constructor(dir: string) {
    this.#file = path.join(dir, 'export.json');
  }

  static async load(dir: string): Promise<ExportMemory> {
    const memory = new ExportMemory(dir);
    memory.#last = await readJsonOr(memory.#file, ExportFile.nullable(), null);
    return memory;
  }

  get(): LastExport | null {
    return this.#last;
  }

  async remember(file: string, format: OutputFormat): Promise<void> {
    const last = { dir: path.dirname(file), format };
    this.#last = last;
    await this.#queue.run(() => writeFileAtomic(this.#file, JSON.stringify(last, null, 2)));
  }
}

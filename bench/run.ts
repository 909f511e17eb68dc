// The command line of `npm run bench` (bench.ts) and what the sections of one run share: the models, the precision
// the app runs here, and the figures and notes the table is made of.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { autoThreads, choosePrecision, DEFAULT_MODEL, int8ModelFor } from '../main/engine';
import { repoRoot } from './data';
import type { Figure } from './lib';

export const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    model: { type: 'string' },
    photos: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('npm run bench [-- --quick] [--json [--out FILE]] [--only model,scale,e2e,batch,startup] [--model FILE] [--photos N]');
  process.exit(0);
}

export const quick = values.quick!;
export const MODEL = path.resolve(values.model ?? DEFAULT_MODEL);
export const INT8 = existsSync(int8ModelFor(MODEL)) ? int8ModelFor(MODEL) : null;
/** What the app and CLI run on this machine's CPU by default (precision auto): the e2e, batch and start-up figures. */
export const APP_PRECISION = choosePrecision('auto', MODEL, 'cpu');
export const CLI = path.join(repoRoot, 'bin', 'holefill.js');
export const threads = autoThreads();
export const figures: Figure[] = [];
export const notes: string[] = [];
export const add = (f: Figure) => {
  figures.push(f);
  return f;
};
export const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

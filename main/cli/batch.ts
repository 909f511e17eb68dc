// holefill batch INPUT_DIR --masks MASK_DIR -o OUTPUT_DIR
import { runBatch, type FileResult } from '../batch';
import type { BatchOptions } from '../contract/app-api';
import { DEFAULT_QUALITY, type EngineClient } from '../engine';
import { announceProvider, ENGINE_OPTIONS, ENGINE_USAGE, EXIT, fixFor, parse, parseQuality, seconds, UsageError, withEngine, type Subcommand, type Fixes } from './common';

const usage = `Usage: holefill batch INPUT_DIR (--masks MASK_DIR | --mask ONE.png) -o OUTPUT_DIR [options]

Fills every photo in INPUT_DIR (.jpg .jpeg .png .webp .tif .tiff .avif) and writes the results to
OUTPUT_DIR under the same names. Each photo's mask is the file of the same base name in MASK_DIR
(photo.png, photo_mask.png, photo-mask.png...), or the one --mask for all. Bad files fail alone and the
batch goes on; outputs that already exist are skipped, so running the same command again resumes.
Progress goes to stderr, the summary to stdout. Exit code 0 only when no photo failed.

Options:
  --masks DIR        a folder of masks paired by name
  --mask FILE        one mask for every photo
  --scale-mask       with --mask: scale it to each photo (otherwise a size mismatch fails that photo)
  -o, --output DIR   the output folder (created if needed); never the input folder unless --allow-input-dir
  -r, --recursive    include subfolders (the output keeps the same structure)
  --format F         same (default), png, jpeg or webp
  --quality Q        JPEG/WebP quality, 1-100 (default ${DEFAULT_QUALITY})
  --overwrite        replace existing outputs
  --rename           keep existing outputs and write "name (1).ext" beside them
  --allow-input-dir  allow OUTPUT_DIR to be INPUT_DIR (outputs are then named "photo-holefill.ext")
Ctrl-C starts no new photo and stops once those in progress are done; press it again to quit at once.
${ENGINE_USAGE}`;

const FORMATS = ['same', 'png', 'jpeg', 'webp'] as const;

/** The options that get past a refusal; a size mismatch only with --mask (a folder's masks are never scaled). */
const fixes = (oneMask: boolean): Fixes => ({
  'would-overwrite-input': 'Add --allow-input-dir to write there (the outputs are then named "photo-holefill.ext").',
  ...(oneMask ? { 'mask-size': 'Add --scale-mask to scale the mask to each photo.' } : {}),
});

export const batchSubcommand: Subcommand = {
  name: 'batch',
  summary: 'fill the holes in every photo of a folder',
  usage,
  async run(args) {
    const { values, positionals } = parse(args, {
      ...ENGINE_OPTIONS,
      masks: { type: 'string' },
      mask: { type: 'string', short: 'm' },
      'scale-mask': { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      recursive: { type: 'boolean', short: 'r' },
      format: { type: 'string' },
      quality: { type: 'string' },
      overwrite: { type: 'boolean' },
      rename: { type: 'boolean' },
      'allow-input-dir': { type: 'boolean' },
    });
    if (values.help) return (console.log(usage), EXIT.ok);
    if (positionals.length !== 1) throw new UsageError('Give one INPUT_DIR.');
    if ((typeof values.masks === 'string') === (typeof values.mask === 'string')) throw new UsageError('Give either --masks MASK_DIR or --mask ONE.png.');
    if (typeof values.output !== 'string') throw new UsageError('-o OUTPUT_DIR is required.');
    if (values.overwrite && values.rename) throw new UsageError('--overwrite and --rename exclude each other.');
    const format = (values.format ?? 'same') as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${values.format}").`);

    const options: BatchOptions = {
      inputDir: positionals[0]!,
      recursive: values.recursive ?? false,
      masks: typeof values.masks === 'string' ? { kind: 'folder', dir: values.masks } : { kind: 'single', file: values.mask as string, scaleToFit: values['scale-mask'] ?? false },
      outputDir: values.output,
      format,
      quality: parseQuality(values.quality) ?? DEFAULT_QUALITY,
      existing: values.overwrite ? 'overwrite' : values.rename ? 'rename' : 'skip',
      allowInputDir: values['allow-input-dir'] ?? false,
    };

    const FIXES = fixes(options.masks.kind === 'single');
    return withEngine(values, FIXES, async (engine) => {
      const abort = new AbortController();
      const onInterrupt = () => {
        if (abort.signal.aborted) process.exit(EXIT.interrupted);
        process.stderr.write('holefill: stopping after the photos in progress (Ctrl-C again to quit now)\n');
        abort.abort();
      };
      process.on('SIGINT', onInterrupt);
      try {
        return await runAndReport(engine, options, abort.signal, FIXES);
      } finally {
        process.off('SIGINT', onInterrupt);
      }
    });
  },
};

/** Runs the batch, its progress on stderr as each photo is done, then the summary and each failure on stdout. */
async function runAndReport(engine: EngineClient, options: BatchOptions, signal: AbortSignal, fixes: Fixes): Promise<number> {
  const started = performance.now();
  await announceProvider(engine).catch(() => {}); // a model error is reported by each photo
  let total = 0;
  let finished = 0;
  const summary = await runBatch(engine, options, {
    signal,
    onProgress: (p) => (total = p.total),
    onFile: (result, ms) => process.stderr.write(progressLine(result, ms, ++finished, total, fixes)),
  });
  console.log(
    `${summary.total} photo${summary.total === 1 ? '' : 's'}: ${summary.succeeded} succeeded, ${summary.skipped} skipped, ` +
      `${summary.failed} failed${summary.cancelled ? ', cancelled' : ''} (${seconds(performance.now() - started)}); outputs in ${summary.outputDir}`,
  );
  if (summary.skipped && options.existing === 'skip') console.log('Skipped photos already have an output: --overwrite replaces them, --rename keeps both.');
  for (const f of summary.files) if (f.status === 'failed') console.log(`FAILED ${f.file}: ${withFix(f, fixes)}`);
  return summary.failed === 0 && !summary.cancelled ? EXIT.ok : EXIT.failed;
}

function progressLine(result: FileResult, ms: number, done: number, total: number, fixes: Fixes): string {
  const counter = `[${String(done).padStart(String(total).length)}/${total}]`;
  const outcome = result.status === 'succeeded' ? `ok (${seconds(ms)})` : result.status === 'skipped' ? `skipped: ${result.reason}` : `FAILED: ${withFix(result, fixes)}`;
  return `${counter} ${result.file}: ${outcome}\n`;
}

const withFix = (result: FileResult, fixes: Fixes) => [result.reason, fixFor(result.code, fixes)].filter(Boolean).join(' ');

// holefill inpaint PHOTO --mask MASK -o OUT
import path from 'node:path';
import { DEFAULT_QUALITY, formatFromPath } from '../engine';
import { announceProvider, ENGINE_OPTIONS, ENGINE_USAGE, EXIT, parse, parseQuality, seconds, UsageError, withEngine, type Subcommand, type Fixes } from './common';

const usage = `Usage: holefill inpaint PHOTO --mask MASK -o OUT [options]

Fills the holes a mask marks (white, or opaque in a transparent PNG) and writes the whole photo to OUT,
in the format its extension names (.png, .jpg/.jpeg, .webp, .tif/.tiff). Pixels outside the mask are
copied exactly (byte-identical in PNG, TIFF and WebP at quality 100). An empty mask writes the photo as it is.

Options:
  -m, --mask FILE    the mask: the photo's size (after EXIF orientation)
  -o, --output FILE  where to write; never the photo or the mask
  --scale-mask       scale a mask of another size to the photo instead of refusing it
  --overwrite        replace OUT if it exists
  --quality Q        JPEG/WebP quality, 1-100 (default ${DEFAULT_QUALITY}; WebP 100 is lossless)
${ENGINE_USAGE}`;

const FIXES: Fixes = {
  'mask-size': 'Add --scale-mask to scale the mask to the photo.',
  'output-exists': 'Add --overwrite to replace it, or choose another -o.',
};

export const inpaintSubcommand: Subcommand = {
  name: 'inpaint',
  summary: 'fill the holes a mask marks in one photo',
  usage,
  async run(args) {
    const { values, positionals } = parse(args, {
      ...ENGINE_OPTIONS,
      mask: { type: 'string', short: 'm' },
      output: { type: 'string', short: 'o' },
      'scale-mask': { type: 'boolean' },
      overwrite: { type: 'boolean' },
      quality: { type: 'string' },
    });
    if (values.help) return (console.log(usage), EXIT.ok);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `One photo at a time (got ${positionals.length}); use "holefill batch" for folders.` : 'Which photo? Give PHOTO.');
    if (typeof values.mask !== 'string') throw new UsageError('--mask MASK is required.');
    if (typeof values.output !== 'string') throw new UsageError('-o OUT is required.');
    if (!formatFromPath(values.output)) throw new UsageError(`Cannot tell the format from "${path.basename(values.output)}": use .png, .jpg, .jpeg, .webp, .tif or .tiff.`);
    const job = {
      photo: positionals[0]!,
      mask: values.mask,
      output: values.output,
      quality: parseQuality(values.quality),
      overwrite: values.overwrite,
      scaleMask: values['scale-mask'],
    };

    return withEngine(values, FIXES, async (engine) => {
      const provider = await announceProvider(engine);
      const done = await engine.inpaintFile(job);
      const holes = done.holes === 0 ? 'empty mask: written unchanged' : `${done.holes} hole group${done.holes === 1 ? '' : 's'}`;
      console.log(`Wrote ${done.output} (${done.width}x${done.height}, ${holes}, ${provider}, ${seconds(done.elapsedMs)})`);
      return EXIT.ok;
    });
  },
};

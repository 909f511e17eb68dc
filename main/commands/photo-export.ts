import path from 'node:path';
import { Failure } from '../app-error';
import type { ImageFormat } from '../contract/app-api';
import type { Command, CommandContext } from './context';
import { requireDialogs } from './dialogs';

const extensions: Record<ImageFormat, string> = { png: '.png', jpeg: '.jpg', webp: '.webp', tiff: '.tif' };

/** "photo.jpg" -> "photo-holefill.png" beside it: the suggestion never names the original. */
function suggestedName(photo: string, format: ImageFormat): string {
  const base = path.basename(photo, path.extname(photo));
  return path.join(path.dirname(photo), `${base}-holefill${extensions[format]}`);
}

/** The export target: from the save dialog (granted there), or a path already granted for writing. */
async function chooseTarget(ctx: CommandContext, photo: string, requested: string | null, format: ImageFormat, overwrite: boolean) {
  if (requested === null) {
    const chosen = await requireDialogs(ctx).saveExport(suggestedName(photo, format));
    return chosen === null ? null : ctx.grants.grant(chosen, 'export');
  }
  // Writing over the open photo itself is allowed only when the person confirmed it.
  if (overwrite && sameFile(requested, photo)) return photo;
  return ctx.grants.require(requested, 'write');
}

const sameFile = (a: string, b: string) => path.resolve(a) === path.resolve(b);

export const photoExport: Command<'photo:export'> = async (ctx, req) => {
  const doc = ctx.documents.get(req.docId);
  const layers = ctx.documents.results(req.docId, req.resultIds);
  const target = await chooseTarget(ctx, doc.path, req.path, req.format, req.overwriteOriginal);
  if (target === null) return null;
  if (sameFile(target, doc.path) && !req.overwriteOriginal) {
    throw new Failure('conflict', 'That is the original photo: confirm overwriting it, or choose another name.');
  }
  const written = await ctx.engine.exportImage({
    photo: doc.path,
    layers,
    target,
    format: req.format,
    quality: req.quality,
    allowOverwritePhoto: req.overwriteOriginal,
  });
  return { path: written };
};

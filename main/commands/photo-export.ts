import path from 'node:path';
import type { OutputFormat } from '../contract/app-api';
import { Failure } from '../contract/failure';
import { formatOfName, nameProblem, withFormat } from '../contract/formats';
import type { OpenDocument } from '../state/documents';
import type { Command, CommandContext } from './context';
import { requireDialogs } from './dialogs';
import { exportSuggestion } from './export-defaults';

/**
 * The export target and the format its bytes will have. From the save dialog (granted there), the name the
 * person typed decides: its extension chooses the format, and a name without one gets the format's. A path
 * from the renderer must already be granted for writing, and its extension must name the format asked for.
 */
async function chooseTarget(ctx: CommandContext, doc: OpenDocument, requested: string | null, format: OutputFormat, overwrite: boolean) {
  if (requested === null) {
    const chosen = await requireDialogs(ctx).saveExport(exportSuggestion(ctx, doc, format).path);
    if (chosen === null) return null;
    const named = formatOfName(chosen);
    const target = named === 'none' ? withFormat(chosen, format) : chosen;
    return { target: ctx.grants.grant(target, 'export'), format: named === 'none' || named === 'unsupported' ? format : named };
  }
  // Writing over the open photo itself is allowed only when the person confirmed it.
  const target = overwrite && samePath(requested, doc.path) ? doc.path : ctx.grants.require(requested, 'write');
  return { target, format };
}

/** The same path, once resolved (the open photo's path is granted and normalised). */
const samePath = (a: string, b: string) => path.resolve(a) === path.resolve(b);

export const photoExport: Command<'photo:export'> = async (ctx, req) => {
  const doc = ctx.documents.get(req.docId);
  const layers = ctx.documents.results(req.docId, req.resultIds);
  const chosen = await chooseTarget(ctx, doc, req.path, req.format, req.overwriteOriginal);
  if (chosen === null) return null;
  const { target, format } = chosen;
  const problem = nameProblem(target, format);
  if (problem) throw new Failure('invalid-request', `Not exported to ${path.basename(target)}: ${problem}`);
  if (samePath(target, doc.path) && !req.overwriteOriginal) {
    throw new Failure('conflict', 'That is the original photo: confirm overwriting it, or choose another name.');
  }
  const { output: written } = await ctx.engine.exportImage({
    photo: doc.path,
    layers,
    output: target,
    format,
    quality: req.quality,
    overwrite: true, // the target was chosen for this export (the save dialog, or typed and granted)
    allowOverwritePhoto: req.overwriteOriginal,
  });
  await ctx.exports.remember(written, format).catch((err) => ctx.log(`last export not remembered: ${err}`));
  return { path: written, format };
};

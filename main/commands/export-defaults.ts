import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OutputFormat } from '../contract/app-api';
import { formatOfName, withFormat } from '../contract/formats';
import type { OpenDocument } from '../state/documents';
import type { Command, CommandContext } from './context';

/**
 * Where Export As starts: the folder last exported to while it exists, else the photo's own folder, unless the
 * photo is an upload (a copy in the web host's temp folder, gone when it stops), then the home folder. The
 * format is the one asked for, else the last one exported, else the photo's own. The name is the photo's with
 * "-holefill": never the original.
 */
export function exportSuggestion(ctx: CommandContext, doc: OpenDocument, format?: OutputFormat): { path: string; format: OutputFormat } {
  const last = ctx.exports.get();
  const photoDir = path.dirname(doc.path);
  const uploaded = ctx.uploadsDir !== null && !path.relative(ctx.uploadsDir, photoDir).startsWith('..');
  const dir = last && existsSync(last.dir) ? last.dir : uploaded ? os.homedir() : photoDir;
  const own = formatOfName(doc.path);
  const chosen = format ?? last?.format ?? (own === 'none' || own === 'unsupported' ? 'png' : own);
  const name = `${path.basename(doc.path, path.extname(doc.path))}-holefill`;
  return { path: withFormat(path.join(dir, name), chosen), format: chosen };
}

export const exportDefaults: Command<'export:defaults'> = async (ctx, { docId }) => exportSuggestion(ctx, ctx.documents.get(docId));

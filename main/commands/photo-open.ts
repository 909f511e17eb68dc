import path from 'node:path';
import type { PhotoInfo } from '../contract/app-api';
import type { Command, CommandContext } from './context';

/** The display preview's long side: enough for a 4K screen, small enough to cross IPC quickly. */
export const PREVIEW_MAX_SIDE = 2048;

/** Decodes the granted photo upright and registers it as an open document. */
export async function openDocument(ctx: CommandContext, photo: string, docId?: string): Promise<PhotoInfo> {
  const file = ctx.grants.require(photo, 'read');
  const { kind: _, ...preview } = await ctx.engine.preview(file, PREVIEW_MAX_SIDE);
  const doc = ctx.documents.open({ path: file, width: preview.width, height: preview.height }, docId);
  return { docId: doc.docId, path: file, name: path.basename(file), ...preview };
}

export const photoOpen: Command<'photo:open'> = async (ctx, req) => {
  const info = await openDocument(ctx, req.path);
  await ctx.recent.add(info.path);
  return info;
};

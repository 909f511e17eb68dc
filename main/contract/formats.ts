// The formats Export As writes and the file names that go with them, shared by the renderer's Export dialog
// and main's photo:export, so an exported file's bytes always match its extension. No zod here: the renderer
// imports it as it is.
import type { OutputFormat } from './app-api';

export interface ExportFormat {
  format: OutputFormat;
  /** As a sentence names it. */
  name: string;
  /** As the Format list shows it. */
  label: string;
  /** The extension a new file gets. */
  extension: string;
  lossy: boolean;
}

export const EXPORT_FORMATS: readonly ExportFormat[] = [
  { format: 'png', name: 'PNG', label: 'PNG (lossless)', extension: 'png', lossy: false },
  { format: 'jpeg', name: 'JPEG', label: 'JPEG', extension: 'jpg', lossy: true },
  { format: 'webp', name: 'WebP', label: 'WebP', extension: 'webp', lossy: true },
  { format: 'tiff', name: 'TIFF', label: 'TIFF', extension: 'tif', lossy: false },
];

const BY_EXTENSION: Record<string, OutputFormat> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', jpe: 'jpeg', webp: 'webp', tif: 'tiff', tiff: 'tiff' };

export const exportFormat = (format: OutputFormat): ExportFormat => EXPORT_FORMATS.find((f) => f.format === format)!;

/** A file name's extension, lower case and without its dot; '' when it has none. */
export function extensionOf(file: string): string {
  const name = file.split(/[\\/]/).at(-1) ?? '';
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** The format a file name asks for: one Holefill writes, 'none' without an extension, or 'unsupported'. */
export function formatOfName(file: string): OutputFormat | 'none' | 'unsupported' {
  const extension = extensionOf(file);
  if (!extension) return 'none';
  return BY_EXTENSION[extension] ?? 'unsupported';
}

/** The name with the format's extension: a known image extension replaced, otherwise added. */
export function withFormat(file: string, format: OutputFormat): string {
  const extension = extensionOf(file);
  const stem = BY_EXTENSION[extension] ? file.slice(0, file.length - extension.length - 1) : file;
  return `${stem}.${exportFormat(format).extension}`;
}

/** Why a name cannot hold this format's bytes, in words; null when it can. */
export function nameProblem(file: string, format: OutputFormat): string | null {
  const named = formatOfName(file);
  const writes = EXPORT_FORMATS.map((f) => `.${f.extension}`).join(', ');
  if (named === 'none') return `The file name has no extension: end it in ${writes}.`;
  if (named === 'unsupported') return `Holefill cannot write .${extensionOf(file)} files: end the name in ${writes}.`;
  if (named !== format) return `The name ends in .${extensionOf(file)}, a ${exportFormat(named).name} name, but the format is ${exportFormat(format).name}.`;
  return null;
}

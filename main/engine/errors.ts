// One error type for everything the engine refuses or fails at: a stable code and a sentence for the person.
import path from 'node:path';
import type { EngineErrorCode, EngineFailure } from '../contract/engine';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }

  toFailure(): EngineFailure {
    return { code: this.code, message: this.message };
  }

  static from(failure: EngineFailure): EngineError {
    return new EngineError(failure.code, failure.message);
  }
}

/** Any thrown value as an EngineError (unknown ones become 'failed' with their message). */
export function asEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError('failed', message);
}

export const quote = (file: string) => `"${path.basename(file)}"`;

/** What the person should read when sharp cannot decode a file. */
export function decodeError(what: string, file: string, err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const detail = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
  const fsCode = (err as NodeJS.ErrnoException)?.code;
  if (fsCode === 'ENOENT' || /Input file is missing/i.test(detail)) {
    return new EngineError('not-found', `The ${what} ${quote(file)} does not exist (${file}).`);
  }
  if (fsCode === 'EACCES' || fsCode === 'EPERM' || fsCode === 'EISDIR') {
    return new EngineError('unreadable', `The ${what} ${quote(file)} cannot be read (${fsCode}).`);
  }
  if (/unsupported image format|bad seek|not a known file format/i.test(detail)) {
    return new EngineError(
      'unsupported-image',
      `The ${what} ${quote(file)} is not an image Holefill can read (JPEG, PNG, WebP, TIFF, AVIF or GIF).`,
    );
  }
  if (/pixel limit/i.test(detail)) {
    return new EngineError('too-large', `The ${what} ${quote(file)} is too large to open: ${detail}.`);
  }
  return new EngineError('corrupt-image', `The ${what} ${quote(file)} is damaged or truncated and cannot be decoded (${detail}).`);
}

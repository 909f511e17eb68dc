// One error type for everything a request can fail with, and its wire form (the contract's AppError).
import { ZodError } from 'zod';
import type { AppError } from './app-api';

export type FailureCode =
  | 'invalid-request' // the message does not match the contract
  | 'not-granted' // a path the person never chose
  | 'not-found' // an unknown document, result, job or file
  | 'unavailable' // not on this host (a dialog in the browser, a typed path in Electron)
  | 'conflict' // would overwrite the original without confirmation, a batch already running
  | 'cancelled'
  | 'failed'; // anything else: the message says what

export class Failure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'Failure';
  }
}

/** What crosses the transport: never a stack, always a sentence. */
export function toAppError(err: unknown): AppError {
  if (err instanceof Failure) return { code: err.code, message: err.message };
  if (err instanceof ZodError) {
    const first = err.issues[0];
    const where = first?.path.length ? ` at ${first.path.join('.')}` : '';
    return { code: 'invalid-request', message: `Invalid request${where}: ${first?.message ?? 'malformed'}` };
  }
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  return { code: typeof code === 'string' && /^[a-z-]+$/.test(code) ? code : 'failed', message };
}

// Failures from the API are Errors whose message is written for the person; `code` says what kind.

export const errorCode = (err: unknown): string | undefined =>
  typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;

export const errorMessage = (err: unknown): string =>
  err instanceof Error && err.message ? err.message : String(err || 'Something went wrong.');

export const isCancelled = (err: unknown): boolean => errorCode(err) === 'cancelled';

/**
 * The runtime's errors: one root with a stable `code` and a `retriable` hint. Failure policy is a
 * verdict computed in one place ({@link classify}), not try/catch scattered through jobs.
 */
export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A job chose `onError: 'fail'` and a record failed: the worker stops the job (no crash loop). */
export class JobFailedError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'JOB_FAILED', false, options);
  }
}

/**
 * Throw this (or any error with `retriable: true`) from `process` when a dependency is temporarily
 * unavailable: the record is retried with backoff and never dead-lettered.
 */
export class RetriableError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'RETRIABLE', true, options);
  }
}

export class StateCorruptedError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'STATE_CORRUPTED', false, options);
  }
}

export type ErrorVerdict =
  | { action: 'retry'; error: Error }
  | { action: 'dead_letter'; code: string; error: Error }
  | { action: 'fail'; code: string; error: Error };

/** Decides what happens to a record whose decoding or processing threw. */
export function classify(err: unknown, policy: 'dead_letter' | 'fail'): ErrorVerdict {
  const error = err instanceof Error ? err : new Error(String(err));
  if ((error as { retriable?: unknown }).retriable === true) return { action: 'retry', error };
  const rawCode = (error as { code?: unknown }).code;
  const code = typeof rawCode === 'string' && /^[A-Z_]{2,40}$/.test(rawCode) ? rawCode : 'PROCESS_FAILED';
  return policy === 'fail' ? { action: 'fail', code, error } : { action: 'dead_letter', code, error };
}

import type { FieldError } from './validation.ts';

/**
 * The ingestion API's one error type: an HTTP status, a stable `code`, a `retriable` hint and, for
 * validation failures, the fields at fault. The app's single `onError` renders it.
 */
export class IngestError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 413 | 415 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    readonly extra: { errors?: FieldError[]; retryAfterSec?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: extra.cause });
    this.name = 'IngestError';
  }

  get retriable(): boolean {
    return this.status === 429 || this.status === 503;
  }
}

/** Thrown at start-up when the configuration cannot run safely (e.g. no keys in production). */
export class IngestConfigError extends Error {
  readonly code = 'INGEST_CONFIG_INVALID';
  readonly retriable = false;
}

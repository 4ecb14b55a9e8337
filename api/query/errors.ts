/** One field at fault in a request (dotted path; empty for the request as a whole). */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The query API's one error type: an HTTP status, a stable `code`, a `retriable` hint and, for
 * validation failures, the fields at fault. The app's single `onError` renders it.
 */
export class QueryError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    readonly extra: { errors?: FieldError[]; retryAfterSec?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: extra.cause });
    this.name = 'QueryError';
  }

  get retriable(): boolean {
    return this.status === 503;
  }
}

/**
 * Thrown by a profile source when a store it depends on (Redis, PostgreSQL) did not answer in time or
 * failed; the app answers 503 with Retry-After.
 */
export class ProfileStoreUnavailable extends Error {
  readonly code = 'PROFILE_STORE_UNAVAILABLE';
  readonly retriable = true;

  constructor(
    readonly store: 'redis' | 'postgres',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProfileStoreUnavailable';
  }
}

/** Thrown at start-up when the configuration cannot run safely (e.g. no credentials in production). */
export class QueryConfigError extends Error {
  readonly code = 'QUERY_CONFIG_INVALID';
  readonly retriable = false;
}

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

/**
 * A local store's files failed a check while the worker ran (RocksDB reports `Corruption: ...`, e.g.
 * a table block's checksum). Not the record's fault: the job fails instead of dead-lettering it, and
 * the store, marked damaged, is discarded and restored from its changelog when the task next opens.
 */
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
  // Damaged local state is never a reason to drop a record.
  if (error instanceof StateCorruptedError) return { action: 'fail', code: error.code, error };
  const rawCode = (error as { code?: unknown }).code;
  const code = typeof rawCode === 'string' && /^[A-Z_]{2,40}$/.test(rawCode) ? rawCode : 'PROCESS_FAILED';
  return policy === 'fail' ? { action: 'fail', code, error } : { action: 'dead_letter', code, error };
}

// -------------------------------------------------------------------------------------------------
// Infrastructure failures the runtime waits out instead of failing (as Kafka Streams does).

/**
 * librdkafka / Kafka protocol error codes that mean "the cluster is unreachable or moving right now"
 * (kept numeric so this module does not load the client): a later attempt can succeed unchanged.
 */
const RETRIABLE_KAFKA_CODES = new Map<number, string>([
  [-195, 'ERR__TRANSPORT'],
  [-193, 'ERR__RESOLVE'],
  [-187, 'ERR__ALL_BROKERS_DOWN'],
  [-185, 'ERR__TIMED_OUT'],
  [-180, 'ERR__WAIT_COORD'],
  [-172, 'ERR__STATE'],
  [-166, 'ERR__TIMED_OUT_QUEUE'],
  [5, 'ERR_LEADER_NOT_AVAILABLE'],
  [6, 'ERR_NOT_LEADER_FOR_PARTITION'],
  [7, 'ERR_REQUEST_TIMED_OUT'],
  [13, 'ERR_NETWORK_EXCEPTION'],
  [14, 'ERR_COORDINATOR_LOAD_IN_PROGRESS'],
  [15, 'ERR_COORDINATOR_NOT_AVAILABLE'],
  [16, 'ERR_NOT_COORDINATOR'],
  [19, 'ERR_NOT_ENOUGH_REPLICAS'],
  [20, 'ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND'],
  [74, 'ERR_FENCED_LEADER_EPOCH'],
  [75, 'ERR_UNKNOWN_LEADER_EPOCH'],
]);

/** The same conditions by message, for errors re-thrown without their code (wrapped text only). */
const RETRIABLE_KAFKA_MESSAGE =
  /Broker transport failure|All broker connections are down|Local: Timed out|Local: Erroneous state|Host resolution failure|Leader not available|Not leader for partition|Coordinator not available|Coordinator load in progress|Not coordinator|Request timed out|Network exception/i;

/** Failures that no retry fixes even if the message looks transient (credentials, configuration). */
const FATAL_KAFKA_MESSAGE =
  /authentication|authoriz|SASL|SSL handshake|Invalid value|Configuration property/i;

/** The error and its `cause` chain (bounded: a cycle cannot loop forever). */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err, i = 0; e !== undefined && e !== null && i < 8; i++) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

const messageOf = (e: unknown): string =>
  e instanceof Error
    ? e.message
    : typeof e === 'string'
      ? e
      : String((e as { message?: unknown })?.message ?? e);

/**
 * True when a Kafka call failed because the broker is unreachable, a leader or coordinator is moving,
 * or a request timed out: waiting and trying again is the right response. Authentication and
 * configuration errors are never retriable. Looks through `cause` chains (wrapped errors).
 */
export function isRetriableKafkaError(err: unknown): boolean {
  const all = chain(err);
  if (all.some((e) => FATAL_KAFKA_MESSAGE.test(messageOf(e)))) return false;
  return all.some((e) => {
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === 'number' && RETRIABLE_KAFKA_CODES.has(code)) return true;
    return RETRIABLE_KAFKA_MESSAGE.test(messageOf(e));
  });
}

/** The disk holding local state is full (RocksDB reports `IO error: No space left on device`). */
export function isDiskFullError(err: unknown): boolean {
  return chain(err).some((e) => {
    const code = (e as { code?: unknown } | null)?.code;
    return (
      code === 'ENOSPC' ||
      code === 'EDQUOT' ||
      /No space left on device|Disk quota exceeded/i.test(messageOf(e))
    );
  });
}

/**
 * A local store operation failed for a reason outside the store's files: a full disk, a lock still
 * held by a dying process, a read-only remount. The files are intact, so the answer is to wait and
 * retry, never to destroy the store. RocksDB reports corruption as `Corruption: ...`; an `IO error`
 * about a missing file (a deleted or truncated store) is damage, not a transient condition.
 */
export function isTransientStoreError(err: unknown): boolean {
  if (isDiskFullError(err)) return true;
  return chain(err).some((e) => {
    const m = messageOf(e);
    return /IO error/i.test(m) && !/corrupt|No such file or directory|Invalid argument|checksum/i.test(m);
  });
}

/** Capped exponential backoff: 0.5 s, 1 s, 2 s, ... up to `capMs` (attempt counts from 0). */
export function backoffMs(attempt: number, baseMs = 500, capMs = 10_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
}

/** Sleeps `ms`, waking early (within ~100 ms) once `stopped()` turns true. */
export async function sleepUnless(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until)
    await new Promise((r) => setTimeout(r, Math.min(100, Math.max(0, until - Date.now()))));
}

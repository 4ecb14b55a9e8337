/**
 * The ingestion API as a Hono app built from injected dependencies (no Kafka, no clock, no env):
 *
 * - `POST /events`: one event, 16 KiB max; 202 `{eventId}` once Kafka acknowledged it.
 * - `POST /events/batch`: a JSON array of at most 500 events, 1 MiB max, validated item by item;
 *   202 when all were accepted, 207 when some were rejected (the body lists both), 400 when none was.
 * - `GET /healthz` and `GET /metrics`: no authentication.
 *
 * Errors are one type ({@link IngestError}) rendered by one `onError` as
 * `{error: {code, message, errors?: [{path, message}]}}`; unexpected errors become a logged 500.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { secureHeaders } from 'hono/secure-headers';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from '../../runtime/index.ts';
import type { UserEvent } from '../../model/index.ts';
import { IngestError } from './errors.ts';
import type { BatchResultBody, EventAcceptedBody } from './http-schemas.ts';
import { errorResponse, internalErrorResponse, metricsGuard } from '../http-server.ts';
import { createIngestMetrics, type IngestMetrics } from './metrics.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { validateBatch, validateEvent, type NormaliseOptions } from './validation.ts';

export const SINGLE_EVENT_MAX_BYTES = 16 * 1024;
export const BATCH_MAX_BYTES = 1024 * 1024;
/** Retry-After (seconds) when Kafka could not acknowledge a write. */
export const UNAVAILABLE_RETRY_AFTER_SEC = 5;

const isAborted = (err: unknown): boolean =>
  err instanceof Error &&
  (err.message === 'aborted' ||
    (err as NodeJS.ErrnoException).code === 'ECONNRESET' ||
    (err.cause !== undefined && isAborted(err.cause)));

/** Strict UTF-8 (RFC 8259 §8.1): invalid bytes are an error, not U+FFFD; a leading BOM is dropped. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Writes events and resolves only once Kafka acknowledged every one of them (acks=all). */
export type Publish = (events: UserEvent[]) => Promise<void>;

export interface IngestAppDeps {
  publish: Publish;
  /** Accepted bearer keys (already resolved: see resolveIngestKeys). */
  keys: readonly string[];
  rateLimiter: RateLimiter;
  log: Logger;
  metrics?: IngestMetrics;
  /** Epoch milliseconds; defaults to Date.now. */
  now?: () => number;
  /** eventId for events sent without one; defaults to crypto.randomUUID. */
  newId?: () => string;
  /** When set, `/metrics` answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | undefined;
}

const ROUTES = new Set(['/events', '/events/batch', '/healthz', '/metrics']);

const digest = (s: string) => createHash('sha256').update(s).digest();

export function createIngestApp(deps: IngestAppDeps): Hono {
  const metrics = deps.metrics ?? createIngestMetrics();
  const norm: NormaliseOptions = { now: 0, newId: deps.newId ?? randomUUID };
  const clock = deps.now ?? Date.now;
  const keyDigests = deps.keys.map(digest);
  const app = new Hono();

  app.use('*', async (c, next) => {
    await next();
    const route = ROUTES.has(c.req.path) ? c.req.path : 'other';
    metrics.requests.inc({ route, status: String(c.res.status) });
  });
  app.use('*', secureHeaders());

  app.onError((err, c) => {
    if (err instanceof IngestError) {
      if (err.status >= 500) deps.log.warn('request failed', { code: err.code, error: causeOf(err) });
      return errorResponse(c, err, 'pulse-ingest');
    }
    // A client that hung up mid-body (Node's "aborted", wherever the body was being read: the
    // body limit reads it too) is the client's doing, not a server error to log.
    if (isAborted(err))
      return errorResponse(
        c,
        new IngestError(400, 'BODY_INCOMPLETE', 'the request body ended before its announced length', {
          errors: [{ path: '', message: 'incomplete body' }],
        }),
        'pulse-ingest',
      );
    return internalErrorResponse(c, err, deps.log);
  });

  // Answered, not thrown, so that the security headers are on it too.
  app.notFound((c) => errorResponse(c, new IngestError(404, 'NOT_FOUND', 'no such route'), 'pulse-ingest'));

  app.get('/healthz', (c) => c.json({ status: 'ok' as const }));
  app.use('/metrics', metricsGuard(deps.metricsToken));
  app.get('/metrics', async (c) =>
    c.text(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }),
  );

  /** Bearer auth, then the caller's token bucket; the credential is the rate-limit key. */
  const guard = async (c: Context, next: () => Promise<void>) => {
    const header = c.req.header('authorization');
    const m = header && /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new IngestError(401, 'UNAUTHENTICATED', 'send "Authorization: Bearer <key>"');
    const key = m[1]!;
    const d = digest(key);
    if (!keyDigests.some((k) => timingSafeEqual(k, d)))
      throw new IngestError(403, 'FORBIDDEN', 'unknown ingest key');
    const taken = deps.rateLimiter.take(key);
    if (!taken.allowed)
      throw new IngestError(429, 'RATE_LIMITED', 'too many requests for this key', {
        retryAfterSec: Math.max(1, Math.ceil(taken.retryAfterMs / 1000)),
      });
    await next();
  };

  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new IngestError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${maxSize} bytes`, {
          errors: [{ path: '', message: `body must be at most ${maxSize} bytes` }],
        });
      },
    });

  const readJson = async (c: Context): Promise<unknown> => {
    let bytes: ArrayBuffer;
    try {
      bytes = await c.req.arrayBuffer();
    } catch (err) {
      // The client hung up mid-body: nothing to answer, nothing wrong with the server.
      throw new IngestError(400, 'BODY_INCOMPLETE', 'the request body ended before its announced length', {
        errors: [{ path: '', message: 'incomplete body' }],
        cause: err,
      });
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch (err) {
      throw new IngestError(400, 'INVALID_ENCODING', 'request body is not valid UTF-8', {
        errors: [{ path: '', message: 'body must be UTF-8' }],
        cause: err,
      });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new IngestError(400, 'INVALID_JSON', 'request body is not valid JSON', {
        errors: [{ path: '', message: (err as Error).message }],
        cause: err,
      });
    }
  };

  const publish = async (events: UserEvent[]): Promise<void> => {
    const end = metrics.produceLatency.startTimer();
    try {
      await deps.publish(events);
      end({ outcome: 'ok' });
      metrics.accepted.inc(events.length);
    } catch (err) {
      end({ outcome: 'error' });
      throw new IngestError(503, 'KAFKA_UNAVAILABLE', 'events could not be stored; retry later', {
        retryAfterSec: UNAVAILABLE_RETRY_AFTER_SEC,
        cause: err,
      });
    }
  };

  app.post('/events', guard, limit(SINGLE_EVENT_MAX_BYTES), async (c) => {
    const raw = await readJson(c);
    const r = validateEvent(raw, { ...norm, now: clock() });
    if (!r.ok) {
      metrics.rejected.inc();
      throw new IngestError(400, 'INVALID_EVENT', describe(r.errors), { errors: r.errors });
    }
    await publish([r.event]);
    const body: EventAcceptedBody = { eventId: r.event.eventId };
    return c.json(body, 202);
  });

  app.post('/events/batch', guard, limit(BATCH_MAX_BYTES), async (c) => {
    const raw = await readJson(c);
    const v = validateBatch(raw, { ...norm, now: clock() });
    if (!v.ok) throw new IngestError(400, 'INVALID_BATCH', describe(v.errors), { errors: v.errors });
    const { accepted, rejected } = v.result;
    if (rejected.length) metrics.rejected.inc(rejected.length);
    if (accepted.length) await publish(accepted.map((a) => a.event));
    const body: BatchResultBody = {
      accepted: accepted.map((a) => ({ index: a.index, eventId: a.event.eventId })),
      rejected,
    };
    return c.json(body, accepted.length === 0 ? 400 : rejected.length ? 207 : 202);
  });

  return app;
}

function describe(errors: Array<{ path: string; message: string }>): string {
  return errors
    .map((e) => (e.path && !e.message.startsWith(e.path) ? `${e.path}: ${e.message}` : e.message))
    .join('; ');
}

function causeOf(err: Error): string | undefined {
  return err.cause instanceof Error ? err.cause.message : undefined;
}

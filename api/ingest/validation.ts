/**
 * Ingestion input: the schema clients post against, and its normalisation into the canonical
 * {@link UserEvent} stored on `raw-user-events`. Pure: the clock and the id generator are injected.
 */
import { z } from 'zod';
import { EventContext, EventType, UserEvent } from '../../model/index.ts';

/** At most this many events in one `POST /events/batch`. */
export const MAX_BATCH_EVENTS = 500;
/** Timestamps below this are taken for epoch seconds (1e11 ms is 1973; 1e11 s is year 5138). */
export const MIN_TIMESTAMP_MS = 1e11;
/** How far in the future a timestamp may lie (clock skew allowance). */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

/** One problem with one field: `path` is dotted (`context.lat`), empty for the whole body. */
export const FieldError = z.object({ path: z.string(), message: z.string() });
export type FieldError = z.infer<typeof FieldError>;

const shape = UserEvent.shape;

/**
 * What a client may send: the canonical event with `eventId` optional, `eventType` in any case and
 * `context` optional. Unknown fields (top level and inside `context`) are rejected.
 */
export const IngestEventInput = z
  .object({
    eventId: shape.eventId.optional(),
    userId: z.string().min(1, 'userId must not be empty').max(128, 'userId must be at most 128 characters'),
    // Any ASCII letter case; Unicode case mapping would turn `lıke` (dotless i) into LIKE.
    eventType: z
      .string()
      .transform((s) => (/^[A-Za-z]+$/.test(s) ? s.toUpperCase() : s))
      .pipe(EventType),
    timestamp: z
      .number()
      .int('timestamp must be an integer (epoch milliseconds)')
      .nonnegative('timestamp must not be negative')
      .refine((t) => t >= MIN_TIMESTAMP_MS, 'timestamp looks like seconds; send epoch milliseconds'),
    context: EventContext.optional(),
  })
  .strict();
export type IngestEventInput = z.input<typeof IngestEventInput>;

export interface NormaliseOptions {
  /** Epoch milliseconds now (for the future-timestamp check). */
  now: number;
  /** Assigns an eventId when the client sent none (crypto.randomUUID in production). */
  newId: () => string;
}

export type EventResult = { ok: true; event: UserEvent } | { ok: false; errors: FieldError[] };

/** Turns zod issues into `{path, message}`, naming each unknown field and each missing one. */
export function toFieldErrors(error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ path: base ? `${base}.${key}` : key, message: `unknown field "${key}"` });
    } else if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
      out.push({ path: base, message: `${base || 'body'} is required` });
    } else {
      out.push({ path: base, message: issue.message });
    }
  }
  return out;
}

/** Validates one posted event and normalises it into the canonical UserEvent. */
export function validateEvent(raw: unknown, opts: NormaliseOptions): EventResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, errors: [{ path: '', message: 'an event must be a JSON object' }] };
  const parsed = IngestEventInput.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error) };
  const input = parsed.data;
  if (input.timestamp > opts.now + MAX_FUTURE_MS)
    return {
      ok: false,
      errors: [{ path: 'timestamp', message: 'timestamp is more than 24 h in the future' }],
    };
  return {
    ok: true,
    event: {
      eventId: input.eventId ?? opts.newId(),
      userId: input.userId,
      eventType: input.eventType,
      timestamp: input.timestamp,
      context: input.context ?? {},
    },
  };
}

export interface BatchResult {
  accepted: Array<{ index: number; event: UserEvent }>;
  rejected: Array<{ index: number; errors: FieldError[] }>;
}

export type BatchShapeResult = { ok: true; result: BatchResult } | { ok: false; errors: FieldError[] };

/**
 * Validates a batch item by item: valid items are accepted even when others are not. Fails as a
 * whole only when the body is not an array, is empty or holds more than {@link MAX_BATCH_EVENTS}.
 */
export function validateBatch(raw: unknown, opts: NormaliseOptions): BatchShapeResult {
  if (!Array.isArray(raw))
    return { ok: false, errors: [{ path: '', message: 'a batch must be a JSON array of events' }] };
  if (raw.length === 0) return { ok: false, errors: [{ path: '', message: 'a batch must not be empty' }] };
  if (raw.length > MAX_BATCH_EVENTS)
    return {
      ok: false,
      errors: [{ path: '', message: `a batch holds at most ${MAX_BATCH_EVENTS} events (got ${raw.length})` }],
    };
  const result: BatchResult = { accepted: [], rejected: [] };
  raw.forEach((item: unknown, index) => {
    const r = validateEvent(item, opts);
    if (r.ok) result.accepted.push({ index, event: r.event });
    else result.rejected.push({ index, errors: r.errors });
  });
  return { ok: true, result };
}

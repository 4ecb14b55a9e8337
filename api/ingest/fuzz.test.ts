/**
 * Property-based fuzzing of `POST /events` and `POST /events/batch` (issue 7, hostile input).
 *
 * Every body is judged by {@link judge}, an oracle written from the rules of docs/api.md (Ingestion
 * API) plus the field limits of model/user-event.ts that the docs defer to ("normalises it into the
 * canonical UserEvent"). It shares no code with the app's zod schema, so a rule the app loosens or
 * tightens shows up as a counterexample. Bodies are always judged after JSON.parse of the exact
 * text sent: JSON.stringify turns NaN/Infinity into null and drops undefined, so the generated
 * object is not what the server sees.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UserEvent } from '../../model/index.ts';
import { createIngestApp } from './app.ts';
import { BatchResultBody, ErrorBody, EventAcceptedBody } from './http-schemas.ts';

const NOW = 1_714_060_800_000;
const DAY = 86_400_000;
const KEY = 'k-fuzz';
const RUNS = 10_000;
// The documented limits, written out rather than imported so the oracle stays independent.
const TYPES = ['VIEW', 'CLICK', 'LIKE', 'SAVE', 'SHARE', 'PURCHASE', 'DISMISS'];
const EVENT_MAX_BYTES = 16 * 1024;
const BATCH_MAX_BYTES = 1024 * 1024;
const BATCH_MAX_EVENTS = 500;

type Obj = Record<string, unknown>;
/** `faults`: the top-level fields at fault, `''` for the body as a whole (or a field named ""). */
type Verdict = { ok: true } | { ok: false; faults: string[] };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
// "Characters" are code points (an emoji counts once), as the app counts them too.
const chars = (s: string) => [...s].length;
const str = (min: number, max: number) => (v: unknown) =>
  typeof v === 'string' && chars(v) >= min && chars(v) <= max;
const num = (min: number, max: number) => (v: unknown) => typeof v === 'number' && v >= min && v <= max;
// "In any case" read as the letter case of the ASCII names: no Unicode case mapping (see ı below).
const asciiUpper = (s: string) => s.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));

const CONTEXT_RULES: Record<string, (v: unknown) => boolean> = {
  page: str(0, 200),
  itemId: str(1, 200),
  category: str(0, 100),
  device: str(0, 50),
  geo: str(0, 50),
  city: str(0, 100),
  lat: num(-90, 90),
  lon: num(-180, 180),
};
const TOP_RULES: Record<string, (v: unknown) => boolean> = {
  // Any string: docs/api.md only says a UUID is assigned when absent; the 1..100 bound is the model's.
  eventId: str(1, 100),
  userId: str(1, 128),
  eventType: (v) => typeof v === 'string' && TYPES.includes(asciiUpper(v)),
  timestamp: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1e11 && v <= NOW + DAY,
  context: (v) =>
    isObj(v) && Object.entries(v).every(([k, x]) => Object.hasOwn(CONTEXT_RULES, k) && CONTEXT_RULES[k]!(x)),
};

function judge(v: unknown): Verdict {
  if (!isObj(v)) return { ok: false, faults: [''] };
  const faults = ['userId', 'eventType', 'timestamp'].filter((k) => !Object.hasOwn(v, k));
  for (const [k, x] of Object.entries(v))
    if (!Object.hasOwn(TOP_RULES, k) || !TOP_RULES[k]!(x)) faults.push(k);
  return faults.length ? { ok: false, faults } : { ok: true };
}

/** The canonical event a valid input must be published as (a generated id when none was sent). */
const canonical = (v: Obj) => ({
  eventId: v.eventId ?? expect.stringMatching(/^gen-\d+$/),
  userId: v.userId,
  eventType: asciiUpper(v.eventType as string),
  timestamp: v.timestamp,
  context: v.context ?? {},
});

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Every error names a field at fault; `''` only when the body as a whole (or a field "") is. */
function expectFaultsNamed(errors: Array<{ path: string }>, faults: string[]) {
  expect(errors.length).toBeGreaterThan(0);
  for (const { path } of errors)
    expect(
      faults.some((f) => path === f || (f !== '' && path.startsWith(`${f}.`))),
      `error path "${path}" is none of the faults ${JSON.stringify(faults)}`,
    ).toBe(true);
}

function setup() {
  const calls: UserEvent[][] = [];
  const unexpected: unknown[] = [];
  let n = 0;
  const app = createIngestApp({
    publish: (events) => {
      calls.push(events);
      return Promise.resolve();
    },
    keys: [KEY],
    // The fuzzer sends tens of thousands of requests; rate limiting is covered in app.test.ts.
    rateLimiter: { take: () => ({ allowed: true, remaining: 1 }) },
    log: {
      info: () => undefined,
      warn: () => undefined,
      error: (...a: unknown[]) => void unexpected.push(a),
    },
    now: () => NOW,
    newId: () => `gen-${++n}`,
  });
  const post = (path: string, body: string) =>
    app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body,
    });
  return { calls, unexpected, post };
}

// ---- generators ------------------------------------------------------------------------------

const mixedCase = fc
  .tuple(fc.constantFrom(...TYPES), fc.nat())
  .map(([t, bits]) => [...t].map((c, i) => ((bits >> i) & 1 ? c.toLowerCase() : c)).join(''));
/** One code point each, of every width: 1 to 4 UTF-8 bytes, a surrogate pair, a lone surrogate. */
const wideUnit = fc.constantFrom('a', 'é', '€', '😀', '\ud800', '\u0000', '"');
const wide = (min: number, max: number) => fc.string({ unit: wideUnit, minLength: min, maxLength: max });
/** 50 to 100 units of one or two code points (e + combining acute): around the 128 limit. */
const combining = fc.string({ unit: fc.constantFrom('a', 'e\u0301'), minLength: 50, maxLength: 100 });
const upTo = (max: number) =>
  fc.oneof(fc.string({ maxLength: 12 }), fc.constant('x'.repeat(max)), wide(max, max));

const validTimestamp = fc.oneof(
  fc.integer({ min: -DAY, max: DAY }).map((d) => NOW + d),
  fc.nat().map((n) => 1e11 + n * 500),
  fc.constantFrom(1e11, NOW, NOW + DAY),
);
const validContext = fc.record(
  {
    page: upTo(200),
    itemId: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), wide(200, 200)),
    category: upTo(100),
    device: upTo(50),
    geo: upTo(50),
    city: upTo(100),
    lat: fc.oneof(fc.double({ min: -90, max: 90, noNaN: true }), fc.constantFrom(-90, 90)),
    lon: fc.oneof(fc.double({ min: -180, max: 180, noNaN: true }), fc.constantFrom(-180, 180)),
  },
  { requiredKeys: [] },
);
const validEvent: fc.Arbitrary<Obj> = fc.record(
  {
    eventId: fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 20 }), wide(100, 100)),
    userId: fc.oneof(
      fc.string({ minLength: 1, maxLength: 20 }),
      wide(1, 128),
      combining,
      fc.constant('u'.repeat(128)),
    ),
    eventType: mixedCase,
    timestamp: validTimestamp,
    context: validContext,
  },
  { requiredKeys: ['userId', 'eventType', 'timestamp'] },
);

const junk = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
  fc.array(fc.nat(), { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
);
const nested = (depth: number): unknown => (depth === 0 ? 'x' : [nested(depth - 1)]);
const DEEP = nested(2_000);

type Breaker = (e: Obj) => Obj;
/** Sets one field; the computed key keeps "__proto__" an own field, as JSON.parse makes it. */
const set = (key: string | fc.Arbitrary<string>, value: fc.Arbitrary<unknown>) =>
  fc
    .tuple(typeof key === 'string' ? fc.constant(key) : key, value)
    .map(([k, v]): Breaker => (e) => ({ ...e, [k]: v }));
const setIn = (key: string | fc.Arbitrary<string>, value: fc.Arbitrary<unknown>) =>
  fc
    .tuple(typeof key === 'string' ? fc.constant(key) : key, value)
    .map(([k, v]): Breaker => (e) => ({ ...e, context: { ...(isObj(e.context) ? e.context : {}), [k]: v } }));
const drop =
  (key: string): Breaker =>
  (e) =>
    Object.fromEntries(Object.entries(e).filter(([k]) => k !== key));
const fieldName = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'EventType', 'user_id', 'context.page', ''),
);

/** One field broken in one way: missing, wrong type, out of range, unknown, or nested garbage. */
const breaker: fc.Arbitrary<Breaker> = fc.oneof(
  fc.constantFrom(...['userId', 'eventType', 'timestamp'].map(drop)),
  set(fc.constantFrom('eventId', 'userId', 'eventType', 'timestamp', 'context'), junk),
  set(
    'timestamp',
    fc.oneof(
      fc.nat(), // epoch seconds: 1_714_060_800 is NOW in seconds
      fc.integer({ min: -(2 ** 31), max: -1 }),
      fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((d) => NOW + DAY + d),
      fc.double({ min: 0.001, max: 0.999, noNaN: true }).map((f) => NOW - f),
      fc.constantFrom(1e11 - 1, 1_714_060_800, NOW + DAY + 1, 8.64e15, Number.MAX_SAFE_INTEGER, 1e21, 1e300),
      fc.constantFrom(String(NOW), [NOW], { ms: NOW }),
    ),
  ),
  set(
    'userId',
    fc.oneof(fc.constant(''), wide(129, 140), fc.constantFrom('u'.repeat(129), '😀'.repeat(129))),
  ),
  // ASCII look-alikes only: Unicode case mapping ("lıke", "ſave", "dismiß") is left out on purpose,
  // the app accepts those (toUpperCase maps ı->I, ſ->S, ß->SS) and the docs do not say it should.
  set(
    'eventType',
    fc.oneof(
      fc.string({ maxLength: 10 }),
      mixedCase.map((t) => `${t}s`),
      fc.constantFrom('', ' VIEW', 'VIEW ', 'VİEW', 'view\u0000', 'vie w', 'PURCHASED', 'DIS-MISS'),
    ),
  ),
  set('eventId', fc.oneof(fc.constant(''), wide(101, 110), fc.constant('e'.repeat(101)))),
  set(fieldName, junk),
  set('context', fc.constantFrom(null, [], 'home', 0, DEEP)),
  setIn('page', fc.oneof(junk, fc.constantFrom('x'.repeat(201), '😀'.repeat(201), DEEP))),
  setIn('itemId', fc.oneof(junk, fc.constantFrom('', 'i'.repeat(201)))),
  setIn(fc.constantFrom('category', 'device', 'geo', 'city'), fc.oneof(junk, fc.constant('d'.repeat(101)))),
  setIn('lat', fc.oneof(junk, fc.constantFrom(90.000001, -90.5, 1e308, '45'))),
  setIn('lon', fc.oneof(junk, fc.constantFrom(180.000001, -181, -1e308, '9'))),
  setIn(fieldName, junk),
);

const eventLike: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: validEvent },
  { weight: 5, arbitrary: fc.tuple(validEvent, breaker).map(([e, b]) => b(e)) },
  { weight: 1, arbitrary: fc.tuple(validEvent, breaker, breaker).map(([e, b1, b2]) => b2(b1(e))) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);

// Bodies that are not JSON, or JSON at the edges. No BOM: the app decodes the body as UTF-8 and
// drops a leading BOM, JSON.parse does not (hostile-http.test.ts covers the BOM).
const TRICKY = [
  '',
  ' ',
  'null',
  'true',
  '0',
  '"x"',
  '{',
  '}',
  '[]',
  '{}',
  '[{}]',
  '{"userId":',
  'undefined',
  'NaN',
  `{"userId":"u","eventType":"view","timestamp":1e400}`,
  `{"userId":"","userId":"u","eventType":"view","timestamp":${NOW}}`,
  `{"userId":"u","eventType":"view","timestamp":${NOW}.0}`,
  `{"userId":"u","eventType":"view","timestamp":${NOW},}`,
  `{'userId':'u','eventType':'view','timestamp':${NOW}}`,
];
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...TRICKY));
/** JSON text padded with whitespace to `limit + delta` bytes (still the same JSON value). */
const padded = (value: fc.Arbitrary<unknown>, limit: number) =>
  fc.tuple(value, fc.integer({ min: -3, max: 3 })).map(([v, d]) => {
    const json = JSON.stringify(v);
    return json + ' '.repeat(Math.max(0, limit + d - Buffer.byteLength(json)));
  });

const eventBody = fc.oneof(
  { weight: 40, arbitrary: eventLike.map((v) => JSON.stringify(v)) },
  { weight: 4, arbitrary: text },
  { weight: 1, arbitrary: padded(validEvent, EVENT_MAX_BYTES) },
);
const batchBody = fc.oneof(
  { weight: 400, arbitrary: fc.array(eventLike, { maxLength: 12 }).map((v) => JSON.stringify(v)) },
  { weight: 30, arbitrary: eventLike.map((v) => JSON.stringify(v)) },
  { weight: 30, arbitrary: text },
  {
    weight: 10,
    // 500 or 501 copies of one valid event, one slot replaced by anything.
    arbitrary: fc
      .tuple(validEvent, eventLike, fc.constantFrom(BATCH_MAX_EVENTS, BATCH_MAX_EVENTS + 1), fc.nat(499))
      .map(([v, other, n, at]) =>
        JSON.stringify(Array.from({ length: n }, (_, i) => (i === at ? other : v))),
      ),
  },
  { weight: 3, arbitrary: padded(fc.array(validEvent, { minLength: 1, maxLength: 3 }), BATCH_MAX_BYTES) },
);

// ---- properties -------------------------------------------------------------------------------

describe('fuzzing POST /events', () => {
  it('publishes exactly the events the documented rules accept, never answering 5xx', async () => {
    const { calls, unexpected, post } = setup();
    await fc.assert(
      fc.asyncProperty(eventBody, async (body) => {
        const before = calls.length;
        const res = await post('/events', body);
        const json: unknown = await res.json();
        const published = calls.slice(before);
        expect(res.status).toBeLessThan(500);
        if (Buffer.byteLength(body) > EVENT_MAX_BYTES) {
          expect(res.status).toBe(413);
          expect(ErrorBody.parse(json).error.code).toBe('PAYLOAD_TOO_LARGE');
          expect(published).toEqual([]);
          return;
        }
        const parsed = parseJson(body);
        if (!parsed.ok) {
          expect([res.status, ErrorBody.parse(json).error.code]).toEqual([400, 'INVALID_JSON']);
          expect(ErrorBody.parse(json).error.errors?.map((e) => e.path)).toEqual(['']);
          expect(published).toEqual([]);
          return;
        }
        const verdict = judge(parsed.value);
        if (verdict.ok) {
          expect(res.status).toBe(202);
          expect(published).toEqual([[canonical(parsed.value as Obj)]]);
          expect(EventAcceptedBody.parse(json).eventId).toBe(published[0]![0]!.eventId);
        } else {
          expect([res.status, ErrorBody.parse(json).error.code]).toEqual([400, 'INVALID_EVENT']);
          expectFaultsNamed(ErrorBody.parse(json).error.errors ?? [], verdict.faults);
          expect(published).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
    expect(unexpected).toEqual([]);
    const after = await post('/events', JSON.stringify({ userId: 'u', eventType: 'like', timestamp: NOW }));
    expect(after.status).toBe(202);
  }, 60_000);
});

describe('fuzzing POST /events/batch', () => {
  it('accepts exactly the valid items of a batch and rejects exactly the invalid ones', async () => {
    const { calls, unexpected, post } = setup();
    await fc.assert(
      fc.asyncProperty(batchBody, async (body) => {
        const before = calls.length;
        const res = await post('/events/batch', body);
        const json: unknown = await res.json();
        const published = calls.slice(before);
        expect(res.status).toBeLessThan(500);
        if (Buffer.byteLength(body) > BATCH_MAX_BYTES) {
          expect(res.status).toBe(413);
          expect(ErrorBody.parse(json).error.code).toBe('PAYLOAD_TOO_LARGE');
          expect(published).toEqual([]);
          return;
        }
        const parsed = parseJson(body);
        const items = parsed.ok && Array.isArray(parsed.value) ? (parsed.value as unknown[]) : undefined;
        if (!items || items.length === 0 || items.length > BATCH_MAX_EVENTS) {
          const code = parsed.ok ? 'INVALID_BATCH' : 'INVALID_JSON';
          expect([res.status, ErrorBody.parse(json).error.code]).toEqual([400, code]);
          expect(ErrorBody.parse(json).error.errors?.map((e) => e.path)).toEqual(['']);
          expect(published).toEqual([]);
          return;
        }
        const verdicts = items.map(judge);
        const valid = items.flatMap((item, i) => (verdicts[i]!.ok ? [{ i, item: item as Obj }] : []));
        const invalid = verdicts.flatMap((v, i) => (v.ok ? [] : [{ i, faults: v.faults }]));
        expect(res.status).toBe(valid.length === 0 ? 400 : invalid.length ? 207 : 202);
        const result = BatchResultBody.parse(json);
        expect(result.accepted.length + result.rejected.length).toBe(items.length);
        expect(result.accepted.map((a) => a.index)).toEqual(valid.map((v) => v.i));
        expect(result.rejected.map((r) => r.index)).toEqual(invalid.map((v) => v.i));
        result.rejected.forEach((r, k) => expectFaultsNamed(r.errors, invalid[k]!.faults));
        if (valid.length === 0) {
          expect(published).toEqual([]);
          return;
        }
        expect(published).toEqual([valid.map((v) => canonical(v.item))]);
        expect(result.accepted.map((a) => a.eventId)).toEqual(published[0]!.map((e) => e.eventId));
      }),
      { numRuns: RUNS },
    );
    expect(unexpected).toEqual([]);
    const after = await post(
      '/events/batch',
      JSON.stringify([{ userId: 'u', eventType: 'save', timestamp: NOW }]),
    );
    expect(after.status).toBe(202);
  }, 60_000);
});

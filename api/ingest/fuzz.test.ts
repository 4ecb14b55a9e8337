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
    log: { info: () => undefined, warn: () => undefined, error: (...a: unknown[]) => void unexpected.push(a) },
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
/** Code points of every width: surrogate pairs, a lone surrogate, a combining accent. */
const wideUnit = fc.constantFrom('a', 'é', 'e\u0301', '😀', '\ud800', '\u0000', '"');
const wide = (min: number, max: number) => fc.string({ unit: wideUnit, minLength: min, maxLength: max });
const upTo = (max: number) => fc.oneof(fc.string({ maxLength: 12 }), fc.constant('x'.repeat(max)), wide(max, max));

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
    userId: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), wide(1, 128), fc.constant('u'.repeat(128))),
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
const set = (key: string, value: fc.Arbitrary<unknown>) =>
  value.map((v): Breaker => (e) => ({ ...e, [key]: v })); // computed key: "__proto__" stays a field
const setIn = (key: string, value: fc.Arbitrary<unknown>) =>
  value.map((v): Breaker => (e) => ({ ...e, context: { ...(isObj(e.context) ? e.context : {}), [key]: v } }));
const drop = (key: string): Breaker => (e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== key));
const fieldName = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'EventType', 'user_id', 'context.page', ''),
);

const breaker: fc.Arbitrary<Breaker> = fc.oneof(
  fc.constantFrom(...['userId', 'eventType', 'timestamp'].map(drop)),
  fc.constantFrom('eventId', 'userId', 'eventType', 'timestamp', 'context').chain((k) => set(k, junk)),
  set(
    'timestamp',
    fc.oneof(
      fc.nat(), // seconds (1_714_060_800 is NOW in seconds)
      fc.integer({ min: -(2 ** 31), max: -1 }),
      fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((d) => NOW + DAY + d),
      fc.double({ min: 0.001, max: 0.999, noNaN: true }).map((f) => NOW - f),
      fc.constantFrom(1e11 - 1, 1_714_060_800, NOW + DAY + 1, 8.64e15, Number.MAX_SAFE_INTEGER, 1e21, 1e300),
      fc.constantFrom(String(NOW), [NOW], { ms: NOW }),
    ),
  ),
  set('userId', fc.oneof(fc.constant(''), wide(129, 140), fc.constantFrom('u'.repeat(129), '😀'.repeat(129)))),
  // Only ASCII look-alikes: Unicode case mapping is excluded, see the note on "lıke" below.
  set(
    'eventType',
    fc.oneof(
      fc.string({ maxLength: 10 }),
      mixedCase.map((t) => `${t}s`),
      fc.constantFrom('', ' VIEW', 'VIEW ', 'VİEW', 'view\u0000', 'vie w', 'PURCHASED', 'DIS-MISS'),
    ),
  ),
  set('eventId', fc.oneof(fc.constant(''), wide(101, 110), fc.constant('e'.repeat(101)))),
  set(fieldName, junk).chain((f) => f).map((f) => f), // placeholder replaced below
  setIn('page', fc.oneof(junk, fc.constantFrom('x'.repeat(201), '😀'.repeat(201), DEEP))),
  setIn('itemId', fc.oneof(junk, fc.constantFrom('', 'i'.repeat(201)))),
  setIn('device', fc.oneof(junk, fc.constant('d'.repeat(51)))),
  setIn('lat', fc.oneof(junk, fc.constantFrom(90.000001, -90.5, 1e308, '45'))),
  setIn('lon', fc.oneof(junk, fc.constantFrom(180.000001, -181, -1e308, '9'))),
  fieldName.chain((k) => setIn(k, junk)),
);

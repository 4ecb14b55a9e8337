/**
 * Security properties of the query API (issue 7), with fakes: object-level authorisation, which
 * routes answer without credentials, cache and security headers, no internal detail in answers,
 * and injection strings reaching the store as plain data.
 */
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import type { EventSearch, EventSearchQuery, VersionedProfile } from '../../state/index.ts';
import { createQueryApp, type QueryAppDeps } from './app.ts';
import { createQueryAuth } from './auth.ts';
import { CatalogueIndex } from './catalogue.ts';
import { ProfileStoreUnavailable } from './errors.ts';
import { catalogEvent, profileWith } from './test-events.ts';

const KEY = 'svc-security';
const SECRET = 'security-secret-0123456789abcdef';
const OWN = 'user-a';
const NOW = Date.parse('2027-03-01T00:00:00Z');
const SECRET_DETAIL = 'secret internal detail at /srv/db';
const nowSec = () => Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const tokenFor = (sub: string) => sign({ sub, exp: nowSec() + 300 }, SECRET, 'HS256');

/** Every header `hono/secure-headers` (defaults) sets on this app's answers, exactly. */
const SECURITY_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};
/** The headers that are not about security (they vary by answer). */
const OTHER_HEADERS = ['content-type', 'cache-control', 'vary', 'www-authenticate', 'retry-after'];
const securityHeaders = (res: Response) =>
  Object.fromEntries([...res.headers].filter(([k]) => !OTHER_HEADERS.includes(k)));

const PROFILES = new Map<string, VersionedProfile>(
  [OWN, ...Array.from({ length: 500 }, (_, i) => `u-${i}`)].map((userId) => [
    userId,
    { userId, version: 2, updatedAt: NOW - 1000, profile: profileWith({ interests: { music: 2 } }) },
  ]),
);
const EVENT = catalogEvent('b-music', new Date(NOW + 86_400_000).toISOString());

interface Logged {
  level: 'info' | 'warn' | 'error';
  msg: string;
  fields?: Record<string, unknown>;
}

function setup(over: Partial<QueryAppDeps> = {}) {
  const calls = {
    profiles: [] as string[],
    searches: [] as EventSearchQuery[],
    ids: [] as string[],
    trending: [] as string[],
  };
  const logged: Logged[] = [];
  const record = (level: Logged['level']) => (msg: string, fields?: Record<string, unknown>) =>
    void logged.push({ level, msg, ...(fields && { fields }) });
  const events: EventSearch = {
    get: (id) => (calls.ids.push(id), Promise.resolve(id === EVENT.id ? EVENT : null)),
    search: (q) => {
      calls.searches.push(q);
      if (q.cursor !== undefined)
        return Promise.reject(
          Object.assign(new Error('cursor is not a cursor of this API'), { code: 'INVALID_CURSOR' }),
        );
      return Promise.resolve({ items: [], facets: { category: [], city: [] }, total: 0, nextCursor: null });
    },
  };
  const catalogue = new CatalogueIndex();
  catalogue.upsert(EVENT);
  catalogue.markLoaded();
  const app = createQueryApp({
    profiles: { get: (u) => (calls.profiles.push(u), Promise.resolve(PROFILES.get(u))) },
    auth: createQueryAuth({ keys: [KEY], jwtSecret: SECRET }),
    log: { info: record('info'), warn: record('warn'), error: record('error') },
    catalogue,
    trending: { top: (city) => (calls.trending.push(city), Promise.resolve([])) },
    events,
    now: () => NOW,
    ...over,
  });
  /** `credential` null: no Authorization header; a string: `Bearer <it>`. */
  const request = async (path: string, credential: string | null = KEY, method = 'GET'): Promise<Response> =>
    app.request(path, {
      method,
      headers: credential === null ? {} : { authorization: `Bearer ${credential}` },
    });
  const untouched = () => expect(calls).toEqual({ profiles: [], searches: [], ids: [], trending: [] });
  return { app, request, calls, logged, untouched };
}

const FORBIDDEN = { error: { code: 'FORBIDDEN', message: "a user token may read only its own user's data" } };
const NO_CREDENTIAL = {
  error: { code: 'UNAUTHENTICATED', message: 'send "Authorization: Bearer <key or token>"' },
};
const NO_ROUTE = { error: { code: 'NOT_FOUND', message: 'no such route' } };
const INTERNAL = { error: { code: 'INTERNAL', message: 'internal error' } };

// ---- object-level authorisation ----------------------------------------------------------------

describe('object-level authorisation', () => {
  it("answers a user token 200 for its own profile and feed, 403 for 1,000 other users' (2,000 requests), never looking them up", async () => {
    const { request, calls } = setup();
    const token = await tokenFor(OWN);
    const own = await request(`/api/v1/users/${OWN}/profile`, token);
    expect([own.status, ((await own.json()) as { userId: string }).userId]).toEqual([200, OWN]);
    const feed = await request(`/api/v1/personalize?userId=${OWN}`, token);
    expect([feed.status, ((await feed.json()) as { userId: string }).userId]).toEqual([200, OWN]);

    // u-0..u-499 have a profile, u-500..u-999 do not: the answer must not tell them apart.
    const answers = new Map<string, number>();
    for (let i = 0; i < 1000; i++)
      for (const path of [`/api/v1/users/u-${i}/profile`, `/api/v1/personalize?userId=u-${i}`]) {
        const res = await request(path, token);
        const key = `${res.status} ${JSON.stringify(await res.json())}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
      }
    expect([...answers]).toEqual([[`403 ${JSON.stringify(FORBIDDEN)}`, 2000]]);
    expect(calls.profiles).toEqual([OWN, OWN]);
  });

  it('answers 403 for ids that only look like its own, and 200 for its own id percent-encoded', async () => {
    const { request, calls } = setup();
    const token = await tokenFor(OWN);
    const lookalikes = [
      'USER-A',
      'user-a ',
      ' user-a',
      'user-a\u0000',
      'user-ａ',
      'user-a/..',
      'user-a\u200b',
      'user-a'.normalize('NFD') + '\u0301',
    ];
    for (const id of lookalikes) {
      const profile = await request(`/api/v1/users/${encodeURIComponent(id)}/profile`, token);
      const feed = await request(`/api/v1/personalize?userId=${encodeURIComponent(id)}`, token);
      expect([id, profile.status, feed.status]).toEqual([id, 403, 403]);
    }
    expect((await request('/api/v1/users/user%2Da/profile', token)).status).toBe(200);
    // A second userId is not a way around the check: the request is refused before any lookup.
    const twice = await request(`/api/v1/personalize?userId=${OWN}&userId=u-1`, token);
    expect(twice.status).toBe(400);
    expect(calls.profiles).toEqual([OWN]);
  });

  const payload = () => ({ sub: OWN, exp: nowSec() + 300 });
  it.each<[string, () => Promise<string>, string]>([
    ['an expired token', () => sign({ sub: OWN, exp: nowSec() - 10 }, SECRET, 'HS256'), 'token expired'],
    [
      'a token signed with another secret',
      () => sign(payload(), 'another-secret-0123456789', 'HS256'),
      'invalid token',
    ],
    [
      'an alg:none token without signature',
      () => Promise.resolve(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload())}.`),
      'unknown API key',
    ],
    [
      'an alg:none token with a signature',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload())}.${(await tokenFor(OWN)).split('.')[2]}`,
      'invalid token',
    ],
    [
      'an HS512 token (another algorithm) with the right secret',
      () => sign(payload(), SECRET, 'HS512'),
      'invalid token',
    ],
    [
      'a token without sub',
      () => sign({ exp: nowSec() + 300 }, SECRET, 'HS256'),
      'invalid token: sub must name the user',
    ],
    [
      'a token with an empty sub',
      () => sign({ sub: '', exp: nowSec() + 300 }, SECRET, 'HS256'),
      'invalid token: sub must name the user',
    ],
    ['a token without exp', () => sign({ sub: OWN }, SECRET, 'HS256'), 'invalid token: exp is required'],
    [
      'a token not valid yet (nbf)',
      () => sign({ ...payload(), nbf: nowSec() + 60 }, SECRET, 'HS256'),
      'invalid token',
    ],
    [
      'a token whose payload was swapped',
      async () => {
        const [h, , s] = (await tokenFor('u-1')).split('.');
        return `${h}.${b64(payload())}.${s}`;
      },
      'invalid token',
    ],
  ])('answers 401 for %s, on every route, before any lookup', async (_name, make, message) => {
    const { request, untouched } = setup();
    const token = await make();
    for (const path of [
      `/api/v1/users/${OWN}/profile`,
      `/api/v1/personalize?userId=${OWN}`,
      '/api/v1/events',
      `/api/v1/events/${EVENT.id}`,
    ]) {
      const res = await request(path, token);
      expect([path, res.status, await res.json()]).toEqual([
        path,
        401,
        { error: { code: 'UNAUTHENTICATED', message } },
      ]);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="pulse-query"');
    }
    untouched();
  });
});

// ---- which routes answer without credentials -------------------------------------------------

describe('routes without credentials', () => {
  it('answers only /healthz, /metrics and /api/v1/openapi.json', async () => {
    const { request } = setup();
    const health = await request('/healthz', null);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const metrics = await request('/metrics', null);
    expect([metrics.status, (await metrics.text()).includes('pulse_query_requests_total')]).toEqual([
      200,
      true,
    ]);
    const openapi = await request('/api/v1/openapi.json', null);
    expect([openapi.status, ((await openapi.json()) as { openapi: string }).openapi]).toEqual([200, '3.1.0']);
  });

  it.each([
    `/api/v1/users/${OWN}/profile`,
    `/api/v1/personalize?userId=${OWN}`,
    '/api/v1/personalize',
    '/api/v1/events',
    '/api/v1/events?q=jazz',
    `/api/v1/events/${EVENT.id}`,
    // Not routes, but under /api/v1/events/*, which authenticates before routing.
    '/api/v1/events/',
    '/api/v1/events/b-music/x',
  ])('answers 401 to GET and HEAD %s, looking nothing up', async (path) => {
    const { request, untouched } = setup();
    for (const method of ['GET', 'HEAD']) {
      const res = await request(path, null, method);
      expect([method, res.status]).toEqual([method, 401]);
      if (method === 'GET') expect(await res.json()).toEqual(NO_CREDENTIAL);
    }
    for (const header of ['Basic c3ZjOnNlY3JldA==', 'Bearer', `Bearer ${KEY} ${KEY}`, KEY, `Token ${KEY}`]) {
      const res = await setup().app.request(path, { headers: { authorization: header } });
      expect([header, res.status]).toEqual([header, 401]);
    }
    untouched();
  });

  it.each([
    '/',
    '/api',
    '/api/v1',
    '/api/v1/',
    '/api/v1/nope',
    '/api/v1/users',
    `/api/v1/users/${OWN}`,
    `/api/v1/users/${OWN}/profile/x`,
    `/api/v1/users/${OWN}/profile.json`,
    '/api/v1/users//profile',
    '/api/v1/personalize/',
    '/API/V1/EVENTS',
    '/api/v2/events',
    '/healthz/',
    '/api/v1/openapi.json/',
    '/admin',
    '/.env',
  ])('answers unknown route %s with the same 404 to anyone, leaking nothing', async (path) => {
    const { request, untouched } = setup();
    for (const credential of [null, KEY, await tokenFor(OWN)]) {
      const res = await request(path, credential);
      expect([res.status, await res.json()]).toEqual([404, NO_ROUTE]);
    }
    untouched();
  });

  it('answers other methods: 401 under /api/v1/events without credentials, else 404; never any data', async () => {
    const { request, untouched } = setup();
    const routes = [
      `/api/v1/users/${OWN}/profile`,
      `/api/v1/personalize?userId=${OWN}`,
      '/api/v1/events',
      `/api/v1/events/${EVENT.id}`,
    ];
    const seen: string[] = [];
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
      for (const path of routes)
        for (const credential of [null, KEY]) {
          const res = await request(path, credential, method);
          seen.push(`${res.status} ${JSON.stringify(await res.json())}`);
        }
    // Per method: profile (none, key), feed (none, key), events (none, key), event (none, key).
    const perMethod = [404, 404, 404, 404, 401, 404, 401, 404].map(
      (s) => `${s} ${JSON.stringify(s === 401 ? NO_CREDENTIAL : NO_ROUTE)}`,
    );
    expect(seen).toEqual(Array.from({ length: 5 }, () => perMethod).flat());
    untouched();
  });
});

// ---- headers -----------------------------------------------------------------------------------

describe('headers', () => {
  it('sends exactly the secure-headers set on every answer of every route, errors included', async () => {
    const token = await tokenFor(OWN);
    const ok = setup();
    const failing = setup({ profiles: { get: () => Promise.reject(new Error(SECRET_DETAIL)) } });
    const answers: Array<[string, Response]> = [];
    const add = async (name: string, res: Promise<Response>) => void answers.push([name, await res]);
    await add('healthz', ok.request('/healthz', null));
    await add('metrics', ok.request('/metrics', null));
    await add('openapi', ok.request('/api/v1/openapi.json', null));
    await add('profile 200', ok.request(`/api/v1/users/${OWN}/profile`));
    await add('profile 400', ok.request(`/api/v1/users/${'u'.repeat(129)}/profile`));
    await add('profile 401', ok.request(`/api/v1/users/${OWN}/profile`, null));
    await add('profile 403', ok.request('/api/v1/users/u-1/profile', token));
    await add('profile 404', ok.request('/api/v1/users/ghost/profile'));
    await add('profile 500', failing.request(`/api/v1/users/${OWN}/profile`));
    await add('feed 200', ok.request(`/api/v1/personalize?userId=${OWN}`));
    await add('feed 400', ok.request('/api/v1/personalize?userId=a&limit=0'));
    await add('events 200', ok.request('/api/v1/events?q=jazz'));
    await add('events 400', ok.request('/api/v1/events?limit=x'));
    await add('events 401', ok.request('/api/v1/events', null));
    await add('event 200', ok.request(`/api/v1/events/${EVENT.id}`));
    await add('event 404', ok.request('/api/v1/events/nope'));
    await add('unknown under users/*', ok.request(`/api/v1/users/${OWN}`));
    expect(answers.map(([name, res]) => [name, securityHeaders(res)])).toEqual(
      answers.map(([name]) => [name, SECURITY_HEADERS]),
    );
  });

  // A notFound handler that throws (as app.ts once did) lets the error escape secureHeaders'
  // `await next()` on paths no path-scoped middleware covers: the 404 would go out bare.
  it('sends the secure-headers set on 404s for unknown routes outside /api/v1/users and /api/v1/events', async () => {
    const { request } = setup();
    for (const path of ['/', '/api/v1/nope', '/api/v2/events', '/healthz/'])
      expect([path, securityHeaders(await request(path))]).toEqual([path, SECURITY_HEADERS]);
  });

  it('marks every personal answer (profile and feed, success or error) private and varying by Authorization', async () => {
    const token = await tokenFor(OWN);
    const ok = setup();
    const limited = setup({ rateLimiter: { take: () => ({ allowed: false, retryAfterMs: 1500 }) } });
    const failing = setup({ profiles: { get: () => Promise.reject(new Error(SECRET_DETAIL)) } });
    const down = setup({
      profiles: { get: () => Promise.reject(new ProfileStoreUnavailable('redis', SECRET_DETAIL)) },
    });
    const loading = setup({ catalogue: new CatalogueIndex() });
    const cases: Array<[string, Promise<Response>, number]> = [
      ['profile', ok.request(`/api/v1/users/${OWN}/profile`, token), 200],
      ['profile', ok.request(`/api/v1/users/${'u'.repeat(129)}/profile`), 400],
      ['profile', ok.request(`/api/v1/users/${OWN}/profile`, null), 401],
      ['profile', ok.request('/api/v1/users/u-1/profile', token), 403],
      ['profile', ok.request('/api/v1/users/ghost/profile'), 404],
      ['profile', limited.request(`/api/v1/users/${OWN}/profile`), 429],
      ['profile', failing.request(`/api/v1/users/${OWN}/profile`), 500],
      ['profile', down.request(`/api/v1/users/${OWN}/profile`), 503],
      ['feed', ok.request(`/api/v1/personalize?userId=${OWN}`, token), 200],
      ['feed', ok.request('/api/v1/personalize?limit=0'), 400],
      ['feed', ok.request(`/api/v1/personalize?userId=${OWN}`, null), 401],
      ['feed', ok.request('/api/v1/personalize?userId=u-1', token), 403],
      ['feed', limited.request(`/api/v1/personalize?userId=${OWN}`), 429],
      ['feed', failing.request(`/api/v1/personalize?userId=${OWN}`), 500],
      ['feed', down.request(`/api/v1/personalize?userId=${OWN}`), 503],
      ['feed', loading.request(`/api/v1/personalize?userId=${OWN}`), 503],
    ];
    const got = await Promise.all(
      cases.map(async ([route, res]) => {
        const r = await res;
        return [route, r.status, r.headers.get('cache-control'), r.headers.get('vary')];
      }),
    );
    expect(got).toEqual(
      cases.map(([route, , status]) => [route, status, 'private, max-age=0', 'Authorization']),
    );
  });

  it('lets shared caches keep catalogue answers briefly, and only successful ones', async () => {
    const { request } = setup();
    const headers = async (path: string) => {
      const res = await request(path);
      return [res.status, res.headers.get('cache-control'), res.headers.get('vary')];
    };
    expect(await headers('/api/v1/events?q=jazz')).toEqual([200, 'public, max-age=30', null]);
    expect(await headers(`/api/v1/events/${EVENT.id}`)).toEqual([200, 'public, max-age=30', null]);
    expect(await headers('/api/v1/events?limit=0')).toEqual([400, null, null]);
    expect(await headers('/api/v1/events/nope')).toEqual([404, null, null]);
  });
});

// ---- internal detail -----------------------------------------------------------------------------

/** An answer text that carries no message, stack line or file path of the failure. */
function expectNoDetail(text: string) {
  expect(text).not.toContain('secret');
  expect(text).not.toContain('/srv/db');
  expect(text).not.toMatch(/\bat\s+\S+\s*\(|\bat\s+\//);
  expect(text).not.toMatch(/\.(ts|js|mjs):\d+/);
  expect(text).not.toMatch(/Error\b/);
}

describe('no internal detail in answers', () => {
  const boom = () => Promise.reject(new Error(SECRET_DETAIL));
  it.each<[string, Partial<QueryAppDeps>, string]>([
    ['profiles fail (profile)', { profiles: { get: boom } }, `/api/v1/users/${OWN}/profile`],
    ['profiles fail (feed)', { profiles: { get: boom } }, `/api/v1/personalize?userId=${OWN}`],
    ['events search fails', { events: { get: boom, search: boom } }, '/api/v1/events?q=jazz'],
    ['events get fails', { events: { get: boom, search: boom } }, `/api/v1/events/${EVENT.id}`],
  ])('answers a bare 500 when %s, and logs the error with its stack', async (_name, over, path) => {
    const { request, logged } = setup(over);
    const res = await request(path);
    const text = await res.text();
    expect([res.status, JSON.parse(text)]).toEqual([500, INTERNAL]);
    expectNoDetail(text);
    expectNoDetail([...res.headers].join('\n'));
    expect(logged).toEqual([
      {
        level: 'error',
        msg: 'unexpected error',
        fields: { error: SECRET_DETAIL, stack: expect.stringContaining(`Error: ${SECRET_DETAIL}\n    at `) },
      },
    ]);
  });

  it('answers a generic 503 when the profile store is down, and logs why', async () => {
    const { request, logged } = setup({
      profiles: { get: () => Promise.reject(new ProfileStoreUnavailable('postgres', SECRET_DETAIL)) },
    });
    for (const path of [`/api/v1/users/${OWN}/profile`, `/api/v1/personalize?userId=${OWN}`]) {
      const res = await request(path);
      const text = await res.text();
      expect([res.status, res.headers.get('retry-after'), JSON.parse(text)]).toEqual([
        503,
        '2',
        {
          error: {
            code: 'PROFILE_STORE_UNAVAILABLE',
            message: 'profiles are temporarily unavailable; retry later',
          },
        },
      ]);
      expectNoDetail(text);
    }
    const warning = {
      level: 'warn',
      msg: 'profile store unavailable',
      fields: { store: 'postgres', error: SECRET_DETAIL },
    };
    expect(logged).toEqual([warning, warning]);
  });

  it('serves the feed without popularity when trending fails, saying nothing of why but logging it', async () => {
    const { request, logged } = setup({ trending: { top: () => Promise.reject(new Error(SECRET_DETAIL)) } });
    const res = await request('/api/v1/personalize?userId=ghost&city=Berlin');
    const text = await res.text();
    expect([res.status, (JSON.parse(text) as { strategy: string }).strategy]).toEqual([200, 'soonest']);
    expectNoDetail(text);
    expect(logged).toEqual([
      {
        level: 'warn',
        msg: 'trending source failed; ranking without popularity',
        fields: { city: 'Berlin', error: SECRET_DETAIL },
      },
    ]);
  });

  // Hono hands only Error instances to onError. A dependency that rejects with anything else (a
  // string, a plain object) would make app.fetch reject: a bare 500 from the server, unlogged.
  it('answers a logged 500 when a dependency rejects with something that is not an Error', async () => {
    const { request, logged } = setup({
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the very case under test
      profiles: { get: () => Promise.reject(SECRET_DETAIL) },
    });
    const res = await request(`/api/v1/users/${OWN}/profile`);
    expect([res.status, await res.json()]).toEqual([500, INTERNAL]);
    expect(logged.map((l) => l.level)).toEqual(['error']);
  });
});

// ---- injection strings are data ------------------------------------------------------------------

const INJECTIONS = [
  "' OR 1=1 --",
  "'; DROP TABLE events; --",
  "x' UNION SELECT password FROM users --",
  '") OR ("1"="1',
  '%00',
  '\u0000',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '<script>alert(1)</script>',
  '${jndi:ldap://evil/a}',
  '{"$ne":null}',
  '$1',
  ':name',
  '?',
  '*',
  '%',
  '_',
  '\\',
  'a&limit=100&city=Paris',
  'q=1',
  '#frag',
  '\r\nX-Injected: 1',
  '__proto__',
  'constructor',
  'toString',
];
const QUERY_KEYS = [
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
const bare = {
  q: undefined,
  city: undefined,
  lat: undefined,
  lon: undefined,
  radiusKm: undefined,
  categories: undefined,
};
const rest = {
  fromMs: undefined,
  toMs: undefined,
  maxPrice: undefined,
  statuses: undefined,
  limit: 20,
  cursor: undefined,
};

describe('injection strings reach the store as plain data', () => {
  it.each(INJECTIONS)(
    'passes %j as q and as city, verbatim (trimmed), in a query of unchanged shape',
    async (s) => {
      const { request, calls } = setup();
      const e = encodeURIComponent(s);
      for (const path of [
        `/api/v1/events?q=${e}`,
        `/api/v1/events?city=${e}`,
        `/api/v1/events?q=${e}&city=${e}`,
      ])
        expect((await request(path)).status).toBe(200);
      expect(calls.searches).toEqual([
        { ...bare, ...rest, q: s.trim() },
        { ...bare, ...rest, city: s.trim() },
        { ...bare, ...rest, q: s.trim(), city: s.trim() },
      ]);
      for (const q of calls.searches) {
        expect(Object.getPrototypeOf(q)).toBe(Object.prototype);
        expect(Object.keys(q)).toEqual(QUERY_KEYS);
      }
    },
  );

  // Each with what it needs besides itself (lat with lon, radiusKm with both), so only it is at fault.
  it.each([
    ['lat', '&lon=0'],
    ['lon', '&lat=0'],
    ['radiusKm', '&lat=0&lon=0'],
    ['limit', ''],
    ['maxPrice', ''],
    ['from', ''],
    ['to', ''],
    ['category', ''],
    ['status', ''],
    ['cursor', ''],
  ])('refuses every injection string as %s with a 400 naming only it', async (name, partner) => {
    const { request, calls } = setup();
    for (const s of INJECTIONS) {
      const res = await request(`/api/v1/events?${name}=${encodeURIComponent(s)}${partner}`);
      const body = (await res.json()) as { error: { errors: Array<{ path: string }> } };
      expect([s, res.status, body.error.errors.map((x) => x.path)]).toEqual([s, 400, [name]]);
    }
    // Those that are well-formed cursors (base64url) reach the store as strings, which refuses them.
    const wellFormed = ['_', '__proto__', 'constructor', 'toString'];
    expect(calls.searches).toEqual(
      name === 'cursor' ? wellFormed.map((cursor) => ({ ...bare, ...rest, cursor })) : [],
    );
  });

  it.each(INJECTIONS)('refuses %j as a parameter name with a 400 naming it', async (s) => {
    const { request, untouched } = setup();
    for (const route of ['/api/v1/events', `/api/v1/personalize?userId=${OWN}`]) {
      const res = await request(`${route}${route.includes('?') ? '&' : '?'}${encodeURIComponent(s)}=1`);
      expect([res.status, await res.json()]).toEqual([
        400,
        {
          error: {
            code: 'INVALID_PARAMETER',
            message: `${s}: unknown parameter: ${s}`,
            errors: [{ path: s, message: `unknown parameter: ${s}` }],
          },
        },
      ]);
    }
    untouched();
  });

  it('looks up injection strings in path parameters verbatim, answering JSON (never HTML)', async () => {
    const { request, calls } = setup();
    for (const s of INJECTIONS) {
      for (const path of [
        `/api/v1/users/${encodeURIComponent(s)}/profile`,
        `/api/v1/events/${encodeURIComponent(s)}`,
      ]) {
        const res = await request(path);
        expect([s, res.status, res.headers.get('content-type')]).toEqual([s, 404, 'application/json']);
      }
      const feed = await request(`/api/v1/personalize?userId=${encodeURIComponent(s)}`);
      expect([s, feed.status]).toEqual([s, 200]);
    }
    expect(calls.ids).toEqual(INJECTIONS);
    expect(calls.profiles).toEqual(INJECTIONS.flatMap((s) => [s, s]));
  });
});

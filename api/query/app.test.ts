import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../../model/index.ts';
import type { VersionedProfile } from '../../state/index.ts';
import { createQueryApp } from './app.ts';
import { createQueryAuth } from './auth.ts';
import { CatalogueIndex } from './catalogue.ts';
import type { TrendingSource } from './feed.ts';
import { ProfileStoreUnavailable } from './errors.ts';
import { PersonalizeBody, ProfileBody } from './http-schemas.ts';
import { catalogEvent, profileWith } from './test-events.ts';
import { createTokenBucket, type RateLimiter } from '../rate-limit.ts';
import type { ProfileSource } from './profile-source.ts';

const KEY = 'svc-test';
const SECRET = 'test-secret-0123456789abcdef';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const nowSec = () => Math.floor(Date.now() / 1000);

const profileOf = (userId: string): VersionedProfile => ({
  userId,
  version: 3,
  updatedAt: 1_714_060_800_000,
  profile: {
    interests: { music: 1.5 },
    eventCounts: { VIEW: 2, CLICK: 0, LIKE: 1, SAVE: 0, SHARE: 0, PURCHASE: 0, DISMISS: 0 },
    totalEvents: 3,
    lastEventAt: 1_714_060_799_000,
    recentItems: ['item-1'],
    dismissedItems: [],
    purchasedItems: [],
    activityScore: 0.2,
    home: 'berlin',
  },
});

function loadedCatalogue(events: CatalogEvent[]): CatalogueIndex {
  const index = new CatalogueIndex();
  for (const e of events) index.upsert(e);
  index.markLoaded();
  return index;
}

const known = new Map(
  ['u-a', ...Array.from({ length: 100 }, (_, i) => `u-${i}`)].map((u) => [u, profileOf(u)]),
);

function setup(
  profiles: ProfileSource = { get: (u) => Promise.resolve(known.get(u)) },
  feed: {
    catalogue?: CatalogueIndex;
    trending?: TrendingSource;
    now?: () => number;
    metricsToken?: string;
    rateLimiter?: RateLimiter;
  } = {},
) {
  const app = createQueryApp({
    profiles,
    auth: createQueryAuth({ keys: [KEY], jwtSecret: SECRET }),
    log: quiet,
    catalogue: feed.catalogue ?? loadedCatalogue([]),
    trending: feed.trending ?? { top: () => Promise.resolve([]) },
    events: {
      get: (id) => Promise.resolve(id === 'evt-1' ? catalogEvent('evt-1', '2027-03-28T18:00:00Z') : null),
      search: () =>
        Promise.resolve({ items: [], facets: { category: [], city: [] }, total: 0, nextCursor: null }),
    },
    now: feed.now,
    metricsToken: feed.metricsToken,
    rateLimiter: feed.rateLimiter,
  });
  /** `null`: no Authorization header. */
  const get = async (path: string, credential: string | null = KEY): Promise<Response> =>
    app.request(path, { headers: credential === null ? {} : { authorization: `Bearer ${credential}` } });
  return { app, get };
}

const tokenFor = (sub: string, expInSec = 60) => sign({ sub, exp: nowSec() + expInSec }, SECRET, 'HS256');

interface ErrorJson {
  error: { code: string; message: string; errors?: Array<{ path: string; message: string }> };
}

describe('GET /api/v1/users/{userId}/profile', () => {
  it('answers 200 with the versioned profile, private and uncached, with security headers', async () => {
    const res = await setup().get('/api/v1/users/u-a/profile');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, max-age=0');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = await res.json();
    expect(body).toEqual(profileOf('u-a'));
    expect(ProfileBody.safeParse(body).success).toBe(true);
  });

  it('answers 404 naming the user when there is no profile', async () => {
    const res = await setup().get('/api/v1/users/ghost/profile');
    expect(res.status).toBe(404);
    const json = (await res.json()) as ErrorJson;
    expect(json.error.code).toBe('PROFILE_NOT_FOUND');
    expect(json.error.message).toContain('ghost');
    expect(res.headers.get('cache-control')).toBe('private, max-age=0');
  });

  it.each([
    ['no Authorization header', null],
    ['a malformed header', ''],
    ['an unknown key', 'not-a-key'],
  ])('answers 401 for %s', async (_name, credential) => {
    const { app, get } = setup();
    const res =
      credential === ''
        ? await app.request('/api/v1/users/u-a/profile', { headers: { authorization: 'Token abc' } })
        : await get('/api/v1/users/u-a/profile', credential);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(((await res.json()) as ErrorJson).error.code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 for an expired token', async () => {
    const res = await setup().get('/api/v1/users/u-a/profile', await tokenFor('u-a', -10));
    expect(res.status).toBe(401);
    expect(((await res.json()) as ErrorJson).error.message).toBe('token expired');
  });

  it("lets a user token read its own profile and answers 403 for 100 other users'", async () => {
    const { get } = setup();
    const token = await tokenFor('u-a');
    expect((await get('/api/v1/users/u-a/profile', token)).status).toBe(200);
    for (let i = 0; i < 100; i++) {
      const res = await get(`/api/v1/users/u-${i}/profile`, token);
      expect(res.status).toBe(403);
      expect(((await res.json()) as ErrorJson).error.code).toBe('FORBIDDEN');
    }
    // Unknown users too: a token never learns whether another user exists.
    expect((await get('/api/v1/users/ghost/profile', token)).status).toBe(403);
  });

  it('lets a service key read any user', async () => {
    const { get } = setup();
    for (let i = 0; i < 100; i++) expect((await get(`/api/v1/users/u-${i}/profile`)).status).toBe(200);
  });

  it('answers 400 naming userId when it is longer than 128 characters', async () => {
    const { get } = setup();
    expect((await get(`/api/v1/users/${'u'.repeat(128)}/profile`)).status).toBe(404);
    const res = await get(`/api/v1/users/${'u'.repeat(129)}/profile`);
    expect(res.status).toBe(400);
    const json = (await res.json()) as ErrorJson;
    expect(json.error.code).toBe('INVALID_USER_ID');
    expect(json.error.errors!.map((e) => e.path)).toEqual(['userId']);
    expect(json.error.message).toContain('userId');
  });

  it('decodes percent-encoded userIds', async () => {
    const seen: string[] = [];
    const { get } = setup({ get: (u) => (seen.push(u), Promise.resolve(undefined)) });
    expect((await get('/api/v1/users/a%20b%2Fc/profile')).status).toBe(404);
    expect(seen).toEqual(['a b/c']);
  });

  it.each(['redis', 'postgres'] as const)(
    'answers 503 with Retry-After when %s is unavailable',
    async (store) => {
      const { get } = setup({
        get: () => Promise.reject(new ProfileStoreUnavailable(store, `${store} unavailable: timeout`)),
      });
      const res = await get('/api/v1/users/u-a/profile');
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await res.json()) as ErrorJson).error.code).toBe('PROFILE_STORE_UNAVAILABLE');
    },
  );

  it('never answers 500 for the cases above', async () => {
    const { get } = setup({
      get: () => Promise.reject(new ProfileStoreUnavailable('redis', 'redis unavailable')),
    });
    const token = await tokenFor('u-a');
    const statuses = await Promise.all([
      get('/api/v1/users/u-a/profile').then((r) => r.status),
      get('/api/v1/users/u-a/profile', null).then((r) => r.status),
      get('/api/v1/users/u-b/profile', token).then((r) => r.status),
      get(`/api/v1/users/${'x'.repeat(500)}/profile`).then((r) => r.status),
      get('/api/v1/users/u-a/profile', await tokenFor('u-a', -1)).then((r) => r.status),
    ]);
    expect(statuses).toEqual([503, 401, 403, 400, 401]);
  });
});

describe('rate limits', () => {
  it('answer 429 with Retry-After per credential beyond its burst, other credentials unaffected', async () => {
    let clock = 0;
    const { get } = setup(undefined, {
      rateLimiter: createTokenBucket({ ratePerSec: 1, burst: 2, now: () => clock }),
    });
    const a = await tokenFor('u-a');
    expect((await get('/api/v1/users/u-a/profile', a)).status).toBe(200);
    expect((await get('/api/v1/users/u-a/profile', a)).status).toBe(200);
    const limited = await get('/api/v1/users/u-a/profile', a);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect((await get('/api/v1/users/u-1/profile', await tokenFor('u-1'))).status).toBe(200);
    expect((await get('/api/v1/users/u-a/profile')).status).toBe(200);
    clock += 1000;
    expect((await get('/api/v1/users/u-a/profile', a)).status).toBe(200);
  });
});

describe('GET /api/v1/events', () => {
  it('needs the same credentials as the rest of the API', async () => {
    const { get } = setup();
    expect((await get('/api/v1/events', null)).status).toBe(401);
    expect((await get('/api/v1/events/evt-1', null)).status).toBe(401);
    expect((await get('/api/v1/events?city=Berlin')).status).toBe(200);
    const one = await get('/api/v1/events/evt-1');
    expect(one.status).toBe(200);
    expect(((await one.json()) as { id: string }).id).toBe('evt-1');
    expect((await get('/api/v1/events/evt-2')).status).toBe(404);
  });
});

describe('GET /api/v1/personalize', () => {
  const NOW = Date.parse('2026-06-03T10:00:00Z');
  const at = (h: number) => new Date(NOW + h * 3_600_000).toISOString();
  const events = [
    ...Array.from({ length: 45 }, (_, i) =>
      catalogEvent(`b${String(i).padStart(2, '0')}`, at(2 + i * 7), {
        category: i % 3 === 0 ? 'theatre' : 'music',
      }),
    ),
    catalogEvent('gone', at(-1)),
    catalogEvent('off', at(5), { status: 'cancelled' }),
  ];
  const fan: VersionedProfile = {
    userId: 'fan',
    version: 12,
    updatedAt: NOW - 1000,
    profile: profileWith({ interests: { theatre: 5, music: 1 }, dismissedItems: ['b01'] }),
  };
  const profiles: ProfileSource = {
    get: (u) => Promise.resolve(u === 'fan' ? fan : known.get(u)),
  };
  const personalizeSetup = (
    over: { trending?: TrendingSource; loaded?: boolean; profiles?: ProfileSource } = {},
  ) => {
    const catalogue = loadedCatalogue(events);
    if (over.loaded === false) {
      const fresh = new CatalogueIndex();
      return setup(over.profiles ?? profiles, { catalogue: fresh, now: () => NOW });
    }
    return setup(over.profiles ?? profiles, {
      catalogue,
      trending: over.trending ?? {
        top: (city) => Promise.resolve(city === 'Berlin' ? [{ eventId: 'b10', score: 9 }] : []),
      },
      now: () => NOW,
    });
  };

  it('answers 200 with a ranked, private feed', async () => {
    const res = await personalizeSetup().get('/api/v1/personalize?userId=fan&limit=5');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, max-age=0');
    expect(res.headers.get('vary')).toBe('Authorization');
    const body = PersonalizeBody.parse(await res.json());
    expect(body.userId).toBe('fan');
    expect(body.strategy).toBe('personalized');
    expect(body.generatedAt).toBe(new Date(NOW).toISOString());
    expect(body.items).toHaveLength(5);
    expect(body.items[0]!.category).toBe('theatre');
    expect(body.items[0]!.reasons).toContain('matches your interest in theatre');
    expect(body.items.map((i) => i.eventId)).not.toContain('gone');
    expect(body.nextCursor).toEqual(expect.any(String));
  });

  it('pages through the whole feed with nextCursor, each event once, never dismissed or cancelled ones', async () => {
    const { get } = personalizeSetup();
    const seen: string[] = [];
    let url = '/api/v1/personalize?userId=fan&limit=7&city=Berlin';
    for (let page = 0; page < 20; page++) {
      const res = await get(url);
      expect(res.status).toBe(200);
      const body = PersonalizeBody.parse(await res.json());
      seen.push(...body.items.map((i) => i.eventId));
      if (!body.nextCursor) break;
      url = `/api/v1/personalize?userId=fan&limit=7&city=Berlin&cursor=${body.nextCursor}`;
    }
    expect(new Set(seen).size).toBe(seen.length);
    // 30 days = 720 h: events b00..b42 start within the window (2 + 42·7 = 296 h, all of them).
    const expected = events
      .filter((e) => e.id.startsWith('b') && e.id !== 'b01' && Date.parse(e.startsAt) < NOW + 30 * 86_400_000)
      .map((e) => e.id);
    expect([...seen].sort()).toEqual(expected.sort());
  });

  it('serves the cold-start feed to users without a profile or with few events', async () => {
    const { get } = personalizeSetup();
    for (const user of ['ghost', 'u-a']) {
      const body = PersonalizeBody.parse(
        await (await get(`/api/v1/personalize?userId=${user}&limit=3`)).json(),
      );
      expect(body.strategy).toBe('trending');
      expect(body.items[0]!.eventId).toBe('b10');
      expect(body.items[0]!.reasons).toContain('trending in Berlin');
    }
  });

  it.each([
    ['fails', () => Promise.reject(new Error('redis down'))],
    ['hangs', () => new Promise<never>(() => undefined)],
  ])('ranks without popularity when the trending source %s', async (_name, top) => {
    const { get } = personalizeSetup({ trending: { top } });
    const res = await get('/api/v1/personalize?userId=ghost&limit=3');
    expect(res.status).toBe(200);
    const body = PersonalizeBody.parse(await res.json());
    expect(body.strategy).toBe('soonest');
    expect(body.items.map((i) => i.eventId)).toEqual(['b00', 'b01', 'b02']);
  });

  it.each([
    ['userId is missing', 'limit=5', ['userId']],
    ['userId too long', `userId=${'u'.repeat(129)}`, ['userId']],
    ['limit 0', 'userId=fan&limit=0', ['limit']],
    ['limit 101', 'userId=fan&limit=101', ['limit']],
    ['limit not a number', 'userId=fan&limit=ten', ['limit']],
    ['limit twice', 'userId=fan&limit=1&limit=2', ['limit']],
    ['lat out of range', 'userId=fan&lat=91&lon=0', ['lat']],
    ['lon without lat', 'userId=fan&lon=13', ['lat']],
    ['radiusKm without a point', 'userId=fan&radiusKm=5', ['radiusKm']],
    ['radiusKm 0', 'userId=fan&lat=52&lon=13&radiusKm=0', ['radiusKm']],
    ['an unknown category', 'userId=fan&category=music&category=opera', ['category']],
    ['from not a date', 'userId=fan&from=tomorrow', ['from']],
    ['to before from', 'userId=fan&from=2026-06-10&to=2026-06-09T00:00:00Z', ['to']],
    ['maxPrice negative', 'userId=fan&maxPrice=-1', ['maxPrice']],
    ['a cursor that is not one', 'userId=fan&cursor=bm9wZQ', ['cursor']],
    ['an unknown parameter', 'userId=fan&categories=music', ['categories']],
    ['several at once', 'userId=fan&limit=0&maxPrice=x', ['limit', 'maxPrice']],
  ])('answers 400 naming the parameter for %s', async (_name, query, paths) => {
    const res = await personalizeSetup().get(`/api/v1/personalize?${query}`);
    expect(res.status).toBe(400);
    const json = (await res.json()) as ErrorJson;
    expect(json.error.code).toBe('INVALID_PARAMETER');
    expect(json.error.errors!.map((e) => e.path).sort()).toEqual(paths);
    for (const p of paths) expect(json.error.message).toContain(p);
  });

  it('answers 400 on cursor for a cursor of other filters or another user', async () => {
    const { get } = personalizeSetup();
    const first = PersonalizeBody.parse(
      await (await get('/api/v1/personalize?userId=fan&limit=2&city=Berlin')).json(),
    );
    const cursor = first.nextCursor!;
    expect((await get(`/api/v1/personalize?userId=fan&limit=9&city=berlin&cursor=${cursor}`)).status).toBe(
      200,
    );
    for (const q of [
      'userId=fan&city=Paris',
      'userId=fan',
      'userId=u-a&city=Berlin',
      'userId=fan&city=Berlin&maxPrice=5',
    ]) {
      const res = await get(`/api/v1/personalize?${q}&cursor=${cursor}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorJson).error.errors).toEqual([
        { path: 'cursor', message: expect.stringContaining('other filters') },
      ]);
    }
  });

  it("lets a user token read its own feed and answers 403 for another user's", async () => {
    const { get } = personalizeSetup();
    const token = await tokenFor('fan');
    expect((await get('/api/v1/personalize?userId=fan', token)).status).toBe(200);
    const res = await get('/api/v1/personalize?userId=u-a', token);
    expect(res.status).toBe(403);
    expect(((await res.json()) as ErrorJson).error.code).toBe('FORBIDDEN');
    expect(res.headers.get('cache-control')).toBe('private, max-age=0');
    expect((await get('/api/v1/personalize?userId=ghost', token)).status).toBe(403);
    expect((await get('/api/v1/personalize?userId=fan', null)).status).toBe(401);
  });

  it('answers 503 with Retry-After when Redis is down, and while the catalogue loads', async () => {
    const down = personalizeSetup({
      profiles: {
        get: () => Promise.reject(new ProfileStoreUnavailable('redis', 'redis unavailable: timeout')),
      },
    });
    const res = await down.get('/api/v1/personalize?userId=fan');
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as ErrorJson).error.code).toBe('PROFILE_STORE_UNAVAILABLE');

    const loading = await personalizeSetup({ loaded: false }).get('/api/v1/personalize?userId=fan');
    expect(loading.status).toBe(503);
    expect(loading.headers.get('retry-after')).toBe('2');
    expect(((await loading.json()) as ErrorJson).error.code).toBe('CATALOGUE_LOADING');
  });

  it('counts requests under the route template', async () => {
    const { get } = personalizeSetup();
    await get('/api/v1/personalize?userId=fan');
    await get('/api/v1/personalize?limit=0');
    const text = await (await get('/metrics', null)).text();
    expect(text).toContain('pulse_query_requests_total{route="/api/v1/personalize",status="200"} 1');
    expect(text).toContain('pulse_query_requests_total{route="/api/v1/personalize",status="400"} 1');
  });
});

describe('public endpoints', () => {
  it('serves /healthz without authentication', async () => {
    const res = await setup().get('/healthz', null);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('restricts /metrics to the metrics token when one is configured, and nothing else', async () => {
    const { get } = setup(undefined, { metricsToken: 'metrics-token-0123456789' });
    expect((await get('/metrics', null)).status).toBe(401);
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', 'metrics-token-0123456789')).status).toBe(200);
    expect((await get('/healthz', null)).status).toBe(200);
  });

  it('counts requests by route and status, with a latency histogram, on /metrics', async () => {
    const { get } = setup();
    await get('/api/v1/users/u-a/profile');
    await get('/api/v1/users/ghost/profile');
    const text = await (await get('/metrics', null)).text();
    expect(text).toContain(
      'pulse_query_requests_total{route="/api/v1/users/{userId}/profile",status="200"} 1',
    );
    expect(text).toContain(
      'pulse_query_requests_total{route="/api/v1/users/{userId}/profile",status="404"} 1',
    );
    expect(text).toContain('pulse_query_request_seconds_bucket');
  });

  it('serves an OpenAPI 3.1 document with the profile path and generated schemas', async () => {
    const res = await setup().get('/api/v1/openapi.json', null);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { type?: string; properties?: Record<string, unknown> }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/v1/users/{userId}/profile');
    expect(Object.keys(doc.paths)).toContain('/api/v1/personalize');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/events', '/api/v1/events/{id}']));
    expect(Object.keys(doc.components.schemas.EventSearch!.properties!)).toEqual([
      'items',
      'facets',
      'total',
      'nextCursor',
    ]);
    expect(Object.keys(doc.components.schemas.Personalize!.properties!)).toEqual([
      'userId',
      'generatedAt',
      'strategy',
      'items',
      'nextCursor',
    ]);
    expect(Object.keys(doc.components.schemas.Profile!.properties!)).toEqual([
      'userId',
      'version',
      'updatedAt',
      'profile',
    ]);
    expect(doc.components.schemas.Error!.type).toBe('object');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await setup().get('/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorJson).error.code).toBe('NOT_FOUND');
  });
});

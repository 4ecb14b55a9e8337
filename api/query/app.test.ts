import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import type { VersionedProfile } from '../../state/index.ts';
import { createQueryApp } from './app.ts';
import { createQueryAuth } from './auth.ts';
import { ProfileStoreUnavailable } from './errors.ts';
import { ProfileBody } from './http-schemas.ts';
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

const known = new Map(
  ['u-a', ...Array.from({ length: 100 }, (_, i) => `u-${i}`)].map((u) => [u, profileOf(u)]),
);

function setup(profiles: ProfileSource = { get: (u) => Promise.resolve(known.get(u)) }) {
  const app = createQueryApp({
    profiles,
    auth: createQueryAuth({ keys: [KEY], jwtSecret: SECRET }),
    log: quiet,
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

describe('public endpoints', () => {
  it('serves /healthz without authentication', async () => {
    const res = await setup().get('/healthz', null);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
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

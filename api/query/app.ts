/**
 * The query API as a Hono app built from injected dependencies (no Redis, no PostgreSQL, no env):
 *
 * - `GET /api/v1/users/{userId}/profile`: the user's latest profile snapshot
 *   `{userId, version, updatedAt, profile}`; service keys read anyone, user tokens only themselves.
 *   `Cache-Control: private, max-age=0`.
 * - `GET /api/v1/personalize?userId=…`: the user's ranked feed of upcoming events (feed.ts), same
 *   authorization and caching as the profile.
 * - `GET /api/v1/openapi.json`: the OpenAPI 3.1 document (no authentication).
 * - `GET /healthz` and `GET /metrics`: no authentication.
 *
 * Errors are one type ({@link QueryError}) rendered by one `onError` as
 * `{error: {code, message, errors?: [{path, message}]}}`; a profile store that is down becomes a 503
 * with Retry-After; unexpected errors become a logged 500.
 */
import { createHash } from 'node:crypto';
import { invalidParameters } from './query-params.ts';
import { Hono, type Context, type Next } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { Profile } from '../../model/index.ts';
import type { Logger } from '../../runtime/index.ts';
import type { EventSearch, VersionedProfile } from '../../state/index.ts';
import { errorResponse, internalErrorResponse, metricsGuard } from '../http-server.ts';
import type { Principal, QueryAuth } from './auth.ts';
import type { RateLimiter } from '../rate-limit.ts';
import type { CatalogueIndex } from './catalogue.ts';
import { ProfileStoreUnavailable, QueryError } from './errors.ts';
import { PersonalizeQuery, UserIdParam, type HealthBody, type PersonalizeBody } from './http-schemas.ts';
import {
  InvalidCursorError,
  planFeed,
  rankFeed,
  TRENDING_DEPTH,
  type FeedPlan,
  type TrendingResults,
  type TrendingSource,
} from './feed.ts';
import { createQueryMetrics, type QueryMetrics } from './metrics.ts';
import { buildOpenApiDocument } from './openapi.ts';
import type { ProfileSource } from './profile-source.ts';
import { EVENT_ROUTE, EVENTS_ROUTE, searchRoutes } from './search.ts';

/** Retry-After (seconds) when a profile store did not answer. */
export const UNAVAILABLE_RETRY_AFTER_SEC = 2;

/** A trending source slower than this (ms) is treated as failed: the feed ranks without popularity. */
export const TRENDING_TIMEOUT_MS = 300;

export const PROFILE_ROUTE = '/api/v1/users/{userId}/profile';
export const PERSONALIZE_ROUTE = '/api/v1/personalize';

export interface QueryAppDeps {
  profiles: ProfileSource;
  auth: QueryAuth;
  log: Logger;
  metrics?: QueryMetrics;
  /** The event catalogue (followCatalogue keeps it up to date); feeds answer 503 until it is loaded. */
  catalogue: CatalogueIndex;
  /** Trending counts per city; a failing source degrades the feed (no popularity), it never fails it. */
  trending: TrendingSource;
  /** Catalogue search (PostgreSQL's `events` table): `GET /api/v1/events`, `GET /api/v1/events/{id}`. */
  events: EventSearch;
  /** Bound on each trending call; default {@link TRENDING_TIMEOUT_MS}. */
  trendingTimeoutMs?: number;
  /** When set, `/metrics` answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | undefined;
  /** Requests per credential (a user token's user, or a service key); none: unlimited. */
  rateLimiter?: RateLimiter | undefined;
  /** The clock of feeds (epoch ms); default Date.now. */
  now?: () => number;
}

const STATIC_ROUTES = new Set([
  '/api/v1/openapi.json',
  '/healthz',
  '/metrics',
  PERSONALIZE_ROUTE,
  EVENTS_ROUTE,
]);
const PROFILE_PATH = /^\/api\/v1\/users\/[^/]+\/profile$/;
const EVENT_PATH = /^\/api\/v1\/events\/[^/]+$/;

const routeOf = (path: string) =>
  STATIC_ROUTES.has(path)
    ? path
    : PROFILE_PATH.test(path)
      ? PROFILE_ROUTE
      : EVENT_PATH.test(path)
        ? EVENT_ROUTE
        : 'other';

export function createQueryApp(deps: QueryAppDeps): Hono {
  const metrics = deps.metrics ?? createQueryMetrics();
  const openapi = JSON.stringify(buildOpenApiDocument());
  const app = new Hono();

  // Outermost: a dependency that rejects with something other than an Error (a string, a plain
  // object) would bypass onError (Hono hands it only Errors) and reach the server as a bare 500.
  app.use('*', async (_c, next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof Error) throw err;
      throw new Error(`non-Error thrown: ${typeof err}`, { cause: err });
    }
  });
  app.use('*', async (c, next) => {
    const end = metrics.latency.startTimer();
    await next();
    const labels = { route: routeOf(c.req.path), status: String(c.res.status) };
    end(labels);
    metrics.requests.inc(labels);
  });
  app.use('*', secureHeaders());

  app.onError((err, c) => {
    if (err instanceof ProfileStoreUnavailable) {
      deps.log.warn('profile store unavailable', { store: err.store, error: err.message });
      err = new QueryError(503, err.code, 'profiles are temporarily unavailable; retry later', {
        retryAfterSec: UNAVAILABLE_RETRY_AFTER_SEC,
        cause: err,
      });
    }
    if (err instanceof QueryError) return errorResponse(c, err, 'pulse-query');
    return internalErrorResponse(c, err, deps.log);
  });

  // Answered, not thrown: a thrown 404 would leave the middlewares (security headers) behind.
  app.notFound((c) => errorResponse(c, new QueryError(404, 'NOT_FOUND', 'no such route'), 'pulse-query'));

  app.get('/healthz', (c) => c.json({ status: 'ok' } satisfies HealthBody));
  app.use('/metrics', metricsGuard(deps.metricsToken));
  app.get('/metrics', async (c) =>
    c.text(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }),
  );
  app.get('/api/v1/openapi.json', (c) => c.body(openapi, 200, { 'Content-Type': 'application/json' }));

  // Personal data: never stored by shared caches, revalidated by private ones (errors included).
  /** Who is asking (401 if nobody), within their request budget (429 beyond it). */
  const authenticate = async (c: Context): Promise<Principal> => {
    const header = c.req.header('authorization');
    const principal = await deps.auth.authenticate(header);
    if (deps.rateLimiter) {
      const key =
        principal.kind === 'user'
          ? `user:${principal.userId}`
          : `key:${createHash('sha256')
              .update(header ?? '')
              .digest('base64url')}`;
      const taken = deps.rateLimiter.take(key);
      if (!taken.allowed)
        throw new QueryError(429, 'RATE_LIMITED', 'too many requests for this credential', {
          retryAfterSec: Math.max(1, Math.ceil(taken.retryAfterMs / 1000)),
        });
    }
    return principal;
  };

  const privateCache = async (c: Context, next: Next) => {
    await next();
    c.header('Cache-Control', 'private, max-age=0');
    c.header('Vary', 'Authorization');
  };
  app.use('/api/v1/users/*', privateCache);
  app.use(PERSONALIZE_ROUTE, privateCache);

  app.get('/api/v1/users/:userId/profile', async (c) => {
    const principal = await authenticate(c);
    const parsed = UserIdParam.safeParse(c.req.param('userId'));
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ path: 'userId', message: i.message }));
      throw new QueryError(400, 'INVALID_USER_ID', errors.map((e) => e.message).join('; '), { errors });
    }
    const userId = parsed.data;
    deps.auth.authorize(principal, userId);
    const found = await deps.profiles.get(userId);
    if (!found) throw new QueryError(404, 'PROFILE_NOT_FOUND', `no profile for user "${userId}"`);
    // The documented body or nothing: a snapshot that is not the model (an older writer, a bad
    // migration) is the server's fault, answered 500 and logged, never served as it is.
    const profile = profileOf(found, deps.log);
    if (!profile) throw new QueryError(500, 'PROFILE_INVALID', 'the stored profile cannot be read');
    return c.json({
      userId: found.userId,
      version: found.version,
      updatedAt: found.updatedAt,
      profile: profile.profile,
    });
  });

  const now = deps.now ?? Date.now;
  const trendingMs = deps.trendingTimeoutMs ?? TRENDING_TIMEOUT_MS;
  app.get(PERSONALIZE_ROUTE, async (c) => {
    const principal = await authenticate(c);
    const parsed = PersonalizeQuery.safeParse(c.req.queries());
    if (!parsed.success) throw invalidParameters(parsed.error.issues);
    const q = parsed.data;
    deps.auth.authorize(principal, q.userId);
    if (!deps.catalogue.loaded)
      throw new QueryError(503, 'CATALOGUE_LOADING', 'the event catalogue is still loading; retry later', {
        retryAfterSec: UNAVAILABLE_RETRY_AFTER_SEC,
      });
    const profile = profileOf(await deps.profiles.get(q.userId), deps.log);
    let plan: FeedPlan;
    try {
      plan = planFeed({
        profile,
        catalogue: deps.catalogue,
        now: now(),
        params: {
          userId: q.userId,
          limit: q.limit,
          city: q.city,
          lat: q.lat,
          lon: q.lon,
          radiusKm: q.radiusKm,
          categories: q.category,
          fromMs: q.from,
          toMs: q.to,
          maxPrice: q.maxPrice,
          cursor: q.cursor,
        },
      });
    } catch (err) {
      if (!(err instanceof InvalidCursorError)) throw err;
      throw invalidParameters([{ path: ['cursor'], message: err.message }]);
    }
    const trending: TrendingResults = await Promise.all(
      plan.trendingCities.map(async (city) => {
        try {
          return { city, items: await bounded(deps.trending.top(city, TRENDING_DEPTH), trendingMs) };
        } catch (err) {
          deps.log.warn('trending source failed; ranking without popularity', {
            city,
            error: (err as Error).message,
          });
          return { city, items: [] };
        }
      }),
    );
    return c.json(rankFeed(plan, trending) satisfies PersonalizeBody);
  });

  // Catalogue search: the public catalogue, but behind the same credentials as the rest.
  const authenticated = async (c: Context, next: Next) => {
    await authenticate(c);
    await next();
  };
  app.use(EVENTS_ROUTE, authenticated);
  app.use(`${EVENTS_ROUTE}/*`, authenticated);
  app.route('/', searchRoutes({ events: deps.events }));

  return app;
}

/** Resolves like `p`, or rejects after `ms`. */
function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  p.catch(() => undefined);
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The snapshot's profile when it has the model's shape; else (logged) none: the cold-start feed. */
function profileOf(found: VersionedProfile | undefined, log: Logger) {
  if (!found) return undefined;
  const parsed = Profile.safeParse(found.profile);
  if (parsed.success) return { version: found.version, profile: parsed.data };
  log.warn('profile snapshot does not match the model; serving the cold-start feed', {
    userId: found.userId,
    version: found.version,
    error: parsed.error.issues[0]?.message,
  });
  return undefined;
}

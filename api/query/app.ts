/**
 * The query API as a Hono app built from injected dependencies (no Redis, no PostgreSQL, no env):
 *
 * - `GET /api/v1/users/{userId}/profile`: the user's latest profile snapshot
 *   `{userId, version, updatedAt, profile}`; service keys read anyone, user tokens only themselves.
 *   `Cache-Control: private, max-age=0`.
 * - `GET /api/v1/openapi.json`: the OpenAPI 3.1 document (no authentication).
 * - `GET /healthz` and `GET /metrics`: no authentication.
 *
 * Errors are one type ({@link QueryError}) rendered by one `onError` as
 * `{error: {code, message, errors?: [{path, message}]}}`; a profile store that is down becomes a 503
 * with Retry-After; unexpected errors become a logged 500.
 */
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from '../../runtime/index.ts';
import type { QueryAuth } from './auth.ts';
import { ProfileStoreUnavailable, QueryError } from './errors.ts';
import { UserIdParam, type ErrorBody, type HealthBody } from './http-schemas.ts';
import { createQueryMetrics, type QueryMetrics } from './metrics.ts';
import { buildOpenApiDocument } from './openapi.ts';
import type { ProfileSource } from './profile-source.ts';

/** Retry-After (seconds) when a profile store did not answer. */
export const UNAVAILABLE_RETRY_AFTER_SEC = 2;

export const PROFILE_ROUTE = '/api/v1/users/{userId}/profile';

export interface QueryAppDeps {
  profiles: ProfileSource;
  auth: QueryAuth;
  log: Logger;
  metrics?: QueryMetrics;
}

const STATIC_ROUTES = new Set(['/api/v1/openapi.json', '/healthz', '/metrics']);
const PROFILE_PATH = /^\/api\/v1\/users\/[^/]+\/profile$/;

const routeOf = (path: string) =>
  STATIC_ROUTES.has(path) ? path : PROFILE_PATH.test(path) ? PROFILE_ROUTE : 'other';

export function createQueryApp(deps: QueryAppDeps): Hono {
  const metrics = deps.metrics ?? createQueryMetrics();
  const openapi = JSON.stringify(buildOpenApiDocument());
  const app = new Hono();

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
    if (err instanceof QueryError) {
      const body: ErrorBody = {
        error: {
          code: err.code,
          message: err.message,
          ...(err.extra.errors && { errors: err.extra.errors }),
        },
      };
      if (err.extra.retryAfterSec !== undefined) c.header('Retry-After', String(err.extra.retryAfterSec));
      if (err.status === 401) c.header('WWW-Authenticate', 'Bearer realm="pulse-query"');
      return c.json(body, err.status);
    }
    deps.log.error('unexpected error', { error: err.message, stack: err.stack });
    const body: ErrorBody = { error: { code: 'INTERNAL', message: 'internal error' } };
    return c.json(body, 500);
  });

  app.notFound(() => {
    throw new QueryError(404, 'NOT_FOUND', 'no such route');
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' } satisfies HealthBody));
  app.get('/metrics', async (c) =>
    c.text(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }),
  );
  app.get('/api/v1/openapi.json', (c) => c.body(openapi, 200, { 'Content-Type': 'application/json' }));

  // Personal data: never stored by shared caches, revalidated by private ones (errors included).
  app.use('/api/v1/users/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'private, max-age=0');
    c.header('Vary', 'Authorization');
  });

  app.get('/api/v1/users/:userId/profile', async (c) => {
    const principal = await deps.auth.authenticate(c.req.header('authorization'));
    const parsed = UserIdParam.safeParse(c.req.param('userId'));
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ path: 'userId', message: i.message }));
      throw new QueryError(400, 'INVALID_USER_ID', errors.map((e) => e.message).join('; '), { errors });
    }
    const userId = parsed.data;
    deps.auth.authorize(principal, userId);
    const found = await deps.profiles.get(userId);
    if (!found) throw new QueryError(404, 'PROFILE_NOT_FOUND', `no profile for user "${userId}"`);
    return c.json({
      userId: found.userId,
      version: found.version,
      updatedAt: found.updatedAt,
      profile: found.profile,
    });
  });

  return app;
}

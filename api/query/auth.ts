/**
 * Who is calling the query API, and may they read a given user's data?
 *
 * - A **service key** (one of `PULSE_API_KEYS`) may read any user.
 * - A **user token** (JWT, HS256, signed with `PULSE_JWT_SECRET`, `sub` = userId, `exp` required and
 *   checked) may read only its own user.
 *
 * Both arrive as `Authorization: Bearer <credential>`. Missing, malformed, unknown, badly signed or
 * expired credentials are 401; a valid credential reading someone else's data is 403.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { verify } from 'hono/jwt';
import type { Logger } from '../../runtime/index.ts';
import { QueryConfigError, QueryError } from './errors.ts';

/** Accepted outside production only, documented in docs/api.md. */
export const DEV_API_KEY = 'dev-api-key';

export type Principal = { kind: 'service' } | { kind: 'user'; userId: string };

export interface QueryAuthConfig {
  /** Accepted service keys (already resolved: see resolveQueryAuth). */
  keys: readonly string[];
  /** HS256 secret for user tokens; without it, only service keys are accepted. */
  jwtSecret?: string;
}

export interface QueryAuth {
  /** Resolves the caller from the `Authorization` header, or throws a 401 {@link QueryError}. */
  authenticate(authorization: string | undefined): Promise<Principal>;
  /** Throws a 403 {@link QueryError} unless `principal` may read `userId`'s data. */
  authorize(principal: Principal, userId: string): void;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const unauthenticated = (message: string, cause?: unknown) =>
  new QueryError(401, 'UNAUTHENTICATED', message, { cause });

export function createQueryAuth(config: QueryAuthConfig): QueryAuth {
  const keyDigests = config.keys.map(digest);
  const secret = config.jwtSecret || undefined;

  const verifyToken = async (token: string): Promise<Principal> => {
    if (!secret) throw unauthenticated('user tokens are not accepted by this server');
    let payload: Awaited<ReturnType<typeof verify>>;
    try {
      payload = await verify(token, secret, { alg: 'HS256' });
    } catch (err) {
      const expired = err instanceof Error && err.name === 'JwtTokenExpired';
      throw unauthenticated(expired ? 'token expired' : 'invalid token', err);
    }
    if (typeof payload.exp !== 'number') throw unauthenticated('invalid token: exp is required');
    if (typeof payload.sub !== 'string' || payload.sub.length === 0)
      throw unauthenticated('invalid token: sub must name the user');
    return { kind: 'user', userId: payload.sub };
  };

  return {
    async authenticate(authorization) {
      const m = authorization !== undefined ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
      if (!m) throw unauthenticated('send "Authorization: Bearer <key or token>"');
      const credential = m[1]!;
      const d = digest(credential);
      // Compare against every key (no early exit) so timing does not tell how many keys matched.
      let isKey = false;
      for (const k of keyDigests) isKey = timingSafeEqual(k, d) || isKey;
      if (isKey) return { kind: 'service' };
      if (JWT_SHAPE.test(credential)) return verifyToken(credential);
      throw unauthenticated('unknown API key');
    },

    authorize(principal, userId) {
      if (principal.kind === 'service') return;
      if (principal.userId !== userId)
        throw new QueryError(403, 'FORBIDDEN', "a user token may read only its own user's data");
    },
  };
}

/**
 * The credentials the API accepts. In production at least one key or a JWT secret is required;
 * elsewhere the development key is accepted too, and a warning says so.
 */
export function resolveQueryAuth(
  configuredKeys: string | undefined,
  jwtSecret: string | undefined,
  nodeEnv: 'development' | 'production' | 'test',
  log: Logger,
): QueryAuthConfig {
  const keys = (configuredKeys ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const secret = jwtSecret?.trim() ? jwtSecret : undefined;
  if (nodeEnv === 'production') {
    if (keys.length === 0 && !secret)
      throw new QueryConfigError(
        'PULSE_API_KEYS and PULSE_JWT_SECRET are both empty: in production (NODE_ENV=production) the query API needs at least one of them',
      );
    return { keys, jwtSecret: secret };
  }
  log.warn(
    `NODE_ENV=${nodeEnv}: the development API key "${DEV_API_KEY}" is accepted; never use it in production`,
  );
  return { keys: keys.includes(DEV_API_KEY) ? keys : [...keys, DEV_API_KEY], jwtSecret: secret };
}

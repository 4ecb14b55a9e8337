/**
 * Where the query API reads profiles: Redis first (the serving copy), PostgreSQL when Redis has no
 * snapshot (e.g. evicted or never written), writing what PostgreSQL returned back to Redis through
 * the sink's version-safe `write`, so a concurrent newer update is never overwritten.
 *
 * Every store call is bounded by a short timeout: a Redis (or PostgreSQL) that is down or stuck
 * surfaces as {@link ProfileStoreUnavailable} (the app answers 503) rather than as a hung request,
 * an empty answer or a 500. A failed write-back is logged and does not fail the read.
 */
import type { Logger } from '../../runtime/index.ts';
import type { VersionedProfile } from '../../state/index.ts';
import { ProfileStoreUnavailable } from './errors.ts';

/** What the app needs: the latest snapshot of a user, or undefined for an unknown user. */
export interface ProfileSource {
  get(userId: string): Promise<VersionedProfile | undefined>;
}

export interface ProfileSourceDeps {
  /** The serving store (a RedisProfileStore). */
  redis: {
    get(userId: string): Promise<VersionedProfile | undefined>;
    write(batch: VersionedProfile[]): Promise<number>;
  };
  /** The system of record (a PgProfileStore). */
  postgres: { get(userId: string): Promise<VersionedProfile | undefined> };
  log: Logger;
  /** Bound on each Redis command; default {@link REDIS_TIMEOUT_MS}. */
  redisTimeoutMs?: number;
  /** Bound on each PostgreSQL query; default {@link POSTGRES_TIMEOUT_MS}. */
  postgresTimeoutMs?: number;
}

export const REDIS_TIMEOUT_MS = 300;
export const POSTGRES_TIMEOUT_MS = 2000;

class Timeout extends Error {}

/** Resolves like `p`, or rejects with {@link Timeout} after `ms`; a late rejection of `p` is swallowed. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms);
  });
  p.catch(() => undefined);
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function createProfileSource(deps: ProfileSourceDeps): ProfileSource {
  const redisMs = deps.redisTimeoutMs ?? REDIS_TIMEOUT_MS;
  const pgMs = deps.postgresTimeoutMs ?? POSTGRES_TIMEOUT_MS;

  const unavailable = (store: 'redis' | 'postgres', err: unknown) =>
    new ProfileStoreUnavailable(store, `${store} unavailable: ${(err as Error).message}`, { cause: err });

  return {
    async get(userId) {
      let cached: VersionedProfile | undefined;
      try {
        cached = await withTimeout(deps.redis.get(userId), redisMs);
      } catch (err) {
        throw unavailable('redis', err);
      }
      if (cached) return cached;

      let stored: VersionedProfile | undefined;
      try {
        stored = await withTimeout(deps.postgres.get(userId), pgMs);
      } catch (err) {
        throw unavailable('postgres', err);
      }
      if (!stored) return undefined;

      try {
        await withTimeout(deps.redis.write([stored]), redisMs);
      } catch (err) {
        deps.log.warn('profile write-back to redis failed', { userId, error: (err as Error).message });
      }
      return stored;
    },
  };
}

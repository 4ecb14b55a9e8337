/**
 * Starts the query API: resolves credentials, opens Redis and PostgreSQL, starts following the event
 * catalogue in the background (feeds answer 503 until it is loaded; the profile route does not
 * wait), listens. `close()` (or
 * aborting `signal`) stops accepting requests, waits for those in flight, then closes the stores and
 * the catalogue consumer; it
 * is idempotent.
 */
import { listen } from '../http-server.ts';
import type { Logger } from '../../runtime/index.ts';
import {
  createPool,
  migrateOnce,
  PgCatalogQuality,
  PgEventStore,
  PgProfileStore,
  RedisProfileStore,
  RedisTrendingStore,
} from '../../state/index.ts';
import { createTokenBucket } from '../rate-limit.ts';
import { createQueryApp } from './app.ts';
import { createQueryAuth, resolveQueryAuth } from './auth.ts';
import { CatalogueIndex, followCatalogue, type CatalogueFollower } from './catalogue.ts';
import { cachedTrending, type TrendingSource } from './feed.ts';
import { createQueryMetrics, registerCatalogQualityMetrics } from './metrics.ts';
import { createProfileSource } from './profile-source.ts';

export interface QueryServerOptions {
  port: number;
  hostname?: string;
  redisUrl: string;
  databaseUrl: string;
  /** Prefix of the Redis keys (`<namespace>profile:<userId>`), as the profile sinks write them. */
  namespace: string;
  keys: string | undefined;
  jwtSecret: string | undefined;
  nodeEnv: 'development' | 'production' | 'test';
  redisTimeoutMs?: number;
  /** Kafka bootstrap servers, to read the catalogue from. */
  brokers: string[];
  /** The compacted catalogue topic (`<namespace>events-catalog`). */
  catalogTopic: string;
  /** Trending counts per city; default: the trending job's counts in Redis. */
  trending?: TrendingSource;
  /** `PULSE_METRICS_TOKEN`: restricts `/metrics`. */
  metricsToken?: string | undefined;
  /** Requests per second and burst per credential (`PULSE_API_RATE_PER_SEC`, `PULSE_API_BURST`). */
  rateLimit?: { ratePerSec: number; burst: number } | undefined;
  log: Logger;
  signal?: AbortSignal;
}

/** Delay between attempts to start following the catalogue (e.g. while Kafka is unreachable). */
export const CATALOGUE_RETRY_MS = 5000;
/** How long close() waits for a catalogue start still in progress. */
const CATALOGUE_CLOSE_WAIT_MS = 2000;

/**
 * Follows the catalogue in the background, retrying the start until it succeeds, so that the profile
 * route serves even while Kafka is unreachable (feeds answer 503 until the catalogue is loaded).
 */
function followCatalogueUntilClosed(
  opts: QueryServerOptions,
  index: CatalogueIndex,
): { close(): Promise<void> } {
  let stopped = false;
  let follower: CatalogueFollower | undefined;
  let wake: (() => void) | undefined;
  const running = (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        const f = await followCatalogue({
          brokers: opts.brokers,
          topic: opts.catalogTopic,
          index,
          log: opts.log,
        });
        if (stopped) await f.close();
        else follower = f;
        return;
      } catch (err) {
        opts.log.warn('cannot follow the catalogue yet; retrying', {
          topic: opts.catalogTopic,
          attempt,
          error: (err as Error).message,
        });
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, CATALOGUE_RETRY_MS).unref();
        });
      }
    }
  })();
  return {
    async close() {
      stopped = true;
      wake?.();
      // A start stuck on an unreachable broker must not hold shutdown: it closes what it opens late.
      await Promise.race([
        running,
        new Promise((resolve) => setTimeout(resolve, CATALOGUE_CLOSE_WAIT_MS).unref()),
      ]);
      await follower?.close();
    },
  };
}

export interface QueryServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startQueryServer(opts: QueryServerOptions): Promise<QueryServer> {
  const auth = createQueryAuth(resolveQueryAuth(opts.keys, opts.jwtSecret, opts.nodeEnv, opts.log));
  const redis = new RedisProfileStore(opts.redisUrl, opts.namespace);
  const postgres = new PgProfileStore(createPool(opts.databaseUrl, 10), undefined, opts.namespace);
  const eventsPool = createPool(opts.databaseUrl, 5);
  const eventStore = new PgEventStore(eventsPool, opts.namespace);
  const prepareEvents = migrateOnce(eventsPool);
  const catalogue = new CatalogueIndex();
  const catalogueFollower = followCatalogueUntilClosed(opts, catalogue);
  // The trending job's counts in Redis (`<namespace>trending:<city>:p<n>`), unless one is given.
  const ownTrending = opts.trending ? undefined : new RedisTrendingStore(opts.redisUrl, opts.namespace);
  const closeStores = async () => {
    await Promise.allSettled([
      redis.close(),
      postgres.close(),
      eventStore.close(),
      catalogueFollower.close(),
      ownTrending?.close(),
    ]);
  };
  const metrics = createQueryMetrics();
  const quality = new PgCatalogQuality(eventsPool, opts.namespace);
  registerCatalogQualityMetrics(metrics.registry, async () => (await prepareEvents(), quality.report()));
  const app = createQueryApp({
    profiles: createProfileSource({ redis, postgres, log: opts.log, redisTimeoutMs: opts.redisTimeoutMs }),
    auth,
    log: opts.log,
    metrics,
    metricsToken: opts.metricsToken,
    rateLimiter: opts.rateLimit && createTokenBucket({ ...opts.rateLimit, now: () => performance.now() }),
    catalogue,
    trending: cachedTrending(opts.trending ?? ownTrending!),
    // The query API may start before any catalogue job migrated the database.
    events: {
      get: async (id) => (await prepareEvents(), eventStore.get(id)),
      search: async (q) => (await prepareEvents(), eventStore.search(q)),
    },
  });
  return listen({
    name: 'query API',
    fetch: app.fetch,
    port: opts.port,
    hostname: opts.hostname,
    log: opts.log,
    signal: opts.signal,
    release: closeStores,
  });
}

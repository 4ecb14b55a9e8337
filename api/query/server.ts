/**
 * Starts the query API: resolves credentials, opens Redis and PostgreSQL, listens. `close()` (or
 * aborting `signal`) stops accepting requests, waits for those in flight, then closes the stores; it
 * is idempotent.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from '../../runtime/index.ts';
import { createPool, PgProfileStore, RedisProfileStore } from '../../state/index.ts';
import { createQueryApp } from './app.ts';
import { createQueryAuth, resolveQueryAuth } from './auth.ts';
import { createQueryMetrics } from './metrics.ts';
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
  log: Logger;
  signal?: AbortSignal;
}

export interface QueryServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startQueryServer(opts: QueryServerOptions): Promise<QueryServer> {
  const auth = createQueryAuth(resolveQueryAuth(opts.keys, opts.jwtSecret, opts.nodeEnv, opts.log));
  const redis = new RedisProfileStore(opts.redisUrl, opts.namespace);
  const postgres = new PgProfileStore(createPool(opts.databaseUrl, 10));
  const closeStores = async () => {
    await Promise.allSettled([redis.close(), postgres.close()]);
  };
  const app = createQueryApp({
    profiles: createProfileSource({ redis, postgres, log: opts.log, redisTimeoutMs: opts.redisTimeoutMs }),
    auth,
    log: opts.log,
    metrics: createQueryMetrics(),
  });
  let server: ServerType | undefined;
  let port = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      server = serve({ fetch: app.fetch, port: opts.port, hostname: opts.hostname ?? '0.0.0.0' }, (info) => {
        port = info.port;
        resolve();
      });
      server.once('error', reject);
    });
  } catch (err) {
    await closeStores();
    throw err;
  }
  opts.log.info('query API listening', { port });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        // Keep-alive connections would otherwise hold close() open until they time out.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
      await closeStores();
      opts.log.info('query API stopped', { port });
    })());
  opts.signal?.addEventListener('abort', () => void close(), { once: true });
  if (opts.signal?.aborted) await close();
  return { port, close };
}

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.ts';
import { createPool, migrate, PgProfileStore, RedisProfileStore } from '../../state/index.ts';
import { ProfileStoreUnavailable } from './errors.ts';
import { createProfileSource } from './profile-source.ts';

const cfg = loadConfig();
const tag = `it-query-${Date.now().toString(36)}`;
const namespace = `${tag}-`;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const snapshot = (userId: string, version: number) => ({
  userId,
  version,
  updatedAt: 1_714_060_800_000 + version,
  profile: { totalEvents: version, home: 'berlin' },
});

let redis: RedisProfileStore;
let postgres: PgProfileStore;

beforeAll(async () => {
  const c = new pg.Client({ connectionString: cfg.databaseUrl });
  await c.connect();
  await migrate(c);
  await c.end();
  redis = new RedisProfileStore(cfg.redisUrl, namespace);
  postgres = new PgProfileStore(createPool(cfg.databaseUrl, 2), undefined, namespace);
});

afterAll(async () => {
  const c = new pg.Client({ connectionString: cfg.databaseUrl });
  await c.connect();
  await c.query('delete from user_profiles where namespace = $1', [namespace]);
  await c.end();
  const { Redis } = await import('ioredis');
  const r = new Redis(cfg.redisUrl);
  const keys = await r.keys(`${namespace}*`);
  if (keys.length) await r.del(...keys);
  await r.quit();
  await redis?.close();
  await postgres?.close();
});

describe('profile source against real Redis and PostgreSQL', () => {
  it('serves a profile found only in PostgreSQL and writes it back to Redis', async () => {
    const userId = `${tag}-pg-only`;
    await postgres.write([snapshot(userId, 4)]);
    expect(await redis.get(userId)).toBeUndefined();

    const source = createProfileSource({ redis, postgres, log: quiet });
    expect(await source.get(userId)).toEqual(snapshot(userId, 4));
    expect(await redis.get(userId)).toEqual(snapshot(userId, 4));
  });

  it('prefers Redis, and the write-back never replaces a newer Redis version', async () => {
    const userId = `${tag}-both`;
    await postgres.write([snapshot(userId, 2)]);
    await redis.write([snapshot(userId, 5)]);
    const source = createProfileSource({ redis, postgres, log: quiet });
    expect((await source.get(userId))?.version).toBe(5);
    // Write-back of the older PostgreSQL row is refused by the version check.
    expect(await redis.write([snapshot(userId, 2)])).toBe(0);
    expect((await redis.get(userId))?.version).toBe(5);
  });

  it('answers undefined for a user in neither store', async () => {
    const source = createProfileSource({ redis, postgres, log: quiet });
    expect(await source.get(`${tag}-nobody`)).toBeUndefined();
  });

  it('reports Redis unavailable quickly when Redis does not answer', async () => {
    const down = new RedisProfileStore('redis://127.0.0.1:1', namespace);
    try {
      const source = createProfileSource({ redis: down, postgres, log: quiet, redisTimeoutMs: 200 });
      const started = Date.now();
      const err = await source.get(`${tag}-pg-only`).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ProfileStoreUnavailable);
      expect((err as ProfileStoreUnavailable).store).toBe('redis');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await down.close();
    }
  });
});

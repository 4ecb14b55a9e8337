import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../cli/config.ts';
import { migrate } from '../postgres/migrator.ts';
import { createPool } from '../postgres/pool.ts';
import { PgProfileStore } from './pg-profiles.ts';
import type { ProfileSink } from './profile-sink.ts';
import { RedisProfileStore } from './redis-profiles.ts';

const cfg = loadConfig();
const tag = `it-${Date.now().toString(36)}`;

let pgStore: PgProfileStore;
let redisStore: RedisProfileStore;

beforeAll(async () => {
  const c = new pg.Client({ connectionString: cfg.databaseUrl });
  await c.connect();
  await migrate(c);
  await c.end();
  pgStore = new PgProfileStore(createPool(cfg.databaseUrl, 2));
  redisStore = new RedisProfileStore(cfg.redisUrl, `${tag}:`);
});

afterAll(async () => {
  const c = new pg.Client({ connectionString: cfg.databaseUrl });
  await c.connect();
  await c.query('delete from user_profiles where user_id like $1 or namespace like $1', [`${tag}%`]);
  await c.end();
  await pgStore.close();
  await redisStore.close();
});

describe.each<[string, () => ProfileSink]>([
  ['Redis (Lua compare-and-set)', () => redisStore],
  ['PostgreSQL (versioned upsert)', () => pgStore],
])('profile sink: %s', (_name, sink) => {
  it('writes a batch, keeps the newest version, and ignores older or repeated writes', async () => {
    const s = sink();
    const batch = Array.from({ length: 100 }, (_, i) => ({
      userId: `${tag}-u${i}`,
      version: 2,
      updatedAt: 1000 + i,
      profile: { i },
    }));
    expect(await s.write(batch)).toBe(100);
    expect(await s.write(batch)).toBe(0); // the same batch again (a replay) changes nothing
    expect(await s.write([{ userId: `${tag}-u1`, version: 1, updatedAt: 5, profile: { old: true } }])).toBe(
      0,
    );
    expect(await s.write([{ userId: `${tag}-u2`, version: 3, updatedAt: 7, profile: { newer: true } }])).toBe(
      1,
    );
    expect(await s.get(`${tag}-u1`)).toEqual({
      userId: `${tag}-u1`,
      version: 2,
      updatedAt: 1001,
      profile: { i: 1 },
    });
    expect((await s.get(`${tag}-u2`))?.profile).toEqual({ newer: true });
    expect(await s.get(`${tag}-nobody`)).toBeUndefined();
  });
});

describe('profile sinks in different namespaces', () => {
  it('keep separate rows and versions for the same user id', async () => {
    const pool = createPool(cfg.databaseUrl, 2);
    const a = new PgProfileStore(pool, undefined, `${tag}-a:`);
    const b = new PgProfileStore(createPool(cfg.databaseUrl, 2), undefined, `${tag}-b:`);
    try {
      const u = `${tag}-shared`;
      expect(await a.write([{ userId: u, version: 9, updatedAt: 1, profile: { ns: 'a' } }])).toBe(1);
      // A lower version in another namespace is a different row, not a stale write.
      expect(await b.write([{ userId: u, version: 3, updatedAt: 2, profile: { ns: 'b' } }])).toBe(1);
      expect((await a.get(u))?.profile).toEqual({ ns: 'a' });
      expect(await b.get(u)).toEqual({ userId: u, version: 3, updatedAt: 2, profile: { ns: 'b' } });
      expect(await pgStore.get(u)).toBeUndefined(); // the default (empty) namespace has no such row
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('rebuilding a serving copy', () => {
  it('Redis keeps one generation until its data is lost; PostgreSQL lists a namespace in pages', async () => {
    const ns = `${tag}-gen:`;
    const redis = new RedisProfileStore(cfg.redisUrl, ns);
    const pg = new PgProfileStore(createPool(cfg.databaseUrl, 2), undefined, ns);
    const raw = new Redis(cfg.redisUrl);
    try {
      const first = await redis.generation();
      expect(first.created).toBe(true);
      expect(await redis.generation()).toEqual({ id: first.id, created: false });
      await redis.write([{ userId: 'u', version: 1, updatedAt: 1, profile: {} }]);
      // Losing the data (here: deleting the keys) loses the generation with it.
      await raw.del(redis.key('u'), redis.generationKey);
      const second = await redis.generation();
      expect(second.created).toBe(true);
      expect(second.id).not.toBe(first.id);

      const rows = Array.from({ length: 5 }, (_, i) => ({
        userId: `u${i}`,
        version: i + 1,
        updatedAt: 1000 + i,
        profile: { i },
      }));
      await pg.write(rows);
      const page1 = await pg.scan('', 3);
      const page2 = await pg.scan(page1[page1.length - 1]!.userId, 3);
      expect([...page1, ...page2]).toEqual(rows);
      expect(await pg.scan('u4', 3)).toEqual([]);
    } finally {
      await raw.del(redis.generationKey);
      await raw.quit();
      await redis.close();
      await pg.close();
    }
  });
});

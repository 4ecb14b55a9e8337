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
  await c.query('delete from user_profiles where user_id like $1', [`${tag}%`]);
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

import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.ts';

const config = loadConfig();
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });

describe('Redis round trip', () => {
  afterAll(() => redis.quit());

  it('writes, reads, expires and deletes a key', async () => {
    const key = `it:round-trip:${process.pid}:${Date.now()}`;
    await redis.set(key, JSON.stringify({ hello: 'world' }), 'PX', 60_000);
    expect(JSON.parse((await redis.get(key))!)).toEqual({ hello: 'world' });
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    expect(await redis.del(key)).toBe(1);
    expect(await redis.get(key)).toBeNull();
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../cli/config.ts';
import { RedisTrendingStore } from './redis-trending.ts';

const cfg = loadConfig();
const prefix = `it-trending-${Date.now().toString(36)}-${process.pid}:`;

let raw: Redis;
let store: RedisTrendingStore;

beforeAll(async () => {
  raw = new Redis(cfg.redisUrl, { maxRetriesPerRequest: 2 });
  await raw.ping(); // fails loudly when Redis is down
  store = new RedisTrendingStore(cfg.redisUrl, prefix);
});

afterAll(async () => {
  const keys = await raw.keys(`${prefix}*`);
  if (keys.length) await raw.del(...keys);
  expect(await raw.keys(`${prefix}*`)).toEqual([]);
  await store.close();
  await store.close(); // safe twice
  raw.disconnect();
});

describe('RedisTrendingStore', () => {
  it('sums the partitions of a city and returns the top items, highest first', async () => {
    await store.writePartition('Berlin', 0, [
      { eventId: 'e1', count: 5 },
      { eventId: 'e2', count: 1 },
      { eventId: 'e3', count: 2 },
    ]);
    await store.writePartition('Berlin', 3, [
      { eventId: 'e2', count: 7 },
      { eventId: 'e4', count: 2 },
    ]);
    await store.writePartition('Paris', 1, [{ eventId: 'e9', count: 4 }]);
    expect(await store.top('Berlin', 10)).toEqual([
      { eventId: 'e2', score: 8 },
      { eventId: 'e1', score: 5 },
      { eventId: 'e3', score: 2 },
      { eventId: 'e4', score: 2 },
    ]);
    expect(await store.top('Berlin', 2)).toEqual([
      { eventId: 'e2', score: 8 },
      { eventId: 'e1', score: 5 },
    ]);
    expect(await store.top('Paris', 10)).toEqual([{ eventId: 'e9', score: 4 }]);
    expect(await store.top('Nowhere', 10)).toEqual([]);
    expect(await store.top('Berlin', 0)).toEqual([]);
    expect(await store.cities()).toEqual(['Berlin', 'Paris']);
    expect(await raw.zscore(store.partitionKey('Berlin', 3), 'e2')).toBe('7');
  });

  it('writes absolute values: repeating a batch changes nothing, and a zero count removes the item', async () => {
    const batch = [
      { eventId: 'a', count: 3 },
      { eventId: 'b', count: 1 },
    ];
    await store.writePartition('Lyon', 0, batch);
    await store.writePartition('Lyon', 0, batch);
    expect(await store.top('Lyon', 5)).toEqual([
      { eventId: 'a', score: 3 },
      { eventId: 'b', score: 1 },
    ]);
    await store.writePartition('Lyon', 0, [
      { eventId: 'a', count: 0 },
      { eventId: 'b', count: 2 },
    ]);
    expect(await store.top('Lyon', 5)).toEqual([{ eventId: 'b', score: 2 }]);
    expect(await raw.zcard(store.partitionKey('Lyon', 0))).toBe(1);
    await store.writePartition('Lyon', 0, [{ eventId: 'b', count: 0 }]);
    expect(await store.top('Lyon', 5)).toEqual([]);
    expect(await raw.exists(store.partitionKey('Lyon', 0))).toBe(0);
  });

  it('writes large batches in chunks, atomically', async () => {
    const entries = Array.from({ length: 2500 }, (_, i) => ({ eventId: `x${i}`, count: i + 1 }));
    await store.writePartition('Madrid', 2, entries);
    expect(await raw.zcard(store.partitionKey('Madrid', 2))).toBe(2500);
    expect(await store.top('Madrid', 3)).toEqual([
      { eventId: 'x2499', score: 2500 },
      { eventId: 'x2498', score: 2499 },
      { eventId: 'x2497', score: 2498 },
    ]);
    await expect(store.writePartition('Madrid', -1, entries)).rejects.toThrow(RangeError);
  });
});

import { Redis } from 'ioredis';

/** One item's partial count, as written by one task. */
export interface TrendingEntry {
  eventId: string;
  count: number;
}

/** One item's count summed over every partition. */
export interface TrendingScore {
  eventId: string;
  score: number;
}

/** What the `trending` job writes to: per-(city, partition) absolute partial counts. */
export interface TrendingSink {
  writePartition(city: string, partition: number, entries: TrendingEntry[]): Promise<void>;
  close(): Promise<void>;
}

const CHUNK = 1000;

/**
 * Trending counts in Redis, written per input partition and summed when read, so no repartition
 * topic is needed: each task of the `trending` job owns the partial counts of its partition.
 *
 * Keys (`<prefix>` is the namespace, empty in production):
 * - `<prefix>trending:<city>:p<partition>`: sorted set, member = eventId, score = the partition's
 *   count over the window. Written with absolute values (ZADD, ZREM for 0), so writing the same
 *   batch again after a crash or replay changes nothing.
 * - `<prefix>trending:<city>:partitions`: set of the partitions that ever wrote for the city.
 * - `<prefix>trending:cities`: set of the cities seen.
 *
 * {@link top} reads the union of a city's partition sets with ZUNION ... AGGREGATE SUM (Redis 6.2+)
 * and sorts it on the client: exact top-N needs every partition's full set (per-partition top-Ns
 * can miss an item that is moderately popular everywhere); a city holds a few thousand items at most.
 */
export class RedisTrendingStore implements TrendingSink {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = '',
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
    this.redis.on('error', () => undefined); // surfaced by the failing command instead
  }

  partitionKey(city: string, partition: number): string {
    return `${this.prefix}trending:${city}:p${partition}`;
  }

  private partitionsKey(city: string): string {
    return `${this.prefix}trending:${city}:partitions`;
  }

  private citiesKey(): string {
    return `${this.prefix}trending:cities`;
  }

  /**
   * Sets the partition's counts for these items (absolute values; a count <= 0 removes the item),
   * atomically (MULTI). Items not listed keep their count.
   */
  async writePartition(city: string, partition: number, entries: TrendingEntry[]): Promise<void> {
    if (!Number.isInteger(partition) || partition < 0) throw new RangeError(`bad partition ${partition}`);
    if (entries.length === 0) return;
    const key = this.partitionKey(city, partition);
    const m = this.redis.multi();
    const zadd: Array<string | number> = [];
    const zrem: string[] = [];
    for (const e of entries) {
      if (e.count > 0) zadd.push(e.count, e.eventId);
      else zrem.push(e.eventId);
    }
    for (let i = 0; i < zadd.length; i += 2 * CHUNK) m.zadd(key, ...zadd.slice(i, i + 2 * CHUNK));
    for (let i = 0; i < zrem.length; i += CHUNK) m.zrem(key, ...zrem.slice(i, i + CHUNK));
    m.sadd(this.partitionsKey(city), String(partition));
    m.sadd(this.citiesKey(), city);
    const results = await m.exec();
    if (!results) throw new Error('trending write aborted');
    for (const [err] of results) if (err) throw err;
  }

  /** The `limit` items with the highest count summed over the city's partitions (ties by eventId). */
  async top(city: string, limit: number): Promise<TrendingScore[]> {
    if (!(limit > 0)) return [];
    const parts = await this.redis.smembers(this.partitionsKey(city));
    if (parts.length === 0) return [];
    const keys = parts.map((p) => this.partitionKey(city, Number(p)));
    const flat = (await this.redis.call(
      'ZUNION',
      keys.length,
      ...keys,
      'AGGREGATE',
      'SUM',
      'WITHSCORES',
    )) as string[];
    const out: TrendingScore[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const score = Number(flat[i + 1]);
      if (score > 0) out.push({ eventId: flat[i]!, score });
    }
    out.sort((a, b) => b.score - a.score || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    return out.slice(0, limit);
  }

  /** Every city the job has written counts for, sorted. */
  async cities(): Promise<string[]> {
    return (await this.redis.smembers(this.citiesKey())).sort();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

import { z } from 'zod';
import { EnrichedEvent } from '../../model/index.ts';
import { defineJob, RetriableError, SlidingSum, SlidingSumState } from '../../runtime/index.ts';
import type { TrendingEntry, TrendingSink } from '../../state/index.ts';

const HOUR = 3_600_000;
export const TRENDING_WINDOW_MS = 7 * 24 * HOUR;
export const TRENDING_BUCKET_MS = HOUR;

/** The store key of (city, item): unambiguous whatever characters either contains. */
export function trendingKey(city: string, itemId: string): string {
  return JSON.stringify([city, itemId]);
}

function parseKey(key: string): [city: string, itemId: string] {
  return JSON.parse(key) as [string, string];
}

export interface TrendingJobOptions {
  namespace?: string;
  /** Builds the sink (one per worker, shared by its tasks, closed when the last task closes). */
  sink: () => TrendingSink;
  windowMs?: number;
  bucketMs?: number;
  /** How often (wall clock) to look for buckets that left the window. Default 60 s. */
  sweepIntervalMs?: number;
  commitIntervalMs?: number;
}

/**
 * `trending`: interactions per catalogue event per city over a sliding 7-day window (see README.md
 * for the exact metric), from `enriched-events` into Redis sorted sets.
 *
 * The input is keyed by user, and is not repartitioned: each task counts the interactions of its
 * partition (store `counts`, a {@link SlidingSum} keyed by city and item) and writes its partial
 * counts, as absolute values, to its own sorted set per city; readers sum the partitions' sets.
 * Keys whose count changed (by a record, or by a bucket leaving the window) are written at each
 * commit, before the commit point (`flush`), so whatever a commit makes durable is in Redis, and a
 * batch written again after a crash writes the same absolute values.
 */
export function trendingJob(opts: TrendingJobOptions) {
  const ns = opts.namespace ?? '';
  const windowMs = opts.windowMs ?? TRENDING_WINDOW_MS;
  const bucketMs = opts.bucketMs ?? TRENDING_BUCKET_MS;
  const sweepIntervalMs = opts.sweepIntervalMs ?? 60_000;
  let shared: TrendingSink | undefined;
  let open = 0;
  const sink = () => (shared ??= opts.sink());
  return defineJob({
    name: `${ns}trending`,
    description: 'counts interactions per event and city over a sliding 7-day window, into Redis',
    inputs: { events: { topic: `${ns}enriched-events`, schema: EnrichedEvent } },
    stores: {
      counts: { schema: SlidingSumState },
      // `clock`: the task's time (highest record or event timestamp); `late`: records rejected.
      stats: { schema: z.number().int().nonnegative() },
    },
    commitIntervalMs: opts.commitIntervalMs,
    processor: () => {
      open++;
      /** Store keys whose total must be written at the next flush. */
      const dirty = new Set<string>();
      let sum!: SlidingSum;
      let clock = -1;
      let sweptBucket = -1;
      return {
        async init(ctx) {
          // graceMs 0: a bucket is pruned exactly when it leaves the window, so the keys `expire`
          // changes are exactly the keys whose total dropped.
          sum = new SlidingSum(ctx.store('counts'), { windowMs, bucketMs, graceMs: 0 });
          clock = (await ctx.store('stats').get('clock')) ?? -1;
          ctx.schedule(sweepIntervalMs, async () => {
            if (clock < 0 || sum.bucketOf(clock) === sweptBucket) return;
            for (const k of await sum.expire(clock)) dirty.add(k);
            sweptBucket = sum.bucketOf(clock);
          });
        },
        async process(record, ctx) {
          const e = record.value;
          const itemId = e.context.itemId;
          const city = e.enrichment.city;
          if (e.eventType === 'DISMISS' || !itemId || !city || !e.enrichment.itemKnown) return;
          const stats = ctx.store('stats');
          // Stream time, raised by event timestamps ahead of it (clock skew), so no bucket is
          // ever ahead of the time totals are computed at; stored so a restart resumes from it.
          const now = Math.max(clock, ctx.streamTime, e.timestamp);
          if (now > clock) {
            clock = now;
            stats.put('clock', now);
          }
          const key = trendingKey(city, itemId);
          if (await sum.add(key, e.timestamp, 1, now)) dirty.add(key);
          else stats.put('late', ((await stats.get('late')) ?? 0) + 1);
        },
        async flush(ctx) {
          if (dirty.size === 0) return;
          const byCity = new Map<string, Array<TrendingEntry & { key: string }>>();
          for (const key of dirty) {
            const [city, eventId] = parseKey(key);
            let list = byCity.get(city);
            if (!list) byCity.set(city, (list = []));
            list.push({ key, eventId, count: await sum.total(key, clock) });
          }
          for (const [city, list] of byCity) {
            try {
              await sink().writePartition(
                city,
                ctx.partition,
                list.map(({ eventId, count }) => ({ eventId, count })),
              );
            } catch (err) {
              throw new RetriableError(`trending write for ${city} failed: ${(err as Error).message}`, {
                cause: err,
              });
            }
            for (const x of list) dirty.delete(x.key);
          }
        },
        async close() {
          if (--open > 0 || !shared) return;
          const s = shared;
          shared = undefined;
          await s.close().catch(() => undefined);
        },
      };
    },
  });
}

import { describe, expect, it } from 'vitest';
import type { EnrichedEvent, EventType } from '../../model/index.ts';
import { TestDriver } from '../../runtime/testing/index.ts';
import type { TrendingEntry, TrendingSink } from '../../state/index.ts';
import { trendingJob, trendingKey } from './job.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = 1_760_000_000_000 - (1_760_000_000_000 % HOUR);

/** Keeps absolute per-(city, partition) counts like the Redis store, and sums them like `top`. */
class FakeSink implements TrendingSink {
  readonly parts = new Map<string, Map<string, number>>();
  writes = 0;
  failing = false;
  closed = 0;
  writePartition(city: string, partition: number, entries: TrendingEntry[]): Promise<void> {
    if (this.failing) return Promise.reject(new Error('connection refused'));
    this.writes++;
    const k = `${city}|${partition}`;
    const m = this.parts.get(k) ?? new Map<string, number>();
    for (const e of entries) {
      if (e.count > 0) m.set(e.eventId, e.count);
      else m.delete(e.eventId);
    }
    this.parts.set(k, m);
    return Promise.resolve();
  }
  top(city: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, m] of this.parts) {
      if (!k.startsWith(`${city}|`)) continue;
      for (const [id, n] of m) out[id] = (out[id] ?? 0) + n;
    }
    return out;
  }
  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

let seq = 0;
function ev(
  userId: string,
  itemId: string | undefined,
  city: string | null,
  timestamp: number,
  type: EventType = 'VIEW',
  itemKnown = true,
): EnrichedEvent {
  return {
    eventId: `ev-${++seq}`,
    userId,
    eventType: type,
    timestamp,
    context: itemId === undefined ? {} : { itemId },
    enrichment: {
      categories: ['music'],
      subcategory: null,
      deviceType: 'MOBILE',
      geoRegion: 'EMEA',
      city,
      lat: null,
      lon: null,
      itemKnown,
    },
  };
}

async function setup(partitions = 3) {
  const sink = new FakeSink();
  const d = await TestDriver.create(trendingJob({ sink: () => sink, sweepIntervalMs: 1000 }), {
    partitions,
    startTime: T0,
  });
  const pipe = (e: EnrichedEvent, recordTime = e.timestamp) =>
    d.pipe('events', e.userId, e, { timestamp: recordTime });
  return { sink, d, pipe };
}

describe('trending', () => {
  it('counts interactions per item and city over all partitions, written at commit', async () => {
    const { sink, d, pipe } = await setup();
    for (let u = 0; u < 12; u++) await pipe(ev(`u${u}`, 'e1', 'Berlin', T0 + u));
    for (let u = 0; u < 5; u++) await pipe(ev(`u${u}`, 'e2', 'Berlin', T0 + u, 'PURCHASE'));
    await pipe(ev('u1', 'e3', 'Paris', T0, 'LIKE'));
    expect(sink.writes).toBe(0); // nothing before the commit
    await d.commit();
    expect(sink.top('Berlin')).toEqual({ e1: 12, e2: 5 });
    expect(sink.top('Paris')).toEqual({ e3: 1 });
    // the users are spread over partitions, each writing its own share
    expect(new Set([...sink.parts.keys()].filter((k) => k.startsWith('Berlin|'))).size).toBeGreaterThan(1);
    await d.close();
    expect(sink.closed).toBe(1); // shared sink closed once, by the last task
  });

  it('ignores dismissals, and interactions without an item, a city or a catalogue match', async () => {
    const { sink, d, pipe } = await setup(1);
    await pipe(ev('u1', 'e1', 'Berlin', T0, 'DISMISS'));
    await pipe(ev('u1', undefined, 'Berlin', T0));
    await pipe(ev('u1', 'e1', null, T0));
    await pipe(ev('u1', 'e9', 'Berlin', T0, 'VIEW', false));
    await pipe(ev('u1', 'e1', 'Berlin', T0, 'SAVE'));
    await d.commit();
    expect(sink.top('Berlin')).toEqual({ e1: 1 });
    expect(await d.readStore('counts')).toEqual(new Map([[trendingKey('Berlin', 'e1'), [[T0, 1]]]]));
    await d.close();
  });

  it('rejects records older than the window by stream time and counts them as late', async () => {
    const { sink, d, pipe } = await setup(1);
    await pipe(ev('u1', 'e1', 'Berlin', T0 + 10 * DAY));
    await pipe(ev('u1', 'e2', 'Berlin', T0 + 3 * DAY + 1), T0 + 10 * DAY); // 7 days before: late
    await pipe(ev('u1', 'e3', 'Berlin', T0 + 3 * DAY + HOUR), T0 + 10 * DAY); // just inside
    await d.commit();
    expect(sink.top('Berlin')).toEqual({ e1: 1, e3: 1 });
    expect((await d.readStore('stats')).get('late')).toBe(1);
    await d.close();
  });

  it('lowers counts as buckets leave the window, removing items that reach zero', async () => {
    const { sink, d, pipe } = await setup(1);
    await pipe(ev('u1', 'old', 'Berlin', T0));
    await pipe(ev('u1', 'mid', 'Berlin', T0 + 2 * DAY));
    await pipe(ev('u1', 'mid', 'Berlin', T0 + 4 * DAY));
    await d.commit();
    expect(sink.top('Berlin')).toEqual({ old: 1, mid: 2 });
    // stream time moves by a record elsewhere; the sweep (wall clock) notices what expired
    await pipe(ev('u1', 'other', 'Paris', T0 + 7 * DAY + 2 * DAY));
    await d.advanceTime(1000);
    await d.commit();
    expect(sink.top('Berlin')).toEqual({ mid: 1 });
    expect(sink.top('Paris')).toEqual({ other: 1 });
    expect([...(await d.readStore('counts')).keys()].sort()).toEqual(
      [trendingKey('Berlin', 'mid'), trendingKey('Paris', 'other')].sort(),
    );
    await d.close();
  });

  it('keeps unwritten counts while the sink is down and writes them once it is back', async () => {
    const { sink, d, pipe } = await setup(1);
    await pipe(ev('u1', 'e1', 'Berlin', T0));
    sink.failing = true;
    await expect(d.commit()).rejects.toThrow(/retriable/);
    sink.failing = false;
    await pipe(ev('u2', 'e1', 'Berlin', T0 + 1));
    await d.commit();
    expect(sink.top('Berlin')).toEqual({ e1: 2 });
    const writes = sink.writes;
    await d.commit(); // nothing changed: nothing written
    expect(sink.writes).toBe(writes);
    await d.close();
  });

  it('writes the absolute count of an item, not the change since the last write', async () => {
    const { sink, d, pipe } = await setup(1);
    await pipe(ev('u1', 'e1', 'Berlin', T0));
    await pipe(ev('u1', 'e1', 'Berlin', T0 + HOUR));
    await d.commit();
    await pipe(ev('u1', 'e1', 'Berlin', T0 + 2 * HOUR));
    await d.commit();
    expect(sink.top('Berlin')).toEqual({ e1: 3 });
    expect(sink.writes).toBe(2);
    await d.close();
  });
});

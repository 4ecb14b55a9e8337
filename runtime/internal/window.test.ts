import { afterEach, describe, expect, it } from 'vitest';
import { CachedStore } from './store/cached-store.ts';
import { MemoryStore } from './store/memory-store.ts';
import {
  MAX_FETCH_WINDOWS,
  SlidingSum,
  type SlidingSumState,
  TimeWindows,
  WindowStore,
  windowsFor,
} from './window.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const opened: MemoryStore[] = [];
async function store<V>(): Promise<CachedStore<V>> {
  const bytes = new MemoryStore('window-test');
  await bytes.open();
  opened.push(bytes);
  return new CachedStore<V>('w', bytes, 1000);
}

/** Writes the store's pending state to its bytes store and drops the cache, like a commit and restart. */
async function commitAndReload<V>(s: CachedStore<V>): Promise<CachedStore<V>> {
  s.commitRecord(0);
  await s.persist(s.takeDirty(), []);
  return new CachedStore<V>('w', s.bytes, 1000);
}

afterEach(async () => {
  for (const b of opened.splice(0)) await b.close();
});

describe('TimeWindows', () => {
  it('defaults to tumbling windows without grace, retained for size + grace', () => {
    const w = TimeWindows.of(10);
    expect([w.sizeMs, w.advanceMs, w.graceMs, w.retentionMs]).toEqual([10, 10, 0, 10]);
    const h = TimeWindows.of(10).advanceBy(5).grace(3);
    expect([h.sizeMs, h.advanceMs, h.graceMs, h.retentionMs]).toEqual([10, 5, 3, 13]);
    expect(TimeWindows.from({ sizeMs: 10, graceMs: 2, retentionMs: 50 }).retentionMs).toBe(50);
  });

  it('rejects invalid specs', () => {
    expect(() => TimeWindows.of(0)).toThrow(RangeError);
    expect(() => TimeWindows.of(1.5)).toThrow(RangeError);
    expect(() => TimeWindows.of(10).advanceBy(11)).toThrow(/must not exceed/);
    expect(() => TimeWindows.of(10).advanceBy(0)).toThrow(RangeError);
    expect(() => TimeWindows.of(10).grace(-1)).toThrow(RangeError);
    expect(() => TimeWindows.of(10).grace(5).retention(14)).toThrow(/at least size \+ grace/);
    expect(() => TimeWindows.from({ sizeMs: 10, graceMs: 5, retentionMs: 14 })).toThrow(RangeError);
  });

  it('assigns a tumbling window at and around its exact boundaries', () => {
    const w = TimeWindows.of(10);
    expect(w.windowsFor(0)).toEqual([0]);
    expect(w.windowsFor(9)).toEqual([0]);
    expect(w.windowsFor(10)).toEqual([10]);
    expect(w.windowsFor(19)).toEqual([10]);
    expect(w.windowsFor(1_700_000_000_123)).toEqual([1_700_000_000_120]);
  });

  it('assigns hopping windows that overlap, each containing the timestamp', () => {
    const spec = { sizeMs: 10, advanceMs: 4 };
    expect(windowsFor(20, spec)).toEqual([12, 16, 20]);
    expect(windowsFor(23, spec)).toEqual([16, 20]);
    for (let t = 30; t < 60; t++) {
      const starts = windowsFor(t, spec);
      for (const s of starts) expect(s <= t && t < s + 10 && s % 4 === 0).toBe(true);
      // no window containing t is missing: the one before the first ends at or before t
      expect(starts[0]! - 4 + 10).toBeLessThanOrEqual(t);
    }
    // advance dividing the size: exactly size / advance windows
    expect(windowsFor(1000, { sizeMs: 60, advanceMs: 15 })).toEqual([945, 960, 975, 990]);
  });

  it('creates no negative window starts for early timestamps, and rejects negative timestamps', () => {
    expect(windowsFor(3, { sizeMs: 10, advanceMs: 5 })).toEqual([0]);
    expect(windowsFor(7, { sizeMs: 10, advanceMs: 5 })).toEqual([0, 5]);
    expect(windowsFor(0, { sizeMs: 10, advanceMs: 2 })).toEqual([0]);
    expect(() => windowsFor(-1, { sizeMs: 10 })).toThrow(RangeError);
    expect(() => windowsFor(1.5, { sizeMs: 10 })).toThrow(RangeError);
  });

  it('closes a window when end + grace <= stream time, and expires it after retention', () => {
    const w = TimeWindows.of(10).grace(5);
    expect(w.windowEnd(20)).toBe(30);
    expect(w.isClosed(20, 34)).toBe(false);
    expect(w.isClosed(20, 35)).toBe(true);
    expect(w.isExpired(20, 34)).toBe(false);
    expect(w.isExpired(20, 35)).toBe(true);
    const kept = w.retention(100);
    expect(kept.isClosed(20, 35)).toBe(true);
    expect(kept.isExpired(20, 119)).toBe(false);
    expect(kept.isExpired(20, 120)).toBe(true);
  });
});

describe('WindowStore', () => {
  it('encodes composite keys so windows of one key are adjacent and in time order', () => {
    const keys = [
      WindowStore.compositeKey('a', 100),
      WindowStore.compositeKey('a', 20),
      WindowStore.compositeKey('a-b', 0),
      WindowStore.compositeKey('a', 3),
      WindowStore.compositeKey('ab', 5),
    ].sort();
    expect(keys.map((k) => WindowStore.parseKey(k))).toEqual([
      { key: 'a', windowStart: 3 },
      { key: 'a', windowStart: 20 },
      { key: 'a', windowStart: 100 },
      { key: 'a-b', windowStart: 0 },
      { key: 'ab', windowStart: 5 },
    ]);
    expect(WindowStore.parseKey('plain')).toBeUndefined();
    expect(() => WindowStore.compositeKey('', 0)).toThrow(TypeError);
    expect(() => WindowStore.compositeKey('a\u0000b', 0)).toThrow(TypeError);
    expect(() => WindowStore.compositeKey('a', -10)).toThrow(RangeError);
  });

  it('puts, gets and fetches windows by start range, across a commit', async () => {
    let s = await store<number>();
    let ws = new WindowStore(s, TimeWindows.of(10).advanceBy(5));
    for (const start of windowsFor(12, ws.windows)) ws.put('k', start, start * 2);
    ws.put('k', 30, 1);
    ws.put('other', 10, 99);
    expect(await ws.get('k', 10)).toBe(20);
    expect(await ws.get('k', 15)).toBeUndefined();
    expect(() => ws.put('k', 12, 1)).toThrow(/not a multiple/);
    s = await commitAndReload(s);
    ws = new WindowStore(s, { sizeMs: 10, advanceMs: 5 });
    expect(await ws.fetch('k', 0, 100)).toEqual([
      [5, 10],
      [10, 20],
      [30, 1],
    ]);
    expect(await ws.fetch('k', 6, 30)).toEqual([
      [10, 20],
      [30, 1],
    ]);
    expect(await ws.fetch('k', -50, 4)).toEqual([]);
    expect(await ws.fetch('k', 31, 30)).toEqual([]);
    await expect(ws.fetch('k', 0, 5 * MAX_FETCH_WINDOWS)).rejects.toThrow(RangeError);
    ws.delete('k', 5);
    expect(await ws.fetch('k', 0, 10)).toEqual([[10, 20]]);
  });

  it('expires the windows whose retention passed by stream time, and only those', async () => {
    const s = await store<number>();
    s.put('not-a-window', 1);
    const ws = new WindowStore(s, TimeWindows.of(10).grace(5));
    for (const start of [0, 10, 20, 30]) {
      ws.put('a', start, start);
      ws.put('b', start, start);
    }
    s.commitRecord(0);
    expect(await ws.expire(24)).toBe(2); // window 0: 0 + 15 <= 24; window 10: 25 > 24
    expect(await ws.expire(25)).toBe(2);
    const left = [];
    for await (const e of ws.entries()) left.push(`${e.key}@${e.windowStart}=${e.value}`);
    expect(left).toEqual(['a@20=20', 'a@30=30', 'b@20=20', 'b@30=30']);
    expect(await s.get('not-a-window')).toBe(1);
  });
});

describe('SlidingSum', () => {
  const spec = { windowMs: 7 * DAY, bucketMs: HOUR };

  it('sums the last window at bucket resolution', async () => {
    const sum = new SlidingSum(await store<SlidingSumState>(), spec);
    const t0 = 100 * DAY;
    expect(await sum.add('x', t0, 1, t0)).toBe(true);
    expect(await sum.add('x', t0 + 10, 2, t0 + 10)).toBe(true);
    expect(await sum.add('x', t0 + 3 * DAY, 1, t0 + 3 * DAY)).toBe(true);
    expect(await sum.total('x', t0 + 3 * DAY)).toBe(4);
    // the first bucket [t0, t0 + 1h) leaves the window when now reaches t0 + 7d
    expect(await sum.total('x', t0 + 7 * DAY - 1)).toBe(4);
    expect(await sum.total('x', t0 + 7 * DAY)).toBe(1);
    expect(await sum.total('x', t0 + 10 * DAY)).toBe(0);
    // a bucket after `now` does not count yet
    expect(await sum.total('x', t0 + DAY)).toBe(3);
    expect(await sum.total('unknown', t0)).toBe(0);
  });

  it('rejects records older than window + grace by stream time, and counts the rest', async () => {
    const t = 100 * DAY;
    const strict = new SlidingSum(await store<SlidingSumState>(), spec);
    // bucket(t - 7d) + 7d = t <= t: late; one ms later the bucket is still in the window
    expect(await strict.add('x', t - 7 * DAY, 1, t)).toBe(false);
    expect(await strict.add('x', t - 7 * DAY + HOUR, 1, t)).toBe(true);
    expect(await strict.total('x', t)).toBe(1);
    const lenient = new SlidingSum(await store<SlidingSumState>(), { ...spec, graceMs: 2 * HOUR });
    expect(await lenient.add('x', t - 7 * DAY - HOUR, 1, t)).toBe(true);
    expect(await lenient.add('x', t - 7 * DAY - 2 * HOUR, 1, t)).toBe(false);
    // accepted within grace, but outside the window as of t
    expect(await lenient.total('x', t)).toBe(0);
    expect(await lenient.total('x', t - 2 * HOUR)).toBe(1);
    expect(() => strict.isLate(0, 0)).not.toThrow();
    await expect(strict.add('x', -1, 1, t)).rejects.toThrow(RangeError);
  });

  it('prunes old buckets when a key is written and deletes keys that reach zero', async () => {
    const s = await store<SlidingSumState>();
    const sum = new SlidingSum(s, spec);
    const t = 100 * DAY;
    await sum.add('x', t, 1, t);
    await sum.add('x', t + 8 * DAY, 1, t + 8 * DAY);
    expect(await s.get('x')).toEqual([[t + 8 * DAY, 1]]);
    await sum.add('x', t + 8 * DAY, -1, t + 8 * DAY);
    expect(await s.get('x')).toBeUndefined();
  });

  it('keeps buckets ordered whatever the arrival order', async () => {
    const s = await store<SlidingSumState>();
    const sum = new SlidingSum(s, spec);
    const t = 100 * DAY;
    for (const dt of [5, 1, 3, 1, 0, 5]) await sum.add('x', t + dt * HOUR + 7, 1, t + 5 * HOUR);
    expect(await s.get('x')).toEqual([
      [t, 1],
      [t + HOUR, 2],
      [t + 3 * HOUR, 1],
      [t + 5 * HOUR, 2],
    ]);
  });

  it('expires buckets of keys nobody wrote, reporting the keys it changed', async () => {
    let s = await store<SlidingSumState>();
    let sum = new SlidingSum(s, spec);
    const t = 100 * DAY;
    await sum.add('old', t, 1, t);
    await sum.add('mixed', t, 1, t);
    await sum.add('mixed', t + 2 * DAY, 1, t + 2 * DAY);
    await sum.add('new', t + 2 * DAY, 1, t + 2 * DAY);
    s = await commitAndReload(s);
    sum = new SlidingSum(s, spec);
    expect(await sum.expire(t + 7 * DAY - 1)).toEqual([]);
    expect((await sum.expire(t + 7 * DAY)).sort()).toEqual(['mixed', 'old']);
    expect(await s.get('old')).toBeUndefined();
    expect(await sum.total('mixed', t + 7 * DAY)).toBe(1);
    expect(await sum.total('new', t + 7 * DAY)).toBe(1);
  });

  it('never changes the stored value before it is written, so a failing record leaves no trace', async () => {
    const s = await store<SlidingSumState>();
    const sum = new SlidingSum(s, spec);
    const t = 100 * DAY;
    await sum.add('x', t, 1, t);
    s.commitRecord(0);
    await sum.add('x', t, 1, t);
    await sum.add('x', t + 8 * DAY, 1, t + 8 * DAY);
    s.abortRecord();
    expect(await s.get('x')).toEqual([[t, 1]]);
  });

  it('rejects a window that is not a multiple of the bucket', async () => {
    const s = await store<SlidingSumState>();
    expect(() => new SlidingSum(s, { windowMs: 10, bucketMs: 3 })).toThrow(RangeError);
  });
});

/**
 * Time windows for jobs, modelled on Kafka Streams' `TimeWindows` and window stores, built over the
 * job's ordinary {@link KeyValueStore}s so the changelog, restore, caching and checkpoints work
 * unchanged:
 *
 * - {@link TimeWindows}: tumbling or hopping windows `[start, start + size)`, aligned to the epoch,
 *   with a grace period after which late records are rejected and a retention after which stored
 *   windows may be deleted. Windows close by stream time (the highest record timestamp a task has
 *   seen), never by wall-clock time.
 * - {@link WindowStore}: one store entry per (key, window), under a composite key that keeps the
 *   windows of one key together and in time order.
 * - {@link SlidingSum}: "the sum over the last N ms" from small tumbling buckets, kept in one entry
 *   per key so that adding a record and reading a total cost one read each.
 */
import { z } from 'zod';
import type { KeyValueStore } from './api.ts';

/** A window specification: size, and optionally advance (hop), grace and retention, all in ms. */
export interface WindowSpec {
  readonly sizeMs: number;
  /** Distance between consecutive window starts; default `sizeMs` (tumbling). 0 < advance <= size. */
  readonly advanceMs?: number;
  /** How long after a window's end records may still be added to it (by stream time). Default 0. */
  readonly graceMs?: number;
  /** How long after its start a window is kept; default (and minimum) `sizeMs + graceMs`. */
  readonly retentionMs?: number;
}

function positiveInt(ms: number, what: string): number {
  if (!Number.isSafeInteger(ms) || ms <= 0)
    throw new RangeError(`${what} must be a positive integer (ms), got ${ms}`);
  return ms;
}

function nonNegativeInt(ms: number, what: string): number {
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new RangeError(`${what} must be an integer >= 0 (ms), got ${ms}`);
  return ms;
}

/**
 * Tumbling (`advanceMs === sizeMs`) or hopping (`advanceMs < sizeMs`) time windows, immutable.
 * `TimeWindows.of(60_000).advanceBy(10_000).grace(5_000)`. A window `[start, start + size)` contains
 * the timestamps `start <= t < start + size`; starts are multiples of `advanceMs` and never negative
 * (as in Kafka Streams, a timestamp near 0 belongs to fewer windows).
 */
export class TimeWindows {
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;
  readonly retentionMs: number;
  private readonly explicitRetention: number | undefined;

  private constructor(sizeMs: number, advanceMs: number, graceMs: number, retentionMs: number | undefined) {
    this.sizeMs = positiveInt(sizeMs, 'window size');
    this.advanceMs = positiveInt(advanceMs, 'window advance');
    if (advanceMs > sizeMs)
      throw new RangeError(`window advance (${advanceMs}) must not exceed its size (${sizeMs})`);
    this.graceMs = nonNegativeInt(graceMs, 'window grace');
    this.explicitRetention = retentionMs;
    this.retentionMs = retentionMs ?? sizeMs + graceMs;
    if (retentionMs !== undefined && positiveInt(retentionMs, 'window retention') < sizeMs + graceMs)
      throw new RangeError(
        `window retention (${retentionMs}) must be at least size + grace (${sizeMs + graceMs})`,
      );
  }

  /** Tumbling windows of `sizeMs`, no grace. */
  static of(sizeMs: number): TimeWindows {
    return new TimeWindows(sizeMs, sizeMs, 0, undefined);
  }

  /** Validates a plain spec and fills in the defaults. */
  static from(spec: WindowSpec | TimeWindows): TimeWindows {
    if (spec instanceof TimeWindows) return spec;
    return new TimeWindows(spec.sizeMs, spec.advanceMs ?? spec.sizeMs, spec.graceMs ?? 0, spec.retentionMs);
  }

  /** Hopping windows: a new window every `advanceMs` (0 < advanceMs <= sizeMs). */
  advanceBy(advanceMs: number): TimeWindows {
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs, this.explicitRetention);
  }

  grace(graceMs: number): TimeWindows {
    return new TimeWindows(this.sizeMs, this.advanceMs, graceMs, this.explicitRetention);
  }

  retention(retentionMs: number): TimeWindows {
    return new TimeWindows(this.sizeMs, this.advanceMs, this.graceMs, retentionMs);
  }

  /** Starts of the windows containing `timestamp`, ascending. See {@link windowsFor}. */
  windowsFor(timestamp: number): number[] {
    return windowsFor(timestamp, this);
  }

  /** Exclusive end of the window starting at `start`. */
  windowEnd(start: number): number {
    return start + this.sizeMs;
  }

  /** Whether a window no longer accepts records: `end + grace <= streamTime` (Kafka Streams' rule). */
  isClosed(start: number, streamTime: number): boolean {
    return start + this.sizeMs + this.graceMs <= streamTime;
  }

  /** Whether a stored window may be deleted: `start + retention <= streamTime`. */
  isExpired(start: number, streamTime: number): boolean {
    return start + this.retentionMs <= streamTime;
  }
}

/**
 * The starts of the windows that contain `timestamp`, ascending: every multiple of `advanceMs` in
 * `(timestamp - sizeMs, timestamp]` that is >= 0. Tumbling windows give exactly one start; hopping
 * windows `ceil(size / advance)` or fewer. Throws a RangeError for a negative or non-integer
 * timestamp (Kafka Streams drops such records; here the job decides).
 */
export function windowsFor(timestamp: number, spec: WindowSpec | TimeWindows): number[] {
  const w = TimeWindows.from(spec);
  nonNegativeInt(timestamp, 'record timestamp');
  const lowest = Math.max(0, timestamp - w.sizeMs + w.advanceMs);
  const out: number[] = [];
  for (let start = lowest - (lowest % w.advanceMs); start <= timestamp; start += w.advanceMs) out.push(start);
  return out;
}

/** Window starts are written fixed-width so that string order is time order (enough for 2^53). */
const START_DIGITS = 16;
const SEP = '\u0000';
/** {@link WindowStore.fetch} refuses ranges spanning more windows than this. */
export const MAX_FETCH_WINDOWS = 10_000;

export interface WindowedEntry<V> {
  key: string;
  windowStart: number;
  value: V;
}

/**
 * A windowed view over a job's key-value store: each (key, window start) is one entry whose store
 * key is `<key>\u0000<start as 16 decimal digits>`. NUL sorts before every other character, so the
 * windows of one key are adjacent in key order and sorted by start. Give the view a store of its
 * own (entries that are not composite keys are ignored by {@link entries} and {@link expire}).
 *
 * Costs: `get`/`put`/`delete` are those of the store (a `get` of a key the runtime did not prefetch,
 * which is every composite key, may cost one disk read). {@link fetch} does one `get` per window
 * start in the range (the store has no range scan). {@link expire} and {@link entries} read the
 * whole store: call them from a punctuator, not per record.
 */
export class WindowStore<V> {
  readonly windows: TimeWindows;

  constructor(
    readonly store: KeyValueStore<V>,
    spec: WindowSpec | TimeWindows,
  ) {
    this.windows = TimeWindows.from(spec);
  }

  /** The store key of (key, windowStart). Keys must be non-empty and free of NUL characters. */
  static compositeKey(key: string, windowStart: number): string {
    if (key.length === 0 || key.includes(SEP))
      throw new TypeError('window store keys must be non-empty and contain no NUL');
    nonNegativeInt(windowStart, 'window start');
    return `${key}${SEP}${String(windowStart).padStart(START_DIGITS, '0')}`;
  }

  /** The inverse of {@link compositeKey}; undefined for keys it did not make. */
  static parseKey(composite: string): { key: string; windowStart: number } | undefined {
    const i = composite.length - START_DIGITS - 1;
    if (i < 1 || composite[i] !== SEP) return undefined;
    const digits = composite.slice(i + 1);
    if (!/^\d+$/.test(digits)) return undefined;
    return { key: composite.slice(0, i), windowStart: Number(digits) };
  }

  private k(key: string, windowStart: number): string {
    if (windowStart % this.windows.advanceMs !== 0)
      throw new RangeError(
        `window start ${windowStart} is not a multiple of the advance ${this.windows.advanceMs}`,
      );
    return WindowStore.compositeKey(key, windowStart);
  }

  get(key: string, windowStart: number): Promise<V | undefined> {
    return this.store.get(this.k(key, windowStart));
  }

  put(key: string, windowStart: number, value: V): void {
    this.store.put(this.k(key, windowStart), value);
  }

  delete(key: string, windowStart: number): void {
    this.store.delete(this.k(key, windowStart));
  }

  /**
   * The windows of `key` whose start lies in `[fromTime, toTime]`, ascending by start, as
   * `[windowStart, value]` pairs (missing windows are skipped). One `get` per possible start; a
   * RangeError past {@link MAX_FETCH_WINDOWS} starts.
   */
  async fetch(key: string, fromTime: number, toTime: number): Promise<Array<[number, V]>> {
    const adv = this.windows.advanceMs;
    const first = Math.ceil(Math.max(0, fromTime) / adv) * adv;
    if (toTime < first) return [];
    const count = Math.floor((toTime - first) / adv) + 1;
    if (count > MAX_FETCH_WINDOWS)
      throw new RangeError(`fetch over ${count} windows (more than ${MAX_FETCH_WINDOWS}); narrow the range`);
    const starts = Array.from({ length: count }, (_, i) => first + i * adv);
    const values = await Promise.all(starts.map((s) => this.get(key, s)));
    const out: Array<[number, V]> = [];
    for (let i = 0; i < count; i++) if (values[i] !== undefined) out.push([starts[i]!, values[i]!]);
    return out;
  }

  /** Every window of every key, in key order then start order. Reads the whole store. */
  async *entries(): AsyncIterable<WindowedEntry<V>> {
    for await (const [k, value] of this.store.entries()) {
      const p = WindowStore.parseKey(k);
      if (p) yield { key: p.key, windowStart: p.windowStart, value };
    }
  }

  /**
   * Deletes the windows whose retention has passed (`start + retention <= streamTime`) and returns
   * how many. Reads the whole store (O(entries), values parsed from JSON): run it from a punctuator,
   * e.g. once per advance of stream time.
   */
  async expire(streamTime: number): Promise<number> {
    const doomed: string[] = [];
    for await (const e of this.entries())
      if (this.windows.isExpired(e.windowStart, streamTime))
        doomed.push(WindowStore.compositeKey(e.key, e.windowStart));
    for (const k of doomed) this.store.delete(k);
    return doomed.length;
  }
}

/** The stored state of one {@link SlidingSum} key: `[bucketStart, sum]` pairs, ascending by start. */
export const SlidingSumState = z.array(z.tuple([z.number().int().nonnegative(), z.number()]));
export type SlidingSumState = z.infer<typeof SlidingSumState>;

export interface SlidingSumSpec {
  /** The length of the sliding window (e.g. 7 days); a multiple of `bucketMs`. */
  windowMs: number;
  /** The resolution (e.g. 1 hour): totals move in steps of one bucket. */
  bucketMs: number;
  /** How long after a bucket leaves the window records may still be added to it. Default 0. */
  graceMs?: number;
}

/**
 * "The sum over the last `windowMs`", at the resolution of `bucketMs`: hopping windows of size
 * `windowMs` advancing by `bucketMs`, computed from tumbling buckets of `bucketMs`. All buckets of a
 * key live in one store entry (a `SlidingSumState`, at most `windowMs / bucketMs` + grace pairs),
 * so {@link add} is one read and one write and {@link total} one read, instead of one read per
 * bucket with a {@link WindowStore}. Declare the store as `{ schema: SlidingSumState }`.
 *
 * - The total at `now` covers the bucket containing `now` and the `windowMs / bucketMs - 1` before
 *   it: timestamps in `[bucket(now) + bucketMs - windowMs, bucket(now) + bucketMs)`.
 * - A record is late, and rejected, when its bucket left the window more than `graceMs` ago by
 *   stream time: `bucket(t) + windowMs + graceMs <= streamTime`.
 * - Buckets are pruned by the same rule when their key is written, and for every key by
 *   {@link expire}, which reads the whole store (run it from a punctuator).
 */
export class SlidingSum {
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly graceMs: number;

  constructor(
    readonly store: KeyValueStore<SlidingSumState>,
    spec: SlidingSumSpec,
  ) {
    this.bucketMs = positiveInt(spec.bucketMs, 'bucket size');
    this.windowMs = positiveInt(spec.windowMs, 'sliding window');
    if (this.windowMs % this.bucketMs !== 0)
      throw new RangeError(
        `sliding window (${spec.windowMs}) must be a multiple of the bucket size (${spec.bucketMs})`,
      );
    this.graceMs = nonNegativeInt(spec.graceMs ?? 0, 'grace');
  }

  bucketOf(timestamp: number): number {
    return timestamp - (timestamp % this.bucketMs);
  }

  /** Whether a record at `timestamp` would be rejected at `streamTime`. */
  isLate(timestamp: number, streamTime: number): boolean {
    return this.bucketOf(timestamp) + this.windowMs + this.graceMs <= streamTime;
  }

  /**
   * Adds `delta` to `key` at `timestamp`; `streamTime` is the task's (`ctx.streamTime`). Returns
   * false, changing nothing, for a late record. Throws a RangeError for a negative timestamp.
   */
  async add(key: string, timestamp: number, delta: number, streamTime: number): Promise<boolean> {
    nonNegativeInt(timestamp, 'record timestamp');
    const now = Math.max(streamTime, timestamp);
    if (this.isLate(timestamp, now)) return false;
    const state = this.prune((await this.store.get(key)) ?? [], now);
    const b = this.bucketOf(timestamp);
    let i = state.length;
    while (i > 0 && state[i - 1]![0] > b) i--;
    const at = state[i - 1];
    if (at && at[0] === b) {
      // A new tuple, not `at[1] += delta`: `at` may be shared with the stored value.
      const v = at[1] + delta;
      if (v === 0) state.splice(i - 1, 1);
      else state[i - 1] = [b, v];
    } else if (delta !== 0) {
      state.splice(i, 0, [b, delta]);
    }
    if (state.length === 0) this.store.delete(key);
    else this.store.put(key, state);
    return true;
  }

  /** The sum over the window ending with the bucket of `now` (0 for an unknown key). */
  async total(key: string, now: number): Promise<number> {
    const state = await this.store.get(key);
    return state ? this.totalOf(state, now) : 0;
  }

  /** {@link total} of a state already read (e.g. while iterating the store). */
  totalOf(state: SlidingSumState, now: number): number {
    const hi = this.bucketOf(now);
    const lo = hi + this.bucketMs - this.windowMs;
    let sum = 0;
    for (const [b, v] of state) if (b >= lo && b <= hi) sum += v;
    return sum;
  }

  /**
   * Prunes the buckets of every key that are past the window and grace at `streamTime`, deleting
   * keys left empty. Returns the keys it changed. With `graceMs = 0` these are exactly the keys whose
   * total at `streamTime` dropped since they were last written. Reads the whole store.
   */
  async expire(streamTime: number): Promise<string[]> {
    const changed: Array<[string, SlidingSumState]> = [];
    for await (const [key, state] of this.store.entries()) {
      const pruned = this.prune(state, streamTime);
      if (pruned.length !== state.length) changed.push([key, pruned]);
    }
    for (const [key, state] of changed) {
      if (state.length === 0) this.store.delete(key);
      else this.store.put(key, state);
    }
    return changed.map(([k]) => k);
  }

  /**
   * The buckets still needed at `streamTime`, as a new array (the tuples are shared and never
   * mutated): the stored value must not change before `put`, in case the record fails after.
   */
  private prune(state: SlidingSumState, streamTime: number): SlidingSumState {
    let first = 0;
    while (first < state.length && state[first]![0] + this.windowMs + this.graceMs <= streamTime) first++;
    return state.slice(first);
  }
}

import type { KeyValueStore } from '../api.ts';
import { type BatchOp, type BytesStore, META_PREFIX } from './bytes-store.ts';

interface Entry<V> {
  value: V | undefined;
  dirty: boolean;
  /** Read since the last eviction pass: survives one pass (second chance). */
  hot: boolean;
  /** Input offset of the record that last wrote this key (for the changelog). */
  src: number;
  /** The store's write count when this key was last written: tells a commit's snapshot from later writes. */
  ver: number;
}

/** A key that changed since the last commit: what the changelog and the local batch must write. */
export interface DirtyEntry {
  key: string;
  /** JSON bytes, or undefined for a delete. */
  bytes: Buffer | undefined;
  /**
   * With a headroom ({@link CachedStore.takeDirty}): the buffer `bytes` is the tail of, with that
   * many bytes free before it for the caller's frame.
   */
  framed?: Buffer;
  src: number;
  /** The entry's {@link Entry.ver} when it was taken. */
  ver: number;
}

const ABSENT = Symbol('absent');

/**
 * The default of {@link CacheBudget}: 50,000 decoded entries per worker. At 1,000,000 users' profiles
 * twice that bought no throughput and cost 25-45 MiB of RSS (docs/benchmarks.md).
 */
export const DEFAULT_CACHE_ENTRIES = 50_000;

/**
 * How many entries the caches of one worker may hold together (`PULSE_CACHE_ENTRIES`), shared by
 * every store of every task, like Kafka Streams' `statestore.cache.max.bytes`: the heap a worker
 * spends on cached state does not grow with the partitions it owns. Each store evicts its share of
 * the excess (in proportion to its size) when it commits.
 */
export class CacheBudget {
  /** Entries currently cached by all stores sharing this budget. */
  size = 0;
  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`cache budget must be at least 1 entry (got ${limit})`);
  }
}

/**
 * A write-back cache over a {@link BytesStore}, and the {@link KeyValueStore} jobs see.
 *
 * - Reads hit the cache; misses are loaded in batches ({@link prefetch}) or, for keys nobody
 *   predicted, one `get`.
 * - Writes made while a record is processed are staged; {@link commitRecord} folds them into the
 *   cache (dirty) and {@link abortRecord} drops them, so a record that throws leaves no trace.
 * - Dirty entries reach disk only in the commit cycle ({@link takeDirty} then {@link markClean}),
 *   together with the task's offsets, in one atomic batch.
 */
export class CachedStore<V> implements KeyValueStore<V> {
  private readonly cache = new Map<string, Entry<V>>();
  private readonly staged = new Map<string, V | typeof ABSENT>();
  /** Keys changed since the last commit, so a commit costs O(changes), not O(cache). */
  private readonly dirtyKeys = new Set<string>();
  /** Writes folded into the cache so far (versions the entries). */
  private writes = 0;

  private readonly budget: CacheBudget;

  /** `budget`: a worker's shared {@link CacheBudget}, or this store's own bound in entries. */
  constructor(
    readonly name: string,
    readonly bytes: BytesStore,
    budget: CacheBudget | number = 200_000,
    private readonly validate?: (value: unknown) => void,
  ) {
    this.budget = typeof budget === 'number' ? new CacheBudget(budget) : budget;
  }

  private add(key: string, entry: Entry<V>): void {
    this.cache.set(key, entry);
    this.budget.size++;
  }

  get dirtySize(): number {
    return this.dirtyKeys.size;
  }

  get cachedSize(): number {
    return this.cache.size;
  }

  async get(key: string): Promise<V | undefined> {
    const s = this.staged.get(key);
    if (s !== undefined) return s === ABSENT ? undefined : s;
    const e = this.cache.get(key);
    if (e) {
      e.hot = true;
      return e.value;
    }
    const raw = await this.bytes.get(key);
    // A write staged while we awaited wins over what we read.
    const s2 = this.staged.get(key);
    if (s2 !== undefined) return s2 === ABSENT ? undefined : s2;
    const e2 = this.cache.get(key);
    if (e2) return e2.value;
    const value = raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as V);
    this.add(key, { value, dirty: false, hot: true, src: -1, ver: 0 });
    return value;
  }

  async getMany(keys: readonly string[]): Promise<Array<V | undefined>> {
    const out = new Array<V | undefined>(keys.length);
    let missing: number[] | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const s = this.staged.get(key);
      if (s !== undefined) out[i] = s === ABSENT ? undefined : s;
      else {
        const e = this.cache.get(key);
        if (e) {
          e.hot = true;
          out[i] = e.value;
        } else (missing ??= []).push(i);
      }
    }
    if (missing) {
      await this.prefetch(missing.map((i) => keys[i]!));
      // Through `get`, which also sees writes staged while the batch was being read.
      for (const i of missing) out[i] = await this.get(keys[i]!);
    }
    return out;
  }

  put(key: string, value: V): void {
    if (key.startsWith(META_PREFIX.slice(0, 1)))
      throw new TypeError(`store ${this.name}: keys may not start with NUL`);
    if (key === '') throw new TypeError(`store ${this.name}: keys may not be empty`);
    if (value === undefined) throw new TypeError(`store ${this.name}: put(${key}, undefined); use delete()`);
    this.validate?.(value);
    this.staged.set(key, value);
  }

  delete(key: string): void {
    this.staged.set(key, ABSENT);
  }

  async *entries(): AsyncIterable<[string, V]> {
    const overlay = new Map<string, V | undefined>();
    for (const k of this.dirtyKeys) overlay.set(k, this.cache.get(k)!.value);
    for (const [k, s] of this.staged) overlay.set(k, s === ABSENT ? undefined : s);
    const pending = [...overlay.keys()].sort();
    let i = 0;
    // Runtime metadata keys start with NUL and sort first; job keys start at \u0001.
    for await (const [k, raw] of this.bytes.range({ gte: '\u0001' })) {
      while (i < pending.length && pending[i]! < k) {
        const pk = pending[i++]!;
        const v = overlay.get(pk);
        if (v !== undefined) yield [pk, v];
      }
      if (i < pending.length && pending[i] === k) {
        i++;
        const v = overlay.get(k);
        if (v !== undefined) yield [k, v];
        continue;
      }
      yield [k, JSON.parse(raw.toString('utf8')) as V];
    }
    while (i < pending.length) {
      const pk = pending[i++]!;
      const v = overlay.get(pk);
      if (v !== undefined) yield [pk, v];
    }
  }

  /** Loads the given keys that are not cached, in one batched read. */
  async prefetch(keys: Iterable<string>): Promise<void> {
    const missing: string[] = [];
    for (const k of keys) {
      const e = this.cache.get(k);
      if (e) e.hot = true;
      else missing.push(k);
    }
    if (missing.length === 0) return;
    const values = await this.bytes.getMany(missing);
    for (let i = 0; i < missing.length; i++) {
      const k = missing[i]!;
      if (this.cache.has(k)) continue;
      const raw = values[i];
      this.add(k, {
        value: raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as V),
        dirty: false,
        hot: true,
        src: -1,
        ver: 0,
      });
    }
  }

  /** Makes the current record's writes part of the task's state. */
  commitRecord(src: number): void {
    if (this.staged.size === 0) return;
    const ver = ++this.writes;
    for (const [k, s] of this.staged) {
      const value = s === ABSENT ? undefined : s;
      const e = this.cache.get(k);
      if (e) {
        e.value = value;
        e.dirty = true;
        e.src = src;
        e.ver = ver;
      } else {
        this.add(k, { value, dirty: true, hot: true, src, ver });
      }
      this.dirtyKeys.add(k);
    }
    this.staged.clear();
  }

  /** Drops the current record's writes (it failed). */
  abortRecord(): void {
    this.staged.clear();
  }

  /**
   * The entries changed since the last commit, serialised: the commit's snapshot of this store.
   * Does not clear them: see {@link persist}. Records processed after it may change them again.
   * `headroom` > 0 serialises each value into a buffer with that many bytes free before it
   * ({@link DirtyEntry.framed}), so a changelog frame costs no second copy.
   */
  takeDirty(headroom = 0): DirtyEntry[] {
    const out: DirtyEntry[] = [];
    for (const key of this.dirtyKeys) {
      const e = this.cache.get(key)!;
      if (e.value === undefined) {
        out.push({ key, bytes: undefined, src: e.src, ver: e.ver });
      } else if (headroom > 0) {
        const json = JSON.stringify(e.value);
        const framed = Buffer.allocUnsafe(headroom + Buffer.byteLength(json));
        framed.write(json, headroom);
        out.push({ key, bytes: framed.subarray(headroom), framed, src: e.src, ver: e.ver });
      } else {
        out.push({ key, bytes: Buffer.from(JSON.stringify(e.value)), src: e.src, ver: e.ver });
      }
    }
    return out;
  }

  /**
   * Writes a snapshot's entries plus `extra` (checkpoint metadata) in one atomic batch, then marks
   * clean those not written again since the snapshot (a later write stays dirty for the next commit).
   */
  async persist(dirty: DirtyEntry[], extra: BatchOp[]): Promise<void> {
    const ops: BatchOp[] = dirty.map((d) => ({ key: d.key, value: d.bytes }));
    for (const x of extra) ops.push(x);
    await this.bytes.write(ops);
    for (const d of dirty) {
      const e = this.cache.get(d.key);
      if (e?.dirty && e.ver === d.ver) {
        e.dirty = false;
        this.dirtyKeys.delete(d.key);
      }
    }
    this.evict();
  }

  /**
   * Forgets this store's share of the clean entries beyond the budget: oldest first, except that an
   * entry read since the previous pass is kept once more (moved to the back), so hot keys stay.
   */
  private evict(): void {
    const over = this.budget.size - this.budget.limit;
    if (over <= 0 || this.cache.size === 0) return;
    let excess = Math.min(this.cache.size, Math.ceil((over * this.cache.size) / this.budget.size));
    // Each entry is visited at most twice (a hot one is re-queued once, cold).
    let visits = 2 * this.cache.size;
    for (const [k, e] of this.cache) {
      if (excess <= 0 || visits-- <= 0) break;
      if (e.dirty) continue;
      this.cache.delete(k);
      if (e.hot) {
        e.hot = false;
        this.cache.set(k, e);
        continue;
      }
      this.budget.size--;
      excess--;
    }
  }

  /** Gives this store's entries back to the budget (the store is closed or replaced). */
  release(): void {
    this.budget.size -= this.cache.size;
    this.cache.clear();
    this.staged.clear();
    this.dirtyKeys.clear();
  }

  /** Drops every cached entry (after the store was wiped and restored underneath). */
  resetCache(): void {
    this.budget.size -= this.cache.size;
    this.cache.clear();
    this.staged.clear();
    this.dirtyKeys.clear();
  }
}

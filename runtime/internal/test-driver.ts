import type { AnyJob, Headers } from './api.ts';
import { partitionForKey } from './partitioner.ts';
import { CachedStore } from './store/cached-store.ts';
import { CHECKPOINT_KEY } from './store/bytes-store.ts';
import { MemoryStore } from './store/memory-store.ts';
import { GlobalTables } from './global-table.ts';
import { Task, type OutRecord, type RawRecord } from './task.ts';

export interface TestDriverOptions {
  /** Input partitions (= tasks). Keys are spread with Kafka's default partitioner. Default 1. */
  partitions?: number;
  /** Initial wall-clock time (ms). Default 0. */
  startTime?: number;
  /** Commit after every piped record (default false: commit explicitly or at close). */
  autoCommit?: boolean;
  /**
   * Entries each store keeps in memory (default 1000, small so that tests also exercise reads
   * that miss the cache; benchmarks pass the production default, 200,000).
   */
  cacheEntries?: number;
}

export interface TestOutput<V = unknown> {
  topic: string;
  key: string | null;
  value: V;
  headers: Headers;
}

/**
 * Runs a job without a broker. Records piped in are processed immediately, in order, by the task of
 * their partition; outputs and dead letters are collected per topic; store contents can be read;
 * wall-clock time only moves when the test says so (punctuators fire on {@link advanceTime}).
 */
export class TestDriver<J extends AnyJob = AnyJob> {
  private now: number;
  private readonly tasks: Task[] = [];
  private readonly outputs: OutRecord[] = [];
  private readonly nextOffset = new Map<string, number>();
  private readonly sink = { out: this.outputs };
  private globals!: GlobalTables;

  private constructor(
    readonly job: J,
    private readonly opts: Required<TestDriverOptions>,
  ) {
    this.now = opts.startTime;
  }

  static async create<J extends AnyJob>(job: J, options: TestDriverOptions = {}): Promise<TestDriver<J>> {
    const d = new TestDriver(job, {
      partitions: 1,
      startTime: 0,
      autoCommit: false,
      cacheEntries: 1000,
      ...options,
    });
    d.globals = new GlobalTables(job);
    for (let p = 0; p < d.opts.partitions; p++) {
      const stores = new Map<string, CachedStore<unknown>>();
      for (const [name, spec] of Object.entries(job.stores)) {
        const bytes = new MemoryStore(`${job.name}/${name}/${p}`);
        await bytes.open();
        stores.set(
          name,
          new CachedStore(name, bytes, d.opts.cacheEntries, (v) => {
            const r = spec.schema.safeParse(v);
            if (!r.success)
              throw new TypeError(`store ${name}: value does not match its schema: ${r.error.message}`);
          }),
        );
      }
      const task = new Task(
        job,
        p,
        stores,
        d.sink,
        () => d.now,
        () => Promise.reject(new Error('retriable failure in the test driver: it does not retry')),
        d.globals,
      );
      await task.init();
      d.tasks.push(task);
    }
    return d;
  }

  /** Pipes one record into an input (by input name or topic). Its value is JSON-encoded; `null` is a tombstone. */
  async pipe(
    input: string,
    key: string | null,
    value: unknown,
    meta: { timestamp?: number; partition?: number; headers?: Headers } = {},
  ): Promise<void> {
    await this.pipeRaw(input, key, value === null ? null : Buffer.from(JSON.stringify(value)), meta);
  }

  /**
   * Writes a record to a global table (by name or topic), as if it arrived on its topic; `null`
   * deletes the key. Values failing the table's schema are skipped, as in production.
   */
  pipeGlobal(global: string, key: string, value: unknown): void {
    const t = this.globals.byName.get(global) ?? this.globals.byTopic.get(global);
    if (!t) throw new TypeError(`no global table named ${global}`);
    t.apply(key, value === null ? null : Buffer.from(JSON.stringify(value)));
  }

  /** Pipes raw value bytes (for poison-record tests). */
  async pipeRaw(
    input: string,
    key: string | null,
    value: Buffer | null,
    meta: { timestamp?: number; partition?: number; headers?: Headers } = {},
  ): Promise<void> {
    await this.pipeRawBatch(input, [{ key, value, ...meta }]);
  }

  /**
   * Pipes raw records as one fetched batch per partition, as the runner hands them to a task
   * (stores prefetched once per batch): for benchmarks and batch-sensitive tests.
   */
  async pipeRawBatch(
    input: string,
    records: ReadonlyArray<{
      key: string | null;
      value: Buffer | null;
      timestamp?: number;
      partition?: number;
      headers?: Headers;
    }>,
  ): Promise<void> {
    const topic = this.job.inputs[input]?.topic ?? input;
    const batches = new Map<number, RawRecord[]>();
    for (const rec of records) {
      const { key } = rec;
      const partition = rec.partition ?? (key === null ? 0 : partitionForKey(key, this.opts.partitions));
      if (!this.tasks[partition]) throw new RangeError(`partition ${partition} out of range`);
      const tp = `${topic}/${partition}`;
      const offset = this.nextOffset.get(tp) ?? 0;
      this.nextOffset.set(tp, offset + 1);
      let batch = batches.get(partition);
      if (!batch) batches.set(partition, (batch = []));
      batch.push({
        topic,
        partition,
        offset,
        key: key === null ? null : Buffer.from(key),
        value: rec.value,
        timestamp: rec.timestamp ?? this.now,
        headers: rec.headers ?? {},
      });
    }
    for (const [partition, batch] of batches) await this.tasks[partition]!.processBatch(batch);
    if (this.opts.autoCommit) await this.commit();
  }

  /** Moves wall-clock time forward and runs every punctuator that became due. */
  async advanceTime(ms: number): Promise<void> {
    this.now += ms;
    for (const t of this.tasks) await t.punctuate(this.now);
  }

  /** Writes dirty state to the in-memory stores, as a commit cycle would. */
  async commit(): Promise<void> {
    for (const t of this.tasks) {
      await t.flush();
      const meta = Buffer.from(JSON.stringify({ offsets: Object.fromEntries(t.nextOffsets) }));
      for (const s of t.stores.values())
        await s.persist(s.takeDirty(), [{ key: CHECKPOINT_KEY, value: meta }]);
    }
  }

  /** Forgets every record emitted so far (long-running drivers, e.g. benchmarks, read and clear). */
  clearOutputs(): void {
    this.outputs.length = 0;
  }

  /** Records emitted to an output, their values as the bytes that would go to Kafka (null: tombstone). */
  readOutputRaw(output: string): Array<{ key: string | null; value: Buffer | null }> {
    const topic = this.job.outputs[output]?.topic ?? output;
    return this.outputs
      .filter((o) => o.topic === topic)
      .map((o) => ({
        key: o.key === null ? null : o.key.toString(),
        value: o.value === null ? null : Buffer.isBuffer(o.value) ? o.value : Buffer.from(o.value),
      }));
  }

  /** Records emitted to an output (by output name or topic), values parsed from JSON. */
  readOutput<V = unknown>(output: string): Array<TestOutput<V>> {
    const topic = this.job.outputs[output]?.topic ?? output;
    return this.outputs
      .filter((o) => o.topic === topic)
      .map((o) => ({
        topic,
        key: o.key === null ? null : o.key.toString(),
        value: (o.value === null ? null : JSON.parse(o.value.toString())) as V,
        headers: o.headers ?? {},
      }));
  }

  /** Records sent to the job's dead-letter topic, with their original bytes and error headers. */
  readDeadLetters(): Array<{ key: string | null; value: Buffer | null; headers: Headers }> {
    return this.outputs
      .filter((o) => o.topic === `${this.job.name}.dlq`)
      .map((o) => ({
        key: o.key === null ? null : o.key.toString(),
        value: o.value === null ? null : Buffer.isBuffer(o.value) ? o.value : Buffer.from(o.value),
        headers: o.headers ?? {},
      }));
  }

  /** Every entry of a store across all partitions (committed and pending). */
  async readStore<V = unknown>(store: string): Promise<Map<string, V>> {
    const out = new Map<string, V>();
    for (const t of this.tasks) {
      const s = t.stores.get(store);
      if (!s) throw new TypeError(`no store named ${store}`);
      for await (const [k, v] of s.entries()) out.set(k, v as V);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.commit();
    for (const t of this.tasks) {
      await t.close();
      for (const s of t.stores.values()) await s.bytes.close();
    }
  }
}

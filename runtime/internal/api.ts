/**
 * The job-facing API of the runtime, modelled on Kafka Streams' Processor API: a job declares its
 * inputs (topics with zod schemas), its named key-value stores and its outputs; its processor gets
 * `init(ctx)`, `process(record, ctx)` and `close()`.
 */
import type { z } from 'zod';

/** Delivery guarantee of a job's outputs. State is exact (every input applied once) in both modes. */
export type Guarantee = 'at_least_once' | 'exactly_once';

/** What happens to a record that fails its schema or whose processing throws. */
export type ErrorPolicy = 'dead_letter' | 'fail';

export type Headers = Record<string, string>;

/** A record handed to `process`. Offsets are JS numbers (exact up to 2^53). */
export interface InputRecord<V> {
  readonly input: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: V;
  /** Record timestamp (ms since the epoch) as set by the producer or broker. */
  readonly timestamp: number;
  readonly headers: Headers;
}

/**
 * Declares one input: a topic and the zod schema its JSON values must satisfy. Tombstones (records
 * without a value, as on compacted topics) are passed to `process` as `null` when the schema
 * accepts null (`CatalogEvent.nullable()`), and dead-lettered otherwise.
 */
export interface InputSpec<S extends z.ZodType = z.ZodType> {
  topic: string;
  schema: S;
}

/** Declares one output topic and, optionally, the schema emitted values are checked against. */
export interface OutputSpec<S extends z.ZodType = z.ZodType> {
  topic: string;
  schema?: S;
  /** Partitions to create the topic with when it does not exist (default: the job's input partition count). */
  partitions?: number;
  /** Extra topic configs when the runtime creates it (e.g. `{ 'cleanup.policy': 'compact' }`). */
  config?: Record<string, string>;
}

/**
 * Declares a global table: a compacted topic (e.g. the event catalogue) that every task of the job
 * can read in full, like Kafka Streams' GlobalKTable. Each worker loads it entirely before its tasks
 * start and keeps it up to date while they run; values failing the schema are skipped and counted.
 */
export interface GlobalSpec<S extends z.ZodType = z.ZodType> {
  topic: string;
  schema: S;
}

/** Read-only view of a global table (in memory; lookups are synchronous). */
export interface GlobalTable<V> {
  get(key: string): V | undefined;
  readonly size: number;
}

/** Declares a key-value store: string keys, values checked by `schema` and stored as JSON. */
export interface StoreSpec<S extends z.ZodType = z.ZodType> {
  schema: S;
}

/**
 * A typed key-value store local to the task (one per input partition). Reads see the task's own
 * writes immediately. `get` is cheap when the key is the current record's key (the runtime loads the
 * keys of a batch ahead of processing); any other key may cost one disk read.
 */
export interface KeyValueStore<V> {
  get(key: string): Promise<V | undefined>;
  /**
   * The values of several keys, in order, in one call: cached keys are read without waiting and
   * the others in one batched read. Cheaper than a `get` per key when a record reads many.
   */
  getMany(keys: readonly string[]): Promise<Array<V | undefined>>;
  put(key: string, value: V): void;
  delete(key: string): void;
  /** Every entry in key order (committed and pending writes merged). Meant for punctuators and tests. */
  entries(): AsyncIterable<[string, V]>;
}

export type Punctuator = (ctx: ProcessorContext<JobSpec>) => void | Promise<void>;

export interface Cancellable {
  cancel(): void;
}

type StoreValue<J extends JobSpec, N extends keyof J['stores']> = z.infer<J['stores'][N]['schema']>;
type OutputValue<
  J extends JobSpec,
  N extends keyof J['outputs'],
> = J['outputs'][N]['schema'] extends z.ZodType ? z.infer<NonNullable<J['outputs'][N]['schema']>> : unknown;

/** What a processor can see and do while it runs. One context per task. */
export interface ProcessorContext<J extends JobSpec = JobSpec> {
  readonly job: string;
  /** The task's partition (tasks are numbered after their input partition). */
  readonly partition: number;
  /** Topic, partition, offset and timestamp of the record being processed (undefined in punctuators). */
  readonly topic: string | undefined;
  readonly offset: number | undefined;
  readonly timestamp: number | undefined;
  /** Highest record timestamp seen by this task so far (ms), or -1 before the first record. */
  readonly streamTime: number;
  /** Wall-clock time as the runtime sees it (the test driver lets tests move it). */
  now(): number;
  store<N extends keyof J['stores'] & string>(name: N): KeyValueStore<StoreValue<J, N>>;
  /** A global table declared by the job (the same full table in every task). */
  global<N extends keyof J['globals'] & string>(name: N): GlobalTable<z.infer<J['globals'][N]['schema']>>;
  /**
   * Sends a record to one of the job's declared outputs (by output name). Delivered at least once.
   * A `null` value sends a tombstone, which deletes the key from a compacted topic.
   */
  emit<N extends keyof J['outputs'] & string>(
    output: N,
    key: string | null,
    value: OutputValue<J, N>,
    headers?: Headers,
  ): void;
  /** Calls `fn` every `intervalMs` of wall-clock time while the task runs (between batches). */
  schedule(intervalMs: number, fn: Punctuator): Cancellable;
}

/** The processor a job provides: one instance per task. */
export interface Processor<J extends JobSpec = JobSpec> {
  init?(ctx: ProcessorContext<J>): void | Promise<void>;
  process(record: InputRecordOf<J>, ctx: ProcessorContext<J>): void | Promise<void>;
  /**
   * Called at every commit, before the commit point: write effects buffered for external systems
   * (Redis, PostgreSQL) here, idempotently (e.g. versioned upserts), because after a crash the
   * records since the last commit are processed and flushed again. Throw an error with
   * `retriable: true` while a system is unavailable: the flush is retried with backoff and the
   * commit waits; any other error stops the job.
   */
  flush?(ctx: ProcessorContext<J>): void | Promise<void>;
  close?(): void | Promise<void>;
}

export type InputRecordOf<J extends JobSpec> = {
  [N in keyof J['inputs'] & string]: InputRecord<z.infer<J['inputs'][N]['schema']>> & { readonly input: N };
}[keyof J['inputs'] & string];

export interface JobSpec {
  /** Unique name; also the consumer group id and the prefix of the job's internal topics. */
  name: string;
  inputs: Record<string, InputSpec>;
  stores: Record<string, StoreSpec>;
  outputs: Record<string, OutputSpec>;
  globals: Record<string, GlobalSpec>;
}

export interface JobDefinition<J extends JobSpec = JobSpec> extends JobSpec {
  inputs: J['inputs'];
  stores: J['stores'];
  outputs: J['outputs'];
  globals: J['globals'];
  processor: () => Processor<J>;
  guarantee: Guarantee;
  /** How often state, outputs and offsets are committed together (default 1000 ms; 100 ms for exactly-once). */
  commitIntervalMs: number;
  onError: ErrorPolicy;
  description?: string;
}

export interface DefineJobOptions<
  I extends Record<string, InputSpec>,
  S extends Record<string, StoreSpec>,
  O extends Record<string, OutputSpec>,
  G extends Record<string, GlobalSpec> = Record<never, GlobalSpec>,
> {
  name: string;
  description?: string;
  inputs: I;
  stores?: S;
  outputs?: O;
  globals?: G;
  processor: () => Processor<{ name: string; inputs: I; stores: S; outputs: O; globals: G }>;
  guarantee?: Guarantee;
  commitIntervalMs?: number;
  onError?: ErrorPolicy;
}

const NAME = /^[a-z][a-z0-9-]{0,100}$/;

/**
 * Declares a job. Validates names eagerly so a typo fails at import, not at deploy.
 *
 * @example
 * export default defineJob({
 *   name: 'count-clicks',
 *   inputs: { clicks: { topic: 'clicks', schema: z.object({ userId: z.string() }) } },
 *   stores: { counts: { schema: z.number() } },
 *   outputs: { counts: { topic: 'click-counts' } },
 *   processor: () => ({
 *     async process(record, ctx) {
 *       const counts = ctx.store('counts');
 *       const n = ((await counts.get(record.value.userId)) ?? 0) + 1;
 *       counts.put(record.value.userId, n);
 *       ctx.emit('counts', record.value.userId, { userId: record.value.userId, count: n });
 *     },
 *   }),
 * });
 */
export function defineJob<
  I extends Record<string, InputSpec>,
  S extends Record<string, StoreSpec> = Record<never, StoreSpec>,
  O extends Record<string, OutputSpec> = Record<never, OutputSpec>,
  G extends Record<string, GlobalSpec> = Record<never, GlobalSpec>,
>(
  opts: DefineJobOptions<I, S, O, G>,
): JobDefinition<{ name: string; inputs: I; stores: S; outputs: O; globals: G }> {
  if (!NAME.test(opts.name)) throw new TypeError(`job name "${opts.name}" must match ${NAME}`);
  for (const s of Object.keys(opts.stores ?? {})) {
    if (!NAME.test(s)) throw new TypeError(`store name "${s}" of job ${opts.name} must match ${NAME}`);
  }
  if (Object.keys(opts.inputs).length === 0) throw new TypeError(`job ${opts.name} declares no inputs`);
  const guarantee = opts.guarantee ?? 'at_least_once';
  return {
    name: opts.name,
    description: opts.description,
    inputs: opts.inputs,
    stores: opts.stores ?? ({} as S),
    outputs: opts.outputs ?? ({} as O),
    globals: opts.globals ?? ({} as G),
    processor: opts.processor,
    guarantee,
    commitIntervalMs: opts.commitIntervalMs ?? (guarantee === 'exactly_once' ? 100 : 1000),
    onError: opts.onError ?? 'dead_letter',
  };
}

/** Any job, whatever its inputs, stores and outputs (what the runtime and the test driver accept). */
export interface AnyJob extends JobSpec {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  processor: () => Processor<any>;
  guarantee: Guarantee;
  commitIntervalMs: number;
  onError: ErrorPolicy;
  description?: string | undefined;
}

import type { z } from 'zod';
import type {
  Cancellable,
  Headers,
  AnyJob,
  InputRecord,
  KeyValueStore,
  Processor,
  ProcessorContext,
  Punctuator,
} from './api.ts';
import { classify, JobFailedError, type ErrorVerdict } from './errors.ts';
import { GlobalTables } from './global-table.ts';
import type { CachedStore } from './store/cached-store.ts';

/** A record as it comes off Kafka (or the test driver): bytes, not yet decoded. */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: Headers;
}

/** A record the task wants sent: to an output topic or to the dead-letter topic. */
export interface OutRecord {
  topic: string;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Headers | undefined;
}

export interface TaskSink {
  /** Outputs of records that were processed successfully, in order. */
  out: OutRecord[];
}

interface Schedule {
  intervalMs: number;
  next: number;
  fn: Punctuator;
  cancelled: boolean;
}

export interface TaskStats {
  processed: number;
  deadLettered: number;
  emitted: number;
}

/**
 * One task: a job's processor bound to one input partition, its stores and its offsets. Records are
 * applied strictly in offset order. A record's store writes and emits become visible only when
 * `process` succeeds; a failing record leaves no trace except its dead letter.
 */
export class Task {
  readonly stats: TaskStats = { processed: 0, deadLettered: 0, emitted: 0 };
  /** Next offset to read per input topic (the offset after the last record applied). */
  readonly nextOffsets = new Map<string, number>();
  streamTime = -1;
  lastOffset = -1;

  private readonly processor: Processor;
  private readonly ctx: ProcessorContext;
  private readonly topicToInput = new Map<string, { name: string; schema: z.ZodType }>();
  private readonly outputs: Record<string, { topic: string }>;
  private readonly schedules: Schedule[] = [];
  private current: RawRecord | undefined;
  private recordOut: OutRecord[] = [];
  private readonly storeList: Array<CachedStore<unknown>>;

  constructor(
    readonly job: AnyJob,
    readonly partition: number,
    readonly stores: Map<string, CachedStore<unknown>>,
    private readonly sink: TaskSink,
    private readonly clock: () => number,
    private readonly onRetry: (err: Error, attempt: number) => Promise<void> = defaultBackoff,
    private readonly globals: GlobalTables = new GlobalTables(job),
  ) {
    for (const [name, spec] of Object.entries(job.inputs))
      this.topicToInput.set(spec.topic, { name, schema: spec.schema });
    this.outputs = job.outputs;
    this.storeList = [...stores.values()];
    this.processor = job.processor() as Processor;
    this.ctx = this.makeContext();
  }

  async init(): Promise<void> {
    await this.processor.init?.(this.ctx);
  }

  async close(): Promise<void> {
    for (const s of this.schedules) s.cancelled = true;
    await this.processor.close?.();
  }

  /** Loads the state of the batch's keys in one read per store, so `get(record.key)` does not touch disk. */
  async prefetch(records: RawRecord[]): Promise<void> {
    if (this.storeList.length === 0) return;
    const keys = new Set<string>();
    for (const r of records) if (r.key) keys.add(r.key.toString('utf8'));
    await Promise.all(this.storeList.map((s) => s.prefetch(keys)));
  }

  /** Applies records in order. Throws {@link JobFailedError} only under the `fail` policy. */
  async processBatch(records: RawRecord[]): Promise<void> {
    await this.prefetch(records);
    for (const r of records) await this.processOne(r);
  }

  private async processOne(r: RawRecord): Promise<void> {
    const input = this.topicToInput.get(r.topic);
    let attempt = 0;
    for (;;) {
      let verdict: ErrorVerdict | undefined;
      this.current = r;
      this.recordOut.length = 0;
      try {
        if (!input)
          throw Object.assign(new Error(`topic ${r.topic} is not an input of ${this.job.name}`), {
            code: 'UNKNOWN_TOPIC',
          });
        const value = decode(r, input.schema);
        const rec: InputRecord<unknown> = {
          input: input.name,
          topic: r.topic,
          partition: r.partition,
          offset: r.offset,
          key: r.key ? r.key.toString('utf8') : null,
          value,
          timestamp: r.timestamp,
          headers: r.headers,
        };
        if (r.timestamp > this.streamTime) this.streamTime = r.timestamp;
        const p = this.processor.process(rec, this.ctx);
        if (p) await p;
      } catch (err) {
        verdict = classify(err, this.job.onError);
        for (const s of this.storeList) s.abortRecord();
        this.recordOut.length = 0;
        if (verdict.action === 'retry') {
          await this.onRetry(verdict.error, ++attempt);
          continue;
        }
        if (verdict.action === 'fail') {
          throw new JobFailedError(
            `${this.job.name}: record ${r.topic}/${r.partition}@${r.offset} failed: ${verdict.error.message}`,
            { cause: verdict.error },
          );
        }
        this.sink.out.push(deadLetter(this.job.name, r, verdict.code, verdict.error.message, this.clock()));
        this.stats.deadLettered++;
      }
      if (!verdict) {
        for (const s of this.storeList) s.commitRecord(r.offset);
        for (const o of this.recordOut) this.sink.out.push(o);
        this.stats.emitted += this.recordOut.length;
        this.stats.processed++;
      }
      this.recordOut.length = 0;
      this.current = undefined;
      this.nextOffsets.set(r.topic, r.offset + 1);
      this.lastOffset = r.offset;
      return;
    }
  }

  /** Lets the processor write its buffered external effects; retries retriable failures with backoff. */
  async flush(): Promise<void> {
    if (!this.processor.flush) return;
    for (let attempt = 0; ;) {
      try {
        await this.processor.flush(this.ctx);
        return;
      } catch (err) {
        const verdict = classify(err, 'fail');
        if (verdict.action !== 'retry') {
          throw new JobFailedError(`${this.job.name}: flush failed: ${verdict.error.message}`, {
            cause: verdict.error,
          });
        }
        await this.onRetry(verdict.error, ++attempt);
      }
    }
  }

  /** Runs the punctuators that are due at `now`. Their writes are attributed to the last applied offset. */
  async punctuate(now: number): Promise<void> {
    for (const s of this.schedules) {
      if (s.cancelled || now < s.next) continue;
      s.next = now + s.intervalMs;
      this.recordOut.length = 0;
      try {
        await s.fn(this.ctx);
        for (const st of this.storeList) st.commitRecord(this.lastOffset);
        for (const o of this.recordOut) this.sink.out.push(o);
      } catch (err) {
        for (const st of this.storeList) st.abortRecord();
        if (this.job.onError === 'fail')
          throw new JobFailedError(`${this.job.name}: punctuator failed`, { cause: err });
      }
      this.recordOut.length = 0;
    }
  }

  private makeContext(): ProcessorContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- getters below read live task fields
    const task = this;
    return {
      job: this.job.name,
      partition: this.partition,
      get topic() {
        return task.current?.topic;
      },
      get offset() {
        return task.current?.offset;
      },
      get timestamp() {
        return task.current?.timestamp;
      },
      get streamTime() {
        return task.streamTime;
      },
      now: () => this.clock(),
      store: (name: string): KeyValueStore<unknown> => {
        const s = this.stores.get(name);
        if (!s) throw new TypeError(`${this.job.name}: no store named "${name}"`);
        return s;
      },
      global: (name: string) => this.globals.get(name),
      emit: (output: string, key: string | null, value: unknown, headers?: Headers) => {
        const spec = this.outputs[output];
        if (!spec) throw new TypeError(`${this.job.name}: no output named "${output}"`);
        // null is a tombstone (no value): on a compacted topic it deletes the key.
        const encoded = value === null ? null : JSON.stringify(value);
        this.recordOut.push({ topic: spec.topic, key, value: encoded, headers });
      },
      schedule: (intervalMs: number, fn: Punctuator): Cancellable => {
        if (!(intervalMs > 0)) throw new RangeError('schedule interval must be > 0 ms');
        const s: Schedule = { intervalMs, next: this.clock() + intervalMs, fn, cancelled: false };
        this.schedules.push(s);
        return { cancel: () => void (s.cancelled = true) };
      },
    } as ProcessorContext;
  }
}

class DecodeError extends Error {
  constructor(
    readonly code: 'JSON_INVALID' | 'SCHEMA_INVALID' | 'VALUE_MISSING',
    message: string,
  ) {
    super(message);
  }
}

function decode(r: RawRecord, schema: z.ZodType): unknown {
  if (r.value === null) {
    // A tombstone reaches the processor (as null) only where the input's schema accepts null.
    if (schema.safeParse(null).success) return null;
    throw new DecodeError('VALUE_MISSING', 'record has no value');
  }
  let json: unknown;
  try {
    json = JSON.parse(r.value.toString('utf8'));
  } catch (err) {
    throw new DecodeError('JSON_INVALID', `value is not JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`)
      .join('; ');
    throw new DecodeError('SCHEMA_INVALID', issues);
  }
  return parsed.data;
}

export function deadLetter(job: string, r: RawRecord, code: string, message: string, now: number): OutRecord {
  return {
    topic: `${job}.dlq`,
    key: r.key,
    value: r.value,
    headers: {
      ...r.headers,
      'pulse.error.code': code,
      'pulse.error.message': message.slice(0, 2000),
      'pulse.source.topic': r.topic,
      'pulse.source.partition': String(r.partition),
      'pulse.source.offset': String(r.offset),
      'pulse.job': job,
      'pulse.time': new Date(now).toISOString(),
    },
  };
}

/** Wait before retry `attempt` (from 1) of a retriable failure: 200 ms doubling to 30 s. */
export const RETRY_CAP_MS = 30_000;
export function retryDelayMs(attempt: number): number {
  return Math.min(RETRY_CAP_MS, 100 * 2 ** Math.min(attempt, 9));
}

async function defaultBackoff(_err: Error, attempt: number): Promise<void> {
  await new Promise((r) => setTimeout(r, retryDelayMs(attempt)));
}

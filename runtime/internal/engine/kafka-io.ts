/**
 * Promise-shaped wrappers over the client's node-rdkafka-style consumer and producer: the runtime's
 * hot loop takes arrays of messages per `consume(n)` call and tracks every delivery report, which the
 * KafkaJS-compatible API hides.
 */
import {
  ErrorCodes,
  GROUP_FETCH_PARTITION_BYTES,
  PRODUCER_BATCH_BYTES,
  RdKafkaConsumer,
  RdKafkaProducer,
  type RdConsumer,
  type RdMessage,
  type RdProducer,
} from '../kafka.ts';
import type { Headers } from '../api.ts';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface RebalanceEvent {
  kind: 'assign' | 'revoke';
  partitions: TopicPartition[];
  lost: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const promisify = <T = unknown>(fn: (cb: (err: any, v?: any) => void) => void): Promise<T> =>
  new Promise((resolve, reject) =>
    fn((err, v) => (err ? reject(kafkaError(err as { message: string; code: number })) : resolve(v as T))),
  );

interface TimeoutMode {
  setDefaultIsTimeoutOnlyForFirstMessage(on: boolean): void;
}

/** Cooperative-rebalancing methods the client has but its type declarations omit. */
interface IncrementalConsumer {
  incrementalAssign(tps: TopicPartition[]): void;
  incrementalUnassign(tps: TopicPartition[]): void;
  assignmentLost(): boolean;
  rebalanceProtocol(): string;
}

export interface GroupConsumerOptions {
  brokers: string[];
  groupId: string;
  clientId: string;
  /** 'consumer' = KIP-848 (Kafka 4); 'classic' uses cooperative-sticky. */
  protocol: 'consumer' | 'classic';
  /**
   * The group reads several topics whose partition p belongs to one task (co-partitioned inputs):
   * partition p of every topic must go to the same member. KIP-848 groups then use the broker's
   * range assignor (the default, uniform, spreads each topic on its own); classic groups use the
   * eager range strategy, as cooperative-sticky does not keep topics together.
   */
  coPartitioned?: boolean;
  isolation: 'read_committed' | 'read_uncommitted';
  extra?: Record<string, unknown>;
}

/**
 * The group member of a job. Rebalance events are queued, not acted on in the callback: the job's
 * loop drains them between batches (commit before giving partitions up), exactly as the client's own
 * KafkaJS layer does, and calls {@link incrementalAssign}/{@link incrementalUnassign} itself.
 */
type CommitError = { code: number; message?: string } | null | undefined;

export class GroupConsumer {
  readonly raw: RdConsumer;
  readonly rebalances: RebalanceEvent[] = [];
  /**
   * Group offsets the broker refused (reported by librdkafka's offset-commit callback), for example
   * during a rebalance that bumped the member epoch. {@link commit} is fire-and-forget, so whoever
   * committed must commit these partitions again: see {@link takeCommitFailures}.
   */
  private commitFailures: Array<TopicPartition & { offset?: number; error: string }> = [];
  private closing = false;
  /** Eager rebalancing (classic range): events carry whole assignments, applied with assign/unassign. */
  private readonly eager: boolean;

  constructor(readonly opts: GroupConsumerOptions) {
    const conf: Record<string, unknown> = {
      'bootstrap.servers': opts.brokers.join(','),
      'group.id': opts.groupId,
      'client.id': opts.clientId,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'enable.partition.eof': false,
      'isolation.level': opts.isolation,
      // A fetch waits for 16 KiB or 10 ms, whichever comes first. With fetch.min.bytes = 1 every
      // fetch returned as soon as one record arrived: in live traffic a stream of tiny fetches
      // whose per-request cost the broker and the client pay on the same cores as the job.
      // Alternating runs at 4,800 events/s against one worker (pulse bench compare's probe on a
      // 300,000-user state): p99 1,347 / 655 / 1,341 ms at 1 byte and 50 ms, 928 / 526 / 809 ms
      // at 16 KiB and 10 ms (32 KiB and 20 ms: 2,012 / 541 / 905). The price: a record arriving
      // on a quiet input waits up to 10 ms for its fetch.
      'fetch.wait.max.ms': 10,
      'fetch.min.bytes': 16 * 1024,
      // The prefetch queue is one FIFO for every assigned partition, and a fetch brings up to
      // max.partition.fetch.bytes of *compressed* batches per partition. At librdkafka's defaults
      // (1 MiB, 20,000 messages, 1 s back-off once the queue is over them) a fetch round over a
      // backlog queued ~15,000 events per partition: seconds of work that every record fetched
      // later waits behind. Small fetches and a short back-off keep the queue under a second of
      // work: at 50 % of the pipeline's maximum rate, p99 latency 1,075 → 523 ms, at 80 %
      // 9,053 → 5,088 ms, peak RSS 864 → 739 MiB (pulse bench compare, 300,000 users).
      'max.partition.fetch.bytes': GROUP_FETCH_PARTITION_BYTES,
      'queued.min.messages': 2_000,
      'queued.max.messages.kbytes': 32_768,
      'fetch.queue.backoff.ms': 50,
      'socket.keepalive.enable': true,
      offset_commit_cb: (err: CommitError, offsets?: unknown) => this.onOffsetCommit(err, offsets),
      rebalance_cb: (err: { code: number }, assignment: TopicPartition[]) => {
        const kind = err.code === ErrorCodes.ERR__ASSIGN_PARTITIONS ? 'assign' : 'revoke';
        if (this.closing) {
          // Leaving the group: librdkafka waits for the revocation to be acknowledged here.
          try {
            if (kind === 'revoke') this.incrementalUnassign(assignment);
          } catch {
            // already unassigned
          }
          return;
        }
        let lost = false;
        try {
          lost = kind === 'revoke' && (this.raw as unknown as IncrementalConsumer).assignmentLost();
        } catch {
          lost = false;
        }
        this.rebalances.push({
          kind,
          partitions: assignment.map((a) => ({ topic: a.topic, partition: a.partition })),
          lost,
        });
      },
      ...opts.extra,
    };
    this.eager = opts.protocol === 'classic' && !!opts.coPartitioned;
    if (opts.protocol === 'consumer') {
      conf['group.protocol'] = 'consumer';
      if (opts.coPartitioned) conf['group.remote.assignor'] = 'range';
    } else {
      conf['partition.assignment.strategy'] = this.eager ? 'range' : 'cooperative-sticky';
      conf['session.timeout.ms'] = 10_000;
      conf['heartbeat.interval.ms'] = 1000;
    }
    this.raw = new RdKafkaConsumer(conf, { 'auto.offset.reset': 'earliest' });
  }

  async connect(): Promise<void> {
    await promisify((cb) => this.raw.connect({ timeout: 30_000 }, cb));
    this.raw.setDefaultConsumeTimeout(100);
    // Wait up to the timeout for the first message only; then hand over what is already fetched.
    (this.raw as unknown as TimeoutMode).setDefaultIsTimeoutOnlyForFirstMessage(true);
  }

  subscribe(topics: string[]): void {
    this.raw.subscribe(topics);
  }

  /** Up to `max` messages, waiting at most ~100 ms. Rebalance events are queued meanwhile. */
  consume(max: number): Promise<RdMessage[]> {
    return new Promise((resolve, reject) => {
      this.raw.consume(max, (err, messages) => {
        if (err && err.code !== ErrorCodes.ERR__TIMED_OUT && err.code !== ErrorCodes.ERR__PARTITION_EOF)
          reject(kafkaError(err));
        else resolve(messages ?? []);
      });
    });
  }

  /** Must be called for every assign event, even an empty one: KIP-848 waits for the acknowledgement. */
  incrementalAssign(tps: TopicPartition[]): void {
    if (this.eager) this.raw.assign(tps);
    else (this.raw as unknown as IncrementalConsumer).incrementalAssign(tps);
  }

  /** Must be called for every revoke event, even an empty one. */
  incrementalUnassign(tps: TopicPartition[]): void {
    if (this.eager) this.raw.unassign();
    else (this.raw as unknown as IncrementalConsumer).incrementalUnassign(tps);
  }

  pause(tps: TopicPartition[]): void {
    if (tps.length) this.raw.pause(tps);
  }

  resume(tps: TopicPartition[]): void {
    if (tps.length) this.raw.resume(tps);
  }

  seek(tp: TopicPartition, offset: number): Promise<void> {
    return promisify((cb) => this.raw.seek({ ...tp, offset }, 10_000, cb));
  }

  /** librdkafka's offset-commit callback: records what the broker refused, per partition. */
  onOffsetCommit(err: CommitError, offsets?: unknown): void {
    const list = (Array.isArray(offsets) ? offsets : []) as Array<
      TopicPartition & { offset?: unknown; error?: { message?: string } | string }
    >;
    // "No offset to commit" is not a failure; anything else is, for the whole list or a partition.
    const failed = err && err.code !== ErrorCodes.ERR__NO_OFFSET ? list : list.filter((o) => o.error);
    for (const o of failed)
      this.commitFailures.push({
        topic: o.topic,
        partition: o.partition,
        ...(typeof o.offset === 'number' ? { offset: o.offset } : {}),
        error:
          (typeof o.error === 'string' ? o.error : o.error?.message) ?? err?.message ?? String(err?.code),
      });
  }

  /** Group offset commits refused since the last call (see {@link commitFailures}). */
  takeCommitFailures(): Array<TopicPartition & { offset?: number; error: string }> {
    return this.commitFailures.splice(0);
  }

  /**
   * Commits group offsets in the background (monitoring only: recovery never reads them); refusals
   * come back through {@link takeCommitFailures}.
   */
  commit(offsets: Array<TopicPartition & { offset: number; metadata?: string }>): void {
    if (offsets.length) this.raw.commit(offsets);
  }

  /** Leaves the group (acknowledging the final revocation itself) and closes the client. */
  disconnect(): Promise<void> {
    this.closing = true;
    return promisify<void>((cb) => this.raw.disconnect(cb)).then(
      () => undefined,
      () => undefined,
    );
  }
}

/**
 * The prefetch of a consumer that reads whole partitions (a restore, a global table's load): a
 * deep queue, refilled as soon as it has room. A fetch that fills the queue past
 * queued.min.messages makes librdkafka back off fetching for fetch.queue.backoff.ms (1 s by
 * default) instead of fetching again once the queue has room: a restore drained ~70,000 records in
 * 0.4 s and then waited 0.6 s idle, every time (1.1M records of a 1M-user changelog, read and
 * discarded: 14.2 s → 7.2-7.4 s at 5-20 ms).
 */
export const BULK_READ_PREFETCH = {
  'queued.min.messages': 50_000,
  'fetch.queue.backoff.ms': 10,
} as const;

/** A plain assign-only consumer (no group) for reading changelog and checkpoint partitions. */
export class ReaderConsumer {
  readonly raw: RdConsumer;

  constructor(brokers: string[], clientId: string, isolation: 'read_committed' | 'read_uncommitted') {
    this.raw = new RdKafkaConsumer(
      {
        'bootstrap.servers': brokers.join(','),
        'group.id': `${clientId}-reader`,
        'client.id': clientId,
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        'isolation.level': isolation,
        'fetch.wait.max.ms': 20,
        ...BULK_READ_PREFETCH,
        // A restore reads one partition at a time: at the default 1 MiB per partition, a fetch round
        // trip per ~2,000 changelog records bounds the read (300,000 records of 530 bytes: 3.7 s at
        // 1 MiB, 2.4 s at 4 MiB; 8 MiB gained nothing more).
        'max.partition.fetch.bytes': 4 * 1024 * 1024,
      },
      { 'auto.offset.reset': 'earliest' },
    );
  }

  async connect(): Promise<void> {
    await promisify((cb) => this.raw.connect({ timeout: 30_000 }, cb));
    this.raw.setDefaultConsumeTimeout(100);
    (this.raw as unknown as TimeoutMode).setDefaultIsTimeoutOnlyForFirstMessage(true);
  }

  watermarks(tp: TopicPartition): Promise<{ low: number; high: number }> {
    return promisify<{ lowOffset: number; highOffset: number }>((cb) => {
      this.raw.queryWatermarkOffsets(tp.topic, tp.partition, 10_000, cb);
    }).then((w) => ({ low: w.lowOffset, high: w.highOffset }));
  }

  /**
   * Reads `tp` from `from` up to (not including) `to`, handing over batches. Offsets past `to` are
   * not delivered. Control records of transactions occupy offsets but are never delivered, so the
   * read ends when the consumer's position reaches `to`.
   */
  async readRange(
    tp: TopicPartition,
    from: number,
    to: number,
    onBatch: (msgs: RdMessage[]) => Promise<void> | void,
  ): Promise<void> {
    if (from >= to) return;
    this.raw.assign([{ ...tp, offset: from }]);
    try {
      let idle = 0;
      for (;;) {
        const msgs = await new Promise<RdMessage[]>((resolve, reject) =>
          this.raw.consume(5000, (err, m) =>
            err && err.code !== ErrorCodes.ERR__TIMED_OUT ? reject(kafkaError(err)) : resolve(m ?? []),
          ),
        );
        const inRange = msgs.filter((m) => m.offset < to);
        if (inRange.length) await onBatch(inRange);
        const last = msgs[msgs.length - 1];
        if (last && last.offset >= to - 1) return;
        const pos = this.raw.position([tp])[0]?.offset;
        if (typeof pos === 'number' && pos >= to) return;
        idle = msgs.length ? 0 : idle + 1;
        if (idle > 600)
          throw new Error(`reading ${tp.topic}/${tp.partition} stalled at ${pos ?? '?'} before ${to}`);
      }
    } finally {
      this.raw.unassign();
    }
  }

  disconnect(): Promise<void> {
    return promisify<void>((cb) => this.raw.disconnect(cb)).then(
      () => undefined,
      () => undefined,
    );
  }
}

export interface ProduceRecord {
  topic: string;
  partition?: number | undefined;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Headers | undefined;
}

/** A record produced with a delivery callback: its generation and the callback. */
interface Sent {
  gen: number;
  cb: (err: Error | null, offset: number) => void;
}

/**
 * An idempotent producer (acks=all) that counts what is in flight and records the highest offset
 * delivered per topic-partition, so the commit cycle can wait until the broker confirmed everything
 * and knows where each changelog ends.
 */
export class TrackedProducer {
  readonly raw: RdProducer;
  private inFlight = 0;
  private firstError: Error | undefined;
  private waiters: Array<() => void> = [];
  /** Highest delivered offset + 1 per "topic/partition", since the last {@link takeDelivered}. */
  private delivered = new Map<string, number>();
  /**
   * Records are produced in generations ({@link mark} closes one): records in flight per open
   * generation, oldest first (only the newest generation ever gains records, so insertion order
   * stays ascending), and who waits for which generation to be acknowledged.
   */
  private gen = 0;
  private closed = false;
  private readonly genInFlight = new Map<number, number>();
  private genWaiters: Array<{ upTo: number; resolve: () => void }> = [];

  constructor(brokers: string[], clientId: string, transactionalId?: string) {
    const conf: Record<string, unknown> = {
      'bootstrap.servers': brokers.join(','),
      'client.id': clientId,
      'enable.idempotence': true,
      acks: -1,
      'linger.ms': 5,
      'batch.num.messages': 10_000,
      'batch.size': PRODUCER_BATCH_BYTES,
      'queue.buffering.max.messages': 500_000,
      'queue.buffering.max.kbytes': 262_144,
      'compression.type': 'lz4',
      partitioner: 'murmur2_random',
      // Retry until the broker is back (like Kafka Streams' delivery.timeout.ms = MAX): a delivery
      // failure would force the job to stop; an outage should only pause it.
      'message.timeout.ms': 0,
      dr_cb: true,
    };
    if (transactionalId) {
      conf['transactional.id'] = transactionalId;
      conf['transaction.timeout.ms'] = 60_000;
    }
    this.raw = new RdKafkaProducer(conf);
    this.raw.on('delivery-report', (err, report) => {
      this.inFlight--;
      const opaque = report.opaque as number | Sent;
      const gen = typeof opaque === 'number' ? opaque : opaque.gen;
      if (typeof opaque !== 'number') opaque.cb(err ? new Error(err.message) : null, report.offset);
      // Records purged by an aborted transaction were meant to vanish: not a delivery failure.
      const purged =
        err && (err.code === ErrorCodes.ERR__PURGE_QUEUE || err.code === ErrorCodes.ERR__PURGE_INFLIGHT);
      if (err && !purged) {
        this.firstError ??= new Error(
          `delivery to ${report.topic}/${report.partition} failed: ${err.message}`,
        );
      } else if (!err) {
        const k = `${report.topic}/${report.partition}`;
        const end = report.offset + 1;
        if ((this.delivered.get(k) ?? -1) < end) this.delivered.set(k, end);
      }
      const left = (this.genInFlight.get(gen) ?? 1) - 1;
      if (left > 0) this.genInFlight.set(gen, left);
      else {
        this.genInFlight.delete(gen);
        if (this.genWaiters.length) this.wakeGenWaiters();
      }
      if (this.inFlight === 0) for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Oldest generation with records in flight (Infinity when none). */
  private oldestInFlight(): number {
    for (const g of this.genInFlight.keys()) return g;
    return Number.POSITIVE_INFINITY;
  }

  private wakeGenWaiters(): void {
    const oldest = this.oldestInFlight();
    const still: typeof this.genWaiters = [];
    for (const w of this.genWaiters) {
      if (w.upTo < oldest) w.resolve();
      else still.push(w);
    }
    this.genWaiters = still;
  }

  /**
   * Closes the current generation of records and returns its number: {@link flushUpTo} with it
   * waits for everything produced until now, not for what is produced after (so a commit can wait
   * for its records while processing goes on producing more).
   */
  mark(): number {
    return this.gen++;
  }

  async connect(): Promise<void> {
    await promisify((cb) => this.raw.connect({ timeout: 30_000 }, cb));
    this.raw.setPollInterval(5);
  }

  produce(r: ProduceRecord, opaque?: (err: Error | null, offset: number) => void): void {
    let headers: Array<Record<string, string>> | undefined;
    if (r.headers) for (const k in r.headers) (headers ??= []).push({ [k]: r.headers[k]! });
    const value = r.value === null ? null : typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    // String keys would cross into C as NUL-terminated strings; runtime keys may contain NUL.
    const key = r.key === null ? undefined : typeof r.key === 'string' ? Buffer.from(r.key) : r.key;
    for (let attempt = 0; ; attempt++) {
      try {
        const gen = this.gen;
        this.raw.produce(
          r.topic,
          r.partition ?? -1,
          value,
          key,
          Date.now(),
          opaque ? { gen, cb: opaque } : gen,
          headers,
        );
        this.inFlight++;
        this.genInFlight.set(gen, (this.genInFlight.get(gen) ?? 0) + 1);
        return;
      } catch (err) {
        // Local queue full: let the delivery thread drain, then retry (bounded memory, no loss).
        if ((err as { code?: number }).code === ErrorCodes.ERR__QUEUE_FULL && attempt < 10_000) {
          this.raw.poll();
          continue;
        }
        throw err;
      }
    }
  }

  /** Produces one record and resolves with its offset once the broker acknowledged it. */
  send(r: ProduceRecord): Promise<number> {
    return new Promise((resolve, reject) =>
      this.produce(r, (err, offset) => (err ? reject(err) : resolve(offset))),
    );
  }

  /**
   * Resolves when every record of generations up to `upTo` ({@link mark}) is acknowledged, whatever
   * was produced since; rejects with the first delivery error. No deadline: while the broker is
   * unreachable the producer keeps retrying (message.timeout.ms is infinite) and this waits,
   * reporting progress through `onSlow` every 10 s.
   */
  async flushUpTo(upTo: number, onSlow?: (inFlight: number, waitedMs: number) => void): Promise<void> {
    const t0 = Date.now();
    let lastReport = t0;
    while (this.oldestInFlight() <= upTo) {
      if (this.closed) throw new Error('producer closed while waiting for acknowledgements');
      if (onSlow && Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        onSlow(this.inFlight, lastReport - t0);
      }
      await new Promise<void>((resolve) => {
        this.genWaiters.push({ upTo, resolve });
        setTimeout(resolve, 50);
        this.raw.poll();
      });
    }
    this.throwFirstError();
  }

  private throwFirstError(): void {
    if (this.firstError) {
      const e = this.firstError;
      this.firstError = undefined;
      throw e;
    }
  }

  /** Resolves when every record produced so far is acknowledged; rejects with the first delivery error. */
  async flushAll(onSlow?: (inFlight: number, waitedMs: number) => void): Promise<void> {
    if (this.inFlight > 0) {
      // No deadline: while the broker is unreachable the producer keeps retrying (message.timeout.ms
      // is infinite), the commit waits, and nothing is lost or dead-lettered. Progress is reported.
      const t0 = Date.now();
      let lastReport = t0;
      await promisify((cb) => this.raw.flush(1000, cb)).catch(() => undefined);
      while (this.inFlight > 0) {
        if (onSlow && Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          onSlow(this.inFlight, lastReport - t0);
        }
        await new Promise<void>((resolve) => {
          this.waiters.push(resolve);
          setTimeout(resolve, 50);
          this.raw.poll();
        });
      }
    }
    this.throwFirstError();
  }

  /** End offsets (last delivered + 1) per "topic/partition" since the previous call. */
  takeDelivered(): Map<string, number> {
    const d = this.delivered;
    this.delivered = new Map();
    return d;
  }

  initTransactions(): Promise<void> {
    return promisify((cb) => this.raw.initTransactions(30_000, cb));
  }
  beginTransaction(): Promise<void> {
    return promisify((cb) => this.raw.beginTransaction(cb));
  }
  sendOffsetsToTransaction(
    offsets: Array<TopicPartition & { offset: number }>,
    consumer: GroupConsumer,
  ): Promise<void> {
    return promisify((cb) => this.raw.sendOffsetsToTransaction(offsets, consumer.raw, 30_000, cb));
  }
  commitTransaction(): Promise<void> {
    return promisify((cb) => this.raw.commitTransaction(60_000, cb));
  }
  abortTransaction(): Promise<void> {
    return promisify((cb) => this.raw.abortTransaction(30_000, cb));
  }

  disconnect(): Promise<void> {
    this.closed = true;
    return promisify<void>((cb) => this.raw.disconnect(cb)).then(
      () => undefined,
      () => undefined,
    );
  }
}

/** librdkafka errors are plain objects; turn them into Errors that keep the code. */
function kafkaError(err: { message: string; code: number }): Error {
  if (err instanceof Error) return err;
  return Object.assign(new Error(err.message), { code: err.code });
}

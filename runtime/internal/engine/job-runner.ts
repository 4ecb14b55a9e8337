import type { AnyJob } from '../api.ts';
import type { RdMessage } from '../kafka.ts';
import type { RocksOptions } from '../store/rocks-store.ts';
import {
  CacheBudget,
  DEFAULT_CACHE_ENTRIES,
  type CachedStore,
  type DirtyEntry,
} from '../store/cached-store.ts';
import { retryDelayMs, RETRY_CAP_MS, Task, type OutRecord, type RawRecord } from '../task.ts';
import {
  CLAIM_PREFIX,
  EPOCH_HEADER,
  checkpointKey,
  claimCheckpoint,
  judgeLocal,
  newestCheckpoint,
  parseCheckpoint,
  RestoreFilter,
  type Checkpoint,
} from './checkpoint.ts';
import {
  epochHeaders,
  FRAME_BYTES,
  frame,
  framePayload,
  isFramed,
  writeFrame,
  writerEpoch,
} from './changelog-frame.ts';
import { GlobalTables } from '../global-table.ts';
import { GlobalReader } from './global-reader.ts';
import { GroupConsumer, ReaderConsumer, TrackedProducer, type TopicPartition } from './kafka-io.ts';
import { localMetaOp, openTaskStore, wipeStore } from './task-state.ts';
import {
  backoffMs,
  isDiskFullError,
  isRetriableKafkaError,
  isTransientStoreError,
  StateCorruptedError,
  sleepUnless,
} from '../errors.ts';
import { changelogTopic, checkpointTopic, ensureTopics } from './topics.ts';

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Observers the worker plugs metrics into. All optional. */
export interface RunnerHooks {
  records?(
    job: string,
    partition: number,
    consumed: number,
    stats: { processed: number; deadLettered: number; emitted: number },
  ): void;
  batchLatency?(job: string, seconds: number): void;
  commit?(job: string, seconds: number): void;
  restore?(job: string, partition: number, store: string, restored: number, total: number): void;
  rebalance?(job: string, kind: 'assign' | 'revoke', partitions: number): void;
  lag?(job: string, topic: string, partition: number, lag: number): void;
}

export interface RunnerOptions {
  brokers: string[];
  stateDir: string;
  workerId: string;
  /** The worker's HTTP port; the Kafka client.id becomes `<job>.<worker>@<port>` so tools find /status. */
  statusPort?: number;
  log: Logger;
  /** KIP-848 `consumer` protocol (default) or `classic` with cooperative-sticky. */
  protocol?: 'consumer' | 'classic';
  rocks?: RocksOptions;
  /** Entries kept in memory by every store of this job's tasks together (when no budget is given). */
  maxCachedEntries?: number;
  /**
   * Bytes the job's consumer fetches per partition and request (default 128 KiB). Raise it only
   * when producers of its inputs write larger batches (docs/workers.md).
   */
  fetchPartitionBytes?: number | undefined;
  /** A budget shared with the worker's other jobs (see {@link CacheBudget}); wins over maxCachedEntries. */
  cacheBudget?: CacheBudget;
  /** Records per `consume` call. */
  maxBatch?: number;
  hooks?: RunnerHooks;
  /** Test-only: kill the process at a named step of the commit cycle (see {@link CommitStep}). */
  crashAt?: { step: CommitStep; nth: number } | undefined;
  /** Test-only (exactly-once): make the n-th transaction commit fail as if the broker refused it. */
  failTxnAt?: number | undefined;
}

/** The steps of the commit cycle, in order; a crash is injected after the named one in tests. */
export type CommitStep =
  | 'changelog-produced'
  | 'outputs-flushed'
  | 'checkpoint-written'
  | 'first-store-persisted'
  | 'local-persisted'
  | 'group-committed';

interface Slot {
  partition: number;
  state: 'restoring' | 'running';
  epoch: number;
  cp: Checkpoint | undefined;
  task: Task | undefined;
  stores: Map<string, CachedStore<unknown>>;
  ends: Map<string, number>;
  expected: Map<string, number>;
  restoring: Promise<void> | undefined;
  cancelled: boolean;
  restore: { store: string; done: number; total: number } | undefined;
  /** Last applied offset at the previous commit (skip tasks that did nothing). */
  committedMark: number;
  /** When the task last received records (or started): drives the fetch watchdog. */
  lastProgressAt: number;
}

/** One commit cycle, from its snapshot (steps 0-1) to its end (step 5). */
interface CommitCycle {
  t0: number;
  /** When each step ended (for the slow-commit log). */
  ph: Array<[string, number]>;
  /** The tasks it commits, and per task its snapshot: dirty entries per store, next input offsets. */
  running: Slot[];
  dirty: Map<Slot, Map<string, DirtyEntry[]>>;
  offsets: Map<Slot, Record<string, number>>;
  groupOffsets: Array<TopicPartition & { offset: number }>;
  /** Steps 2-3; false when an exactly-once cycle was aborted. */
  kafka: Promise<boolean>;
  /** Steps 2-3 are over (acknowledged or failed). */
  acked: boolean;
}

export interface TaskStatus {
  partition: number;
  state: 'restoring' | 'running';
  epoch: number;
  nextOffsets: Record<string, number>;
  restore: { store: string; done: number; total: number } | undefined;
  processed: number;
  deadLettered: number;
}

/**
 * Runs one job in this process: one consumer-group member, one task per assigned input partition.
 *
 * Guarantee: the state of every store equals applying each input record exactly once, across
 * crashes (kill -9 at any point), rebalances and partition moves. Outputs are at-least-once, or
 * exactly-once for read_committed readers with `guarantee: 'exactly_once'`.
 */
export class JobRunner {
  private consumer!: GroupConsumer;
  private producer!: TrackedProducer;
  private control!: TrackedProducer;
  private reader!: ReaderConsumer;
  private readonly slots = new Map<number, Slot>();
  /** Input partitions currently assigned to this worker (`topic/partition`). */
  private readonly assigned = new Set<string>();
  private readonly out: OutRecord[] = [];
  private readonly sink = { out: this.out };
  private stopping = false;
  private loop: Promise<void> | undefined;
  private partitions = 0;
  private inputTopics: string[] = [];
  private lastCommit = Date.now();
  /** The commit cycle whose snapshot is taken and which has not finished (see the commit cycle). */
  private cycle: CommitCycle | undefined;
  private crashCounter = 0;
  private txnOpen = false;
  private txnCommits = 0;
  private lastWatchdog = Date.now();
  /** The loop's current step and when it began: a stalled loop is reported by {@link stallTimer}. */
  private loopStep = 'start';
  private loopStepAt = Date.now();
  private stallTimer: ReturnType<typeof setInterval> | undefined;
  private stallReported = false;
  private recoveries: Promise<void> = Promise.resolve();
  /** Clients created by the current start attempt (closed if it fails). */
  private readonly startClients: Array<{ disconnect(): Promise<unknown> }> = [];
  private readonly globals: GlobalTables;
  private globalReader: GlobalReader | undefined;
  /** The group has answered with a first assignment (possibly empty): until then, not ready. */
  private assignedOnce = false;
  failure: Error | undefined;
  private readonly eos: boolean;
  private readonly maxBatch: number;
  private readonly maxCached: CacheBudget;

  constructor(
    readonly job: AnyJob,
    private readonly opts: RunnerOptions,
  ) {
    this.eos = job.guarantee === 'exactly_once';
    this.maxBatch = opts.maxBatch ?? 5000;
    this.maxCached = opts.cacheBudget ?? new CacheBudget(opts.maxCachedEntries ?? DEFAULT_CACHE_ENTRIES);
    this.globals = new GlobalTables(job);
  }

  /** True once every assigned task has restored its state and is processing. */
  get ready(): boolean {
    return (
      this.loop !== undefined &&
      this.assignedOnce &&
      !this.failure &&
      [...this.slots.values()].every((s) => s.state === 'running')
    );
  }

  status(): TaskStatus[] {
    return [...this.slots.values()]
      .sort((a, b) => a.partition - b.partition)
      .map((s) => ({
        partition: s.partition,
        state: s.state,
        epoch: s.epoch,
        nextOffsets: Object.fromEntries(s.task?.nextOffsets ?? s.expected),
        restore: s.restore,
        processed: s.task?.stats.processed ?? 0,
        deadLettered: s.task?.stats.deadLettered ?? 0,
      }));
  }

  /** Lag per input partition (from the consumer's cached watermarks) and state size per store. */
  async sample(): Promise<{
    lag: Array<{ topic: string; partition: number; lag: number }>;
    state: Array<{ partition: number; store: string; bytes: number }>;
  }> {
    const lag = [];
    const state = [];
    for (const slot of this.slots.values()) {
      if (slot.state !== 'running') continue;
      for (const topic of this.inputTopics) {
        try {
          const w = this.consumer.raw.getWatermarkOffsets(topic, slot.partition);
          const next = slot.task!.nextOffsets.get(topic) ?? slot.expected.get(topic) ?? 0;
          if (w.highOffset >= 0)
            lag.push({ topic, partition: slot.partition, lag: Math.max(0, w.highOffset - next) });
        } catch {
          // watermarks not known yet
        }
      }
      for (const [store, st] of slot.stores)
        state.push({
          partition: slot.partition,
          store,
          bytes: await st.bytes.approximateSize().catch(() => 0),
        });
    }
    return { lag, state };
  }

  /**
   * Connects to Kafka, prepares topics and joins the group, then starts the loop. A broker that is
   * unreachable or still electing leaders/coordinators ({@link isRetriableKafkaError}) is waited for,
   * as Kafka Streams does: each failed attempt closes what it opened, is logged at warn and retried
   * after a capped exponential backoff (0.5 s to 10 s); the job is not ready meanwhile. Any other
   * error (configuration, authentication, topology) is thrown. Returns without starting if
   * {@link stop} is called while waiting.
   */
  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.startOnce();
        // stop() called while this attempt was connecting returned early: finish it now.
        if (this.stopping) await this.stop();
        return;
      } catch (err) {
        await this.closeClients();
        if (this.stopping) return;
        if (!isRetriableKafkaError(err)) throw err;
        const delayMs = backoffMs(attempt);
        this.opts.log.warn('cannot reach Kafka at start; retrying', {
          job: this.job.name,
          attempt: attempt + 1,
          retryInMs: delayMs,
          error: (err as Error).message,
        });
        await sleepUnless(delayMs, () => this.stopping);
        if (this.stopping) return;
      }
    }
  }

  /** Disconnects the clients a failed start attempt created. */
  private async closeClients(): Promise<void> {
    const clients = this.startClients.splice(0);
    await Promise.all(clients.map((c) => c.disconnect().catch(() => undefined)));
    this.globalReader = undefined;
    this.txnOpen = false;
  }

  private async startOnce(): Promise<void> {
    const { brokers, workerId } = this.opts;
    this.partitions = await ensureTopics(this.job, brokers, {
      log: this.opts.log,
      stopped: () => this.stopping,
    });
    this.inputTopics = Object.values(this.job.inputs).map((i) => i.topic);
    const clientId = `${this.job.name}.${workerId}${this.opts.statusPort ? `@${this.opts.statusPort}` : ''}`;
    this.producer = new TrackedProducer(
      brokers,
      clientId,
      this.eos ? `${this.job.name}.${workerId}` : undefined,
    );
    this.control = new TrackedProducer(brokers, `${clientId}.control`);
    this.reader = new ReaderConsumer(
      brokers,
      `${clientId}.restore`,
      this.eos ? 'read_committed' : 'read_uncommitted',
    );
    this.consumer = new GroupConsumer({
      brokers,
      groupId: this.job.name,
      clientId,
      protocol: this.opts.protocol ?? 'consumer',
      isolation: 'read_committed',
      coPartitioned: this.inputTopics.length > 1,
      ...(this.opts.fetchPartitionBytes
        ? { extra: { 'max.partition.fetch.bytes': this.opts.fetchPartitionBytes } }
        : {}),
    });
    this.startClients.push(this.producer, this.control, this.reader, this.consumer);
    await Promise.all([
      this.producer.connect(),
      this.control.connect(),
      this.reader.connect(),
      this.consumer.connect(),
    ]);
    if (this.eos) {
      // Fences any previous incarnation with the same worker id and aborts its open transaction.
      await this.producer.initTransactions();
      await this.beginTxn();
    }
    // Global tables are complete before any task starts (like Kafka Streams' GlobalKTables).
    this.globalReader = new GlobalReader(this.globals, brokers, clientId, this.opts.log);
    const globalReader = this.globalReader;
    this.startClients.push({ disconnect: () => globalReader.close() });
    await this.globalReader.bootstrap();
    this.consumer.subscribe(this.inputTopics);
    this.opts.log.info('job started', {
      job: this.job.name,
      partitions: this.partitions,
      guarantee: this.job.guarantee,
    });
    this.startClients.length = 0; // started: stop() closes them from now on
    this.loop = this.run().catch((err: unknown) => {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.opts.log.error('job failed', { job: this.job.name, error: this.failure.message });
    });
    this.stallTimer = setInterval(() => this.reportStall(), 10_000);
    this.stallTimer.unref();
  }

  /** Enters a step of the loop (named in a stall report). */
  private step(name: string): void {
    this.loopStep = name;
    this.loopStepAt = Date.now();
    this.stallReported = false;
  }

  /**
   * Warns once when one step of the loop has not finished for 30 s. A consume waits ~100 ms and a
   * commit as long as the broker and the sinks take to answer, so a step this long is an outage
   * (the broker, Redis or PostgreSQL unreachable) or an operation that never called back, and the
   * log says which step.
   */
  private reportStall(): void {
    if (!this.loop || this.stallReported) return;
    const ms = Date.now() - this.loopStepAt;
    if (ms < 30_000) return;
    this.stallReported = true;
    this.opts.log.warn('job loop stalled', { job: this.job.name, step: this.loopStep, forMs: ms });
  }

  /** Stops fetching, finishes the batch in hand, commits, closes stores and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true; // also ends a start() that is waiting for the broker
    if (!this.loop) return;
    await this.loop;
    this.opts.log.info('stop: loop ended', { job: this.job.name });
    for (const slot of this.slots.values()) if (slot.state === 'restoring') slot.cancelled = true;
    await this.recoveries.catch(() => undefined);
    if (!this.failure) {
      try {
        await this.commit();
      } catch (err) {
        this.opts.log.warn('final commit failed', { job: this.job.name, error: (err as Error).message });
      }
    }
    const log = (step: string) => this.opts.log.info(`stop: ${step}`, { job: this.job.name });
    log('committed');
    for (const slot of this.slots.values()) await this.closeSlot(slot);
    this.slots.clear();
    log('stores closed');
    if (this.eos && this.txnOpen) await this.producer.abortTransaction().catch(() => undefined);
    await this.consumer.disconnect();
    log('left group');
    await this.globalReader?.close();
    await Promise.all([this.producer.disconnect(), this.control.disconnect(), this.reader.disconnect()]);
    log('disconnected');
    this.loop = undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // The loop: rebalances, one batch, outputs, commit when due, punctuators.

  private async run(): Promise<void> {
    try {
      while (!this.stopping) {
        this.step('global tables');
        if (this.globalReader && !this.globalReader.empty) await this.globalReader.poll();
        this.step('rebalance');
        await this.handleRebalances();
        this.step('consume');
        const msgs = await this.consumer.consume(this.maxBatch);
        this.step('rebalance');
        await this.handleRebalances();
        this.recommitRefusedOffsets();
        this.step('process');
        if (msgs.length) await this.processMessages(msgs);
        const now = Date.now();
        // Punctuators before the commit: what they emit is on its way while the commit waits for
        // acknowledgements, and their store changes are part of this commit.
        this.step('punctuate');
        for (const s of this.slots.values()) if (s.state === 'running') await s.task!.punctuate(now);
        this.drainOutputs();
        // A cycle whose checkpoint is acknowledged finishes now (its local writes, group offsets).
        this.step('commit');
        if (this.cycle?.acked) await this.settleCommit();
        if (now - this.lastCommit >= this.job.commitIntervalMs || this.out.length > 100_000) {
          if (this.eos) {
            await this.commit();
            this.lastCommit = Date.now();
          } else {
            this.lastCommit = now;
            await this.settleCommit();
            await this.snapshotCommit();
          }
        }
        this.step('watchdog');
        if (now - this.lastWatchdog > 5000) await this.watchdog(now);
      }
    } finally {
      clearInterval(this.stallTimer);
    }
  }

  private async processMessages(msgs: RdMessage[]): Promise<void> {
    const t0 = performance.now();
    const byPartition = new Map<number, RawRecord[]>();
    for (const m of msgs) {
      const slot = this.slots.get(m.partition);
      if (!slot || slot.state !== 'running') continue; // not ours yet (restoring): we seek later
      const expected = slot.expected.get(m.topic) ?? 0;
      if (m.offset < expected) continue; // already applied (re-delivered after a seek)
      slot.expected.set(m.topic, m.offset + 1);
      slot.lastProgressAt = Date.now();
      let list = byPartition.get(m.partition);
      if (!list) byPartition.set(m.partition, (list = []));
      list.push({
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        key: (m.key as Buffer | null | undefined) ?? null,
        value: m.value ?? null,
        timestamp: m.timestamp ?? 0,
        headers: m.headers?.length ? decodeHeaders(m.headers) : {},
      });
    }
    await Promise.all(
      [...byPartition].map(async ([p, records]) => {
        const slot = this.slots.get(p)!;
        const before = { ...slot.task!.stats };
        await slot.task!.processBatch(records);
        // Each task's outputs leave as soon as its part of the batch is done, not after the whole
        // batch (up to `maxBatch` records of every partition): less latency, same order per task.
        this.drainOutputs();
        const st = slot.task!.stats;
        this.opts.hooks?.records?.(this.job.name, p, records.length, {
          processed: st.processed - before.processed,
          deadLettered: st.deadLettered - before.deadLettered,
          emitted: st.emitted - before.emitted,
        });
      }),
    );
    this.opts.hooks?.batchLatency?.(
      this.job.name,
      (performance.now() - t0) / 1000 / Math.max(1, msgs.length),
    );
  }

  private drainOutputs(): void {
    if (this.out.length === 0) return;
    if (this.eos) this.ensureTxn();
    for (const o of this.out) this.producer.produce(o);
    this.out.length = 0;
  }

  private ensureTxn(): void {
    if (!this.txnOpen) throw new Error('internal: no open transaction');
  }

  // ---------------------------------------------------------------------------------------------
  // The commit cycle. The order is the guarantee; do not reorder.
  //
  //   0. flush: processors write buffered effects to external systems (Redis, PostgreSQL);
  //   1. changelog: every dirty store entry of every running task is produced to its changelog
  //      partition, tagged with the task's epoch and the input offset that last wrote it. With the
  //      next input offsets, this is the cycle's snapshot;
  //   2. flush: wait until the broker acknowledged every output, dead letter and changelog record
  //      produced up to the snapshot;
  //   3. checkpoint: write each task's checkpoint (the snapshot's next input offsets + changelog end
  //      per store) to `<job>-checkpoints` and wait for the ack. THIS is the commit point. Under
  //      exactly-once, steps 1-3 are one Kafka transaction that also carries the group offsets;
  //   4. local: per store, one RocksDB write batch with the snapshot's entries and the local
  //      checkpoint;
  //   5. group offsets: committed for lag monitoring and tools (not relied upon for recovery).
  //
  // At-least-once, steps 2-3 only wait for the broker, so processing goes on meanwhile (as a Kafka
  // producer's sends do): records processed after the snapshot belong to the next cycle, whose
  // snapshot is taken only after this cycle's step 5. Step 4 runs on the loop (between batches) as
  // soon as step 3 is acknowledged: a write a later record made to a snapshot entry keeps it dirty.
  // Exactly-once runs the steps back to back (the transaction must close before new outputs).
  //
  // A crash before 3 leaves changelog records past the committed end: restore ignores them and the
  // next owner overwrites them (repair). A crash between 3 and 4 leaves local state behind the
  // checkpoint: restore replays the changelog tail. Either way no input is applied twice or lost.

  /** Runs a whole commit cycle now (after the one in progress, if any). */
  private async commit(): Promise<void> {
    await this.settleCommit();
    const c = await this.snapshotCommit();
    if (!c) return;
    this.cycle = undefined;
    if (await c.kafka) await this.finishCommit(c);
  }

  /** Finishes the cycle in progress, if any: waits for its steps 2-3, then runs 4-5. */
  private async settleCommit(): Promise<void> {
    const c = this.cycle;
    if (!c) return;
    this.cycle = undefined;
    if (await c.kafka) await this.finishCommit(c);
  }

  /** Steps 0-1 (the snapshot), then starts 2-3 (at-least-once: without waiting for them). */
  private async snapshotCommit(): Promise<CommitCycle | undefined> {
    const t0 = performance.now();
    const ph: Array<[string, number]> = [];
    const running = [...this.slots.values()].filter(
      (s) => s.state === 'running' && this.changedSinceCommit(s),
    );
    // 0. sinks: processors write their buffered external effects (idempotent, versioned) first,
    //    all tasks at once (their writes are independent; a sink's own pool bounds concurrency).
    await Promise.all(running.map((slot) => slot.task!.flush()));
    ph.push(['sinks', performance.now()]);
    this.drainOutputs();
    const dirty = new Map<Slot, Map<string, DirtyEntry[]>>();
    const offsets = new Map<Slot, Record<string, number>>();
    for (const slot of running) {
      const perStore = new Map<string, DirtyEntry[]>();
      for (const [name, store] of slot.stores) {
        const entries = store.takeDirty(FRAME_BYTES);
        perStore.set(name, entries);
        const topic = changelogTopic(this.job.name, name);
        for (const d of entries) {
          if (d.framed) {
            // The epoch travels in the value's frame: headers cost a restore an object per record.
            writeFrame(d.framed, slot.epoch, d.src);
            this.producer.produce({ topic, partition: slot.partition, key: d.key, value: d.framed });
          } else {
            this.producer.produce({
              topic,
              partition: slot.partition,
              key: d.key,
              value: null,
              headers: epochHeaders(slot.epoch, d.src),
            });
          }
        }
      }
      dirty.set(slot, perStore);
      offsets.set(slot, Object.fromEntries(slot.task!.nextOffsets));
      slot.committedMark = slot.task!.lastOffset;
    }
    const upTo = this.producer.mark();
    this.crashPoint('changelog-produced', running.length > 0);
    ph.push(['produced', performance.now()]);
    const c: CommitCycle = {
      t0,
      ph,
      running,
      dirty,
      offsets,
      groupOffsets: [],
      kafka: undefined!,
      acked: false,
    };
    c.kafka = this.commitKafka(c, upTo).finally(() => {
      c.acked = true;
    });
    c.kafka.catch(() => undefined); // observed by settleCommit; never an unhandled rejection
    this.cycle = c;
    return c;
  }

  /**
   * Steps 2-3: resolves true once the checkpoints are acknowledged (exactly-once: the transaction
   * committed), false if an exactly-once cycle was aborted (its tasks restart from their checkpoints).
   */
  private async commitKafka(c: CommitCycle, upTo: number): Promise<boolean> {
    const { running, ph } = c;
    await this.producer.flushUpTo(upTo, this.slowFlush);
    this.crashPoint('outputs-flushed', running.length > 0);
    ph.push(['flushed1', performance.now()]);
    for (const [tp, end] of this.producer.takeDelivered()) {
      const i = tp.lastIndexOf('/');
      const topic = tp.slice(0, i);
      const slot = this.slots.get(Number(tp.slice(i + 1)));
      if (!slot) continue;
      for (const name of slot.stores.keys())
        if (changelogTopic(this.job.name, name) === topic) slot.ends.set(name, end);
    }
    for (const slot of running) {
      const cp = this.nextCheckpoint(slot, c.offsets.get(slot)!);
      slot.cp = cp;
      this.producer.produce({
        topic: checkpointTopic(this.job.name),
        partition: slot.partition,
        key: checkpointKey(slot.partition, slot.epoch),
        value: JSON.stringify(cp),
      });
      for (const [topic, offset] of Object.entries(cp.offsets))
        c.groupOffsets.push({ topic, partition: slot.partition, offset });
    }
    if (this.eos) {
      try {
        if (running.length && ++this.txnCommits === this.opts.failTxnAt) {
          throw new Error('test hook: transaction refused');
        }
        if (c.groupOffsets.length)
          await this.producer.sendOffsetsToTransaction(c.groupOffsets, this.consumer);
        await this.producer.commitTransaction();
        this.txnOpen = false;
      } catch (err) {
        await this.abortAndRecover(err as Error);
        return false;
      }
    } else {
      await this.producer.flushUpTo(this.producer.mark(), this.slowFlush);
    }
    this.producer.takeDelivered();
    this.crashPoint('checkpoint-written', running.length > 0);
    ph.push(['cp', performance.now()]);
    return true;
  }

  /** Steps 4-5, on the loop: the snapshot's entries and local checkpoints to RocksDB, group offsets. */
  private async finishCommit(c: CommitCycle): Promise<void> {
    const { running, ph, t0 } = c;
    let first = true;
    await Promise.all(
      running.map(async (slot) => {
        for (const [name, store] of slot.stores) {
          const meta = localMetaOp({
            epoch: slot.epoch,
            changelogEnd: slot.ends.get(name) ?? 0,
            offsets: slot.cp!.offsets,
          });
          await this.persistLocal(slot, name, store, c.dirty.get(slot)?.get(name) ?? [], meta);
          if (first) this.crashPoint('first-store-persisted');
          first = false;
        }
      }),
    );
    this.crashPoint('local-persisted', running.length > 0);
    ph.push(['local', performance.now()]);
    if (!this.eos && c.groupOffsets.length) {
      try {
        this.consumer.commit(c.groupOffsets);
      } catch (err) {
        this.opts.log.warn('group offset commit failed (recovery does not depend on it)', {
          error: (err as Error).message,
        });
      }
    }
    this.crashPoint('group-committed', running.length > 0);
    if (this.eos) await this.beginTxn();
    if (running.length) this.opts.hooks?.commit?.(this.job.name, (performance.now() - t0) / 1000);
    // Slow cycles are logged with when each step ended (at-least-once, steps 2-3 overlap processing).
    if (running.length && performance.now() - t0 > 40) {
      const parts = ph.map(([n, t]) => `${n}=${(t - t0).toFixed(0)}`).join(' ');
      this.opts.log.info('commit phases', { job: this.job.name, n: running.length, parts });
    }
  }

  /**
   * Step 4 of the commit cycle, waiting out a full state disk. The checkpoint in Kafka (step 3) is
   * already written, so local state that lags it is exact (restore replays the changelog tail); what
   * must not happen is failing the job or discarding the store. While the write fails with a
   * transient store error the commit (and so the loop: no fetching, no new dirty entries, bounded
   * memory) waits with capped backoff, reopening the store before each retry (RocksDB refuses
   * writes after a failed WAL write until reopened), and goes on when space returns. A stop
   * requested meanwhile abandons the write: the checkpoint already covers the data.
   */
  private async persistLocal(
    slot: Slot,
    name: string,
    store: CachedStore<unknown>,
    entries: DirtyEntry[],
    meta: ReturnType<typeof localMetaOp>,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (attempt > 0) {
          await store.bytes.close().catch(() => undefined);
          await store.bytes.open();
        }
        await store.persist(entries, [meta]);
        if (attempt > 0)
          this.opts.log.info('local state writable again; job resumed', {
            job: this.job.name,
            partition: slot.partition,
            store: name,
            directory: store.bytes.location,
          });
        return;
      } catch (err) {
        if (!isTransientStoreError(err)) throw err;
        if (this.stopping) {
          this.opts.log.warn('stopping while local state cannot be written; the checkpoint covers it', {
            job: this.job.name,
            partition: slot.partition,
            store: name,
            directory: store.bytes.location,
            error: (err as Error).message,
          });
          return;
        }
        const delayMs = backoffMs(attempt);
        this.opts.log.warn(
          isDiskFullError(err)
            ? 'state disk full: job paused until local state can be written'
            : 'cannot write local state: job paused; retrying',
          {
            job: this.job.name,
            partition: slot.partition,
            store: name,
            directory: store.bytes.location,
            attempt: attempt + 1,
            retryInMs: delayMs,
            error: (err as Error).message,
          },
        );
        await sleepUnless(delayMs, () => this.stopping);
      }
    }
  }

  /**
   * Exactly-once: the transaction could not commit (typically the group's member epoch moved during
   * a rebalance, so the broker refused its offsets). Nothing of this cycle became visible, so abort
   * it and restart every running task from its last committed checkpoint, as Kafka Streams does
   * with a migrated task. A failure to abort (e.g. this producer was fenced) fails the job.
   */
  private async abortAndRecover(cause: Error): Promise<void> {
    this.opts.log.warn('transaction failed; aborting it and restarting tasks from their checkpoints', {
      job: this.job.name,
      error: cause.message,
    });
    try {
      await this.producer.abortTransaction();
    } catch (err) {
      throw new Error(`${this.job.name}: abort after a failed commit failed: ${(err as Error).message}`, {
        cause,
      });
    }
    this.txnOpen = false;
    this.out.length = 0;
    this.producer.takeDelivered();
    const parts = [...this.slots.values()].filter((s) => s.state === 'running').map((s) => s.partition);
    for (const p of parts) {
      await this.closeSlot(this.slots.get(p)!);
      this.slots.delete(p);
    }
    this.consumer.pause(
      parts.flatMap((partition) => this.inputTopics.map((topic) => ({ topic, partition }))),
    );
    await this.beginTxn();
    for (const p of parts) this.startRecovery(p);
  }

  /**
   * Fetch watchdog: a running task that has received nothing for 15 s while its partition holds
   * records past its position is re-seeked and resumed (a partition left paused or mis-positioned by
   * a racing rebalance must not stall the task forever).
   */
  private async watchdog(now: number): Promise<void> {
    this.lastWatchdog = now;
    for (const slot of this.slots.values()) {
      if (slot.state !== 'running' || now - slot.lastProgressAt < 15_000) continue;
      for (const topic of this.inputTopics) {
        const tp = { topic, partition: slot.partition };
        const next = slot.expected.get(topic) ?? 0;
        let high = -1;
        try {
          high = (await this.reader.watermarks(tp)).high;
        } catch {
          continue;
        }
        if (high <= next) continue;
        this.opts.log.warn('task idle with records waiting: re-seeking and resuming its partition', {
          job: this.job.name,
          partition: slot.partition,
          topic,
          next,
          high,
        });
        await this.consumer.seek(tp, next).catch(() => undefined);
        this.consumer.resume([tp]);
      }
      slot.lastProgressAt = now;
    }
  }

  /**
   * Group offsets the broker refused (typically during a rebalance) are committed again by the
   * task's next cycle: without it, a task with no new input would never commit again, and lag
   * monitoring would show its partition behind forever.
   */
  private recommitRefusedOffsets(): void {
    for (const f of this.consumer.takeCommitFailures()) {
      const slot = this.slots.get(f.partition);
      if (!slot || slot.state !== 'running' || !this.inputTopics.includes(f.topic)) continue;
      slot.committedMark = Number.NaN;
      this.opts.log.warn('group offset commit refused; the next commit repeats it', {
        job: this.job.name,
        partition: f.partition,
        topic: f.topic,
        offset: f.offset,
        error: f.error,
      });
    }
  }

  private changedSinceCommit(slot: Slot): boolean {
    const t = slot.task!;
    const mark = t.lastOffset;
    if (mark !== slot.committedMark) return true;
    for (const st of slot.stores.values()) if (st.dirtySize > 0) return true;
    return false;
  }

  private async beginTxn(): Promise<void> {
    await this.producer.beginTransaction();
    this.txnOpen = true;
  }

  private nextCheckpoint(slot: Slot, next: Record<string, number>): Checkpoint {
    const prev = slot.cp;
    return {
      v: 1,
      job: this.job.name,
      partition: slot.partition,
      epoch: slot.epoch,
      offsets: { ...(prev?.offsets ?? {}), ...next },
      changelogs: Object.fromEntries(slot.ends),
      base: prev?.base ?? {},
      claims: prev?.claims ?? [],
      worker: this.opts.workerId,
      time: Date.now(),
    };
  }

  private readonly slowFlush = (inFlight: number, waitedMs: number): void =>
    this.opts.log.warn('waiting for the broker to acknowledge records (is Kafka reachable?)', {
      job: this.job.name,
      inFlight,
      waitedMs,
    });

  private crashPoint(step: CommitStep, active = true): void {
    const c = this.opts.crashAt;
    if (!c || c.step !== step || !active) return;
    if (++this.crashCounter === c.nth) {
      this.opts.log.warn('test crash hook: SIGKILL', { step, nth: c.nth });
      process.kill(process.pid, 'SIGKILL');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Rebalances

  private async handleRebalances(): Promise<void> {
    while (this.consumer.rebalances.length) {
      const ev = this.consumer.rebalances.shift()!;
      const mine = ev.partitions.filter((tp) => this.inputTopics.includes(tp.topic));
      const parts = [...new Set(mine.map((tp) => tp.partition))];
      this.opts.hooks?.rebalance?.(this.job.name, ev.kind, parts.length);
      if (ev.kind === 'assign') {
        this.assignedOnce = true;
        this.consumer.incrementalAssign(ev.partitions);
        this.consumer.pause(ev.partitions);
        for (const tp of mine) this.assigned.add(`${tp.topic}/${tp.partition}`);
        // A task spans partition p of every input, and the group may assign those in separate
        // events (one topic's partitions first): one recovery per task, whatever the split. A
        // recovery seeks the partitions assigned when it finishes; a partition that arrives
        // after that is positioned here, at the task's committed offset.
        for (const p of parts) {
          const slot = this.slots.get(p);
          if (!slot) this.startRecovery(p);
          else if (slot.state === 'running')
            for (const tp of mine.filter((x) => x.partition === p)) await this.positionLate(slot, tp);
        }
        this.opts.log.info('partitions assigned', {
          job: this.job.name,
          partitions: parts,
          topics: [...new Set(mine.map((tp) => tp.topic))],
        });
      } else {
        if (!ev.lost) await this.commit();
        else {
          // The cycle in progress finishes (its checkpoint carries the epoch the new owner fences).
          await this.settleCommit();
          this.opts.log.warn('assignment lost: not committing (another worker owns these partitions now)', {
            job: this.job.name,
          });
        }
        // After the commit: a failed exactly-once commit may have replaced the slots.
        const slots = parts.map((p) => this.slots.get(p)).filter((s): s is Slot => !!s);
        for (const s of slots) {
          s.cancelled = true;
          await s.restoring?.catch(() => undefined);
          await this.closeSlot(s);
          this.slots.delete(s.partition);
        }
        this.consumer.incrementalUnassign(ev.partitions);
        for (const tp of mine) this.assigned.delete(`${tp.topic}/${tp.partition}`);
        this.opts.log.info('partitions revoked', { job: this.job.name, partitions: parts, lost: ev.lost });
      }
    }
  }

  /** Positions an input partition at the task's committed offset (the beginning if none). */
  private async seekInput(slot: Slot, tp: TopicPartition, off: number | undefined): Promise<void> {
    slot.expected.set(tp.topic, off ?? 0);
    await this.consumer.seek(tp, off ?? -2).catch((err: unknown) => {
      throw new Error(
        `seek ${tp.topic}/${tp.partition} to ${off ?? 'the beginning'}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    });
  }

  /** An input partition assigned after its task's recovery finished: position it, then fetch. */
  private async positionLate(slot: Slot, tp: TopicPartition): Promise<void> {
    const off = slot.task?.nextOffsets.get(tp.topic) ?? slot.cp?.offsets[tp.topic];
    await this.seekInput(slot, tp, off);
    this.consumer.resume([tp]);
  }

  private async closeSlot(slot: Slot): Promise<void> {
    await slot.task?.close().catch(() => undefined);
    for (const s of slot.stores.values()) {
      s.release();
      await s.bytes.close().catch(() => undefined);
    }
  }

  private startRecovery(partition: number): void {
    const slot: Slot = {
      partition,
      state: 'restoring',
      epoch: 0,
      cp: undefined,
      task: undefined,
      stores: new Map(),
      ends: new Map(),
      expected: new Map(),
      restoring: undefined,
      cancelled: false,
      restore: undefined,
      committedMark: Number.NaN, // forces a first commit after recovery (group offsets, checkpoint)
      lastProgressAt: Date.now(),
    };
    this.slots.set(partition, slot);
    // Restores run one at a time (they share the restore consumer); processing of other tasks goes on.
    this.recoveries = this.recoveries.then(() => this.recoverWithRetry(slot));
    slot.restoring = this.recoveries.catch((err: unknown) => {
      if (slot.cancelled) return;
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.opts.log.error('restore failed', { job: this.job.name, partition, error: this.failure.message });
      this.stopping = true;
    });
  }

  /**
   * {@link recover}, retried while it fails with a transient error (a Kafka leader or coordinator
   * moving, the broker unreachable, a local store that cannot be opened yet): what the attempt opened
   * is closed, the slot stays `restoring`, and the next attempt starts over from the checkpoint (it
   * claims a new epoch, which fences whatever the failed attempt wrote). Runs inside the one-at-a-time
   * restore chain. A slot revoked (cancelled) or a job stopped meanwhile ends without error and is
   * never resurrected; any other error is thrown (and fails the job).
   */
  private async recoverWithRetry(slot: Slot): Promise<void> {
    const gone = () => slot.cancelled || this.stopping;
    let corrupt = 0;
    for (let attempt = 0; !gone(); attempt++) {
      try {
        await this.recover(slot);
        return;
      } catch (err) {
        if (gone()) return;
        // Damage RocksDB finds only when a recovery reads a table (local state that opened fine):
        // the store is marked damaged, so the next attempt discards it and restores from the
        // changelog. Repeated damage (a failing disk) fails the job.
        const damaged = err instanceof StateCorruptedError && ++corrupt <= 2;
        if (!damaged && !isRetriableKafkaError(err) && !isTransientStoreError(err)) throw err;
        await this.resetSlot(slot);
        const delayMs = backoffMs(attempt);
        this.opts.log.warn(
          damaged
            ? 'local state damaged; restoring it from the changelog'
            : 'restore failed with a transient error; retrying',
          {
            job: this.job.name,
            partition: slot.partition,
            attempt: attempt + 1,
            retryInMs: delayMs,
            error: (err as Error).message,
          },
        );
        await sleepUnless(delayMs, gone);
      }
    }
  }

  /**
   * Waits before retrying a record or a flush that failed with a retriable error (a sink such as
   * PostgreSQL or Redis down): the task, and with it the commit, waits meanwhile. Logged at warn on
   * the 1st, 2nd, 4th, 8th... attempt and then on every attempt once the wait reached its cap (every
   * 30 s), so an outage is visible in the log, not only as growing lag.
   */
  private async retryLater(partition: number, err: Error, attempt: number): Promise<void> {
    const delayMs = retryDelayMs(attempt);
    if ((attempt & (attempt - 1)) === 0 || delayMs >= RETRY_CAP_MS)
      this.opts.log.warn('retriable failure; the task waits and retries', {
        job: this.job.name,
        partition,
        attempt,
        retryInMs: delayMs,
        error: err.message,
      });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }

  /** Closes what a failed recovery attempt opened; the slot is `restoring` with nothing open. */
  private async resetSlot(slot: Slot): Promise<void> {
    await this.closeSlot(slot);
    slot.task = undefined;
    slot.stores = new Map();
    slot.ends = new Map();
    slot.expected = new Map();
    slot.cp = undefined;
    slot.restore = undefined;
    slot.state = 'restoring';
    const tps = this.inputTopics
      .map((topic) => ({ topic, partition: slot.partition }))
      .filter((tp) => this.assigned.has(`${tp.topic}/${tp.partition}`));
    try {
      this.consumer.pause(tps); // an attempt may have resumed some before failing
    } catch {
      // not assigned any more: nothing to fetch
    }
  }

  /**
   * Makes a task ready: read its checkpoint, claim a new epoch, bring each store to the committed
   * state (local RocksDB if it passes its checks, plus the changelog tail; else a full restore),
   * repair changelog records a crashed cycle left behind, then seek the input to the checkpoint.
   */
  private async recover(slot: Slot): Promise<void> {
    const p = slot.partition;
    const job = this.job.name;
    const t0 = Date.now();
    // 1. The committed checkpoint (newest record of the highest epoch) and the highest epoch ever seen.
    const cpTp = { topic: checkpointTopic(job), partition: p };
    const w = await this.reader.watermarks(cpTp);
    const all: Checkpoint[] = [];
    await this.reader.readRange(cpTp, w.low, w.high, (msgs) => {
      for (const m of msgs) {
        const c = parseCheckpoint(m.value);
        if (c && c.partition === p) all.push(c);
      }
    });
    const cp = newestCheckpoint(all);
    // 2. Open local stores.
    const opened = [];
    for (const name of Object.keys(this.job.stores)) {
      const o = await openTaskStore(
        this.job,
        name,
        p,
        this.opts.stateDir,
        this.opts.rocks ?? {},
        this.maxCached,
        {
          stopped: () => slot.cancelled || this.stopping,
          onRetry: (err, attempt, retryInMs, location) =>
            this.opts.log.warn('cannot open local state yet (files kept); retrying', {
              job,
              partition: p,
              store: name,
              location,
              attempt,
              retryInMs,
              error: err.message,
            }),
        },
      );
      if (o.discarded)
        this.opts.log.warn('local state discarded', { job, partition: p, store: name, reason: o.discarded });
      opened.push(o);
      slot.stores.set(name, o.cached);
    }
    if (slot.cancelled) return;
    const epoch =
      Math.max(cp?.epoch ?? 0, ...all.map((c) => c.epoch), ...opened.map((o) => o.local?.epoch ?? 0)) + 1;
    slot.epoch = epoch;
    // 3. Claim: a claim marker in every changelog partition, then a checkpoint with the new epoch.
    const claimAt = new Map<string, number>();
    await Promise.all(
      opened.map(async (o) => {
        const offset = await this.control.send({
          topic: changelogTopic(job, o.name),
          partition: p,
          key: `${CLAIM_PREFIX}${epoch}`,
          value: JSON.stringify({ epoch, worker: this.opts.workerId, time: Date.now() }),
          headers: { [EPOCH_HEADER]: String(epoch) },
        });
        claimAt.set(o.name, offset);
      }),
    );
    // 4. Restore each store up to its claim marker.
    for (const o of opened) {
      const name = o.name;
      let store = slot.stores.get(name)!;
      const verdict = judgeLocal(name, o.local, cp);
      const tp = { topic: changelogTopic(job, name), partition: p };
      const wm = await this.reader.watermarks(tp);
      let from: number;
      let startEpoch: number;
      if (verdict.trust) {
        from = Math.max(verdict.from, wm.low);
        startEpoch = verdict.epoch;
      } else {
        if (o.local || o.discarded)
          this.opts.log.warn('local state not trusted; restoring from the changelog', {
            job,
            partition: p,
            store: name,
            reason: verdict.reason,
          });
        store = await wipeStore(store, this.opts.rocks ?? {}, this.maxCached);
        slot.stores.set(name, store);
        from = Math.max(wm.low, cp?.base[name] ?? 0);
        startEpoch = 0;
      }
      const to = claimAt.get(name)!;
      const filter = new RestoreFilter(startEpoch, cp?.changelogs[name] ?? 0);
      slot.restore = { store: name, done: 0, total: Math.max(0, to - from) };
      await this.reader.readRange(tp, from, to, async (msgs) => {
        if (slot.cancelled) throw new Error('restore cancelled');
        const ops = [];
        for (const m of msgs) {
          const key = m.key ? m.key.toString() : '';
          if (!filter.accept(m.offset, key, writerEpoch(m))) continue;
          const value = m.value ?? undefined;
          ops.push({ key, value: value && isFramed(value) ? framePayload(value) : value });
        }
        await store.bytes.write(ops);
        slot.restore!.done = Math.min(
          slot.restore!.total,
          (msgs[msgs.length - 1]?.offset ?? from) + 1 - from,
        );
        this.opts.hooks?.restore?.(job, p, name, slot.restore!.done, slot.restore!.total);
      });
      this.opts.hooks?.restore?.(job, p, name, slot.restore.total, slot.restore.total);
      // 5. Repair: re-state the committed value of keys a crashed cycle wrote past the committed end.
      let end = to + 1;
      if (filter.stale.size) {
        const keys = [...filter.stale];
        const values = await store.bytes.getMany(keys);
        const sends = keys.map((key, i) => {
          const v = values[i];
          return this.control.send(
            v
              ? { topic: tp.topic, partition: p, key, value: frame(v, epoch, -1) }
              : {
                  topic: tp.topic,
                  partition: p,
                  key,
                  value: null,
                  headers: epochHeaders(epoch, -1),
                },
          );
        });
        const offsets = await Promise.all(sends);
        end = Math.max(end, ...offsets.map((o) => o + 1));
      }
      slot.ends.set(name, end);
      store.resetCache();
      this.opts.log.info('store restored', {
        job,
        partition: p,
        store: name,
        from,
        to,
        applied: filter.applied,
        skippedFenced: filter.skipped,
        repaired: filter.stale.size,
        trustedLocal: verdict.trust,
      });
    }
    if (slot.cancelled) return;
    // 6. The claim checkpoint: same input position, new epoch, changelog ends after the claim.
    const claimed = claimCheckpoint(job, p, cp, epoch, this.opts.workerId, Date.now());
    claimed.changelogs = Object.fromEntries(slot.ends);
    await this.control.send({
      topic: cpTp.topic,
      partition: p,
      key: checkpointKey(p, epoch),
      value: JSON.stringify(claimed),
    });
    slot.cp = claimed;
    for (const [name, store] of slot.stores) {
      await store.persist(
        [],
        [localMetaOp({ epoch, changelogEnd: slot.ends.get(name) ?? 0, offsets: claimed.offsets })],
      );
    }
    if (slot.cancelled) return;
    // 7. Start the task and seek its inputs to the committed offsets.
    const task = new Task(
      this.job,
      p,
      slot.stores,
      this.sink,
      () => Date.now(),
      (err, attempt) => this.retryLater(p, err, attempt),
      this.globals,
    );
    for (const [topic, off] of Object.entries(claimed.offsets)) task.nextOffsets.set(topic, off);
    await task.init();
    slot.task = task;
    const tps = this.inputTopics
      .map((topic) => ({ topic, partition: p }))
      .filter((tp) => this.assigned.has(`${tp.topic}/${tp.partition}`));
    for (const tp of tps) await this.seekInput(slot, tp, claimed.offsets[tp.topic]);
    slot.state = 'running';
    slot.restore = undefined;
    slot.lastProgressAt = Date.now();
    this.consumer.resume(tps);
    this.opts.log.info('task running', {
      job,
      partition: p,
      epoch,
      offsets: claimed.offsets,
      restoreMs: Date.now() - t0,
    });
  }
}

function decodeHeaders(h: NonNullable<RdMessage['headers']>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of h)
    for (const [k, v] of Object.entries(entry)) out[k] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  return out;
}

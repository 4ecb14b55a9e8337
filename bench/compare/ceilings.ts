/**
 * The ceilings of `pulse bench compare`: how fast the bare client reads the run's pre-produced
 * `raw-user-events` topic when nothing of a stream processor is around it. Each runs in its own
 * process (so its CPU time and peak RSS are its own), one after the other, reading the same topic
 * from the beginning with a fresh consumer group, until it has read exactly `records` records:
 *
 * - `librdkafka rdkafka_performance` — librdkafka's own performance tool, built from the sources
 *   the client ships and linked against the client's librdkafka (see rdkafka-perf.ts): a C
 *   high-level consumer that only counts messages, auto-committing once per commit interval. What
 *   the library itself can do, without JavaScript.
 * - `node consume-only` — our client through the runtime's `GroupConsumer` (its consumer settings,
 *   batches of up to 5000): counts the records and commits their offsets once per commit interval,
 *   nothing else. The cost of getting records into JavaScript.
 * - `node consume-parse-produce` — a hand-rolled at-least-once loop: `JSON.parse` each UserEvent,
 *   produce a small JSON result `{ userId, eventType, n }` keyed by the record key to a scratch
 *   topic with the runtime's `TrackedProducer` (idempotent, acks=all, lz4), and once per commit
 *   interval flush the producer and then commit the consumed offsets. A stream processor's minimum
 *   work per record, without state, framework or metrics.
 *
 * Every ceiling reports records, seconds from its first record to its last processed one (its own
 * clock; the produce loop's last flush included), events/s, CPU seconds and peak RSS. The Node
 * loops measure CPU with `process.cpuUsage()` over that span (all threads, librdkafka's included)
 * and peak RSS as the process's VmHWM at the end; the C tool's CPU and RSS are measured from outside
 * (rdkafka-perf.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdmin, GroupConsumer, TrackedProducer, type TopicPartition } from '../../runtime/index.ts';
import { trackChild } from '../worker.ts';
import { ensureRdkafkaPerformance, RDKAFKA_PERF_NAME, runRdkafkaPerformance } from './rdkafka-perf.ts';
import type { CeilingResult } from './types.ts';

export type CeilingKind = 'librdkafka' | 'node-consume' | 'node-loop';

export const CEILING_NAMES: Record<CeilingKind, string> = {
  librdkafka: RDKAFKA_PERF_NAME,
  'node-consume': 'node consume-only',
  'node-loop': 'node consume-parse-produce',
};

export interface RunCeilingsOptions {
  /** Repository root. */
  root: string;
  brokers: string[];
  /** The run's `raw-user-events` topic. */
  topic: string;
  /** Scratch topic for the produce loop; created (with the input's partition count) if absent. */
  outputTopic: string;
  records: number;
  commitIntervalMs: number;
  protocol: 'consumer' | 'classic';
  log?: (m: string) => void;
  /** Ceilings to run (default: all three, in this order). */
  only?: CeilingKind[];
  /** A ceiling fails when its count has not moved for this long (group join included; default 60 s). */
  idleLimitMs?: number;
}

/** Options of one Node ceiling loop (passed to the child process as JSON). */
export interface NodeCeilingOptions {
  kind: 'node-consume' | 'node-loop';
  brokers: string[];
  topic: string;
  outputTopic: string;
  groupId: string;
  records: number;
  commitIntervalMs: number;
  protocol: 'consumer' | 'classic';
  idleLimitMs: number;
}

const ORDER: CeilingKind[] = ['librdkafka', 'node-consume', 'node-loop'];
const DEFAULT_IDLE_LIMIT_MS = 60_000;

/** A ceiling that could not be measured: its name and why (the same shape index.ts reports). */
export interface CeilingFailure {
  name: string;
  error: string;
}

/**
 * Runs the chosen ceilings one after the other, each with a fresh consumer group
 * (`<topic>.ceiling-<kind>-<ms>`). A ceiling that fails (cannot be built, no progress, exits with an
 * error) is reported as a {@link CeilingFailure} in its place and the others still run. Throws only
 * on invalid options.
 */
export async function runCeilings(opts: RunCeilingsOptions): Promise<Array<CeilingResult | CeilingFailure>> {
  const log = opts.log ?? (() => {});
  if (!Number.isSafeInteger(opts.records) || opts.records <= 0)
    throw new Error(`ceilings: records must be a positive integer, not ${opts.records}`);
  const kinds = ORDER.filter((k) => !opts.only || opts.only.includes(k));
  const results: Array<CeilingResult | CeilingFailure> = [];
  for (const kind of kinds) {
    const groupId = `${opts.topic}.ceiling-${kind}-${Date.now()}`;
    log(`ceiling ${CEILING_NAMES[kind]}: reading ${opts.records} records of ${opts.topic}`);
    try {
      let result: CeilingResult;
      if (kind === 'librdkafka') {
        const binary = await ensureRdkafkaPerformance(opts.root, log);
        result = await runRdkafkaPerformance({ binary, groupId, ...pick(opts) });
      } else {
        if (kind === 'node-loop') await ensureOutputTopic(opts.brokers, opts.topic, opts.outputTopic);
        result = await spawnNodeCeiling(opts.root, {
          kind,
          groupId,
          outputTopic: opts.outputTopic,
          ...pick(opts),
        });
      }
      log(
        `ceiling ${result.name}: ${result.records} records in ${result.seconds.toFixed(2)} s = ` +
          `${Math.round(result.eventsPerSec)} ev/s, cpu ${result.cpuSeconds?.toFixed(2) ?? 'n/a'} s, ` +
          `peak rss ${result.peakRssBytes === null ? 'n/a' : `${Math.round(result.peakRssBytes / 2 ** 20)} MiB`}`,
      );
      results.push(result);
    } catch (err) {
      const error = (err as Error).message;
      log(`ceiling ${CEILING_NAMES[kind]} failed: ${error}`);
      results.push({ name: CEILING_NAMES[kind], error });
    }
  }
  return results;
}

function pick(o: RunCeilingsOptions) {
  return {
    brokers: o.brokers,
    topic: o.topic,
    records: o.records,
    commitIntervalMs: o.commitIntervalMs,
    protocol: o.protocol,
    idleLimitMs: o.idleLimitMs ?? DEFAULT_IDLE_LIMIT_MS,
  };
}

async function ensureOutputTopic(brokers: string[], input: string, output: string): Promise<void> {
  const admin = createAdmin(brokers);
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(output)) return;
    const meta = await admin.fetchTopicMetadata({ topics: [input] });
    const partitions = meta[0]?.partitions.length ?? 1;
    await admin.createTopics({
      topics: [{ topic: output, numPartitions: partitions, replicationFactor: 1 }],
    });
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.fetchTopicMetadata({ topics: [output] });
        return;
      } catch (err) {
        if (attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const childEntry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ceiling-child.ts');

/** Runs a Node ceiling loop in a child process; its result is the last line of its stdout. */
async function spawnNodeCeiling(root: string, o: NodeCeilingOptions): Promise<CeilingResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', childEntry, JSON.stringify(o)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-65_536)));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-65_536)));
  // 'close', not 'exit': the result line may still be in the pipe when the process has exited.
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const line = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{'))
    throw new Error(
      `ceiling ${CEILING_NAMES[o.kind]} failed (exit ${code}): ${(stderr || stdout).trim().slice(-2000)}`,
    );
  return JSON.parse(line) as CeilingResult;
}

/** Peak resident memory of this process so far (VmHWM; getrusage's maxRSS where /proc is absent). */
function peakRss(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** A Node ceiling loop (runs in the child process). */
export async function runNodeCeiling(o: NodeCeilingOptions): Promise<CeilingResult> {
  const clientId = `${o.groupId}.client`;
  const consumer = new GroupConsumer({
    brokers: o.brokers,
    groupId: o.groupId,
    clientId,
    protocol: o.protocol,
    isolation: 'read_committed',
  });
  const producer = o.kind === 'node-loop' ? new TrackedProducer(o.brokers, clientId) : undefined;
  await Promise.all([consumer.connect(), producer?.connect()]);
  consumer.subscribe([o.topic]);
  // Next offset to commit per partition of the one input topic (a plain array: no per-record garbage).
  const nextOffset: number[] = [];
  // At-least-once: everything produced so far is acknowledged before the offsets are committed.
  const flushAndCommit = async () => {
    if (producer) {
      await producer.flushAll();
      producer.takeDelivered();
    }
    const offsets: Array<TopicPartition & { offset: number }> = [];
    nextOffset.forEach((offset, partition) => offsets.push({ topic: o.topic, partition, offset }));
    consumer.commit(offsets);
  };
  let n = 0;
  let first: number | undefined;
  let cpu0: NodeJS.CpuUsage | undefined;
  let lastCommit = Date.now();
  let lastMessage = Date.now();
  try {
    while (n < o.records) {
      for (let ev = consumer.rebalances.shift(); ev; ev = consumer.rebalances.shift()) {
        if (ev.kind === 'assign') consumer.incrementalAssign(ev.partitions);
        else consumer.incrementalUnassign(ev.partitions);
      }
      const msgs = await consumer.consume(Math.min(5000, o.records - n));
      const now = Date.now();
      if (msgs.length) {
        lastMessage = now;
        if (first === undefined) {
          first = performance.now();
          cpu0 = process.cpuUsage();
        }
      } else if (now - lastMessage > o.idleLimitMs) {
        throw new Error(`no records for ${o.idleLimitMs / 1000} s after ${n} of ${o.records}`);
      }
      for (const m of msgs) {
        if (producer) {
          const v = JSON.parse(m.value!.toString('utf8')) as { userId: string; eventType: string };
          producer.produce({
            topic: o.outputTopic,
            key: (m.key as Buffer | undefined) ?? null,
            value: JSON.stringify({ userId: v.userId, eventType: v.eventType, n: n + 1 }),
          });
        }
        n++;
        nextOffset[m.partition] = m.offset + 1;
      }
      if (now - lastCommit >= o.commitIntervalMs) {
        await flushAndCommit();
        lastCommit = Date.now();
      }
    }
    await flushAndCommit();
    const seconds = (performance.now() - first!) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      name: CEILING_NAMES[o.kind],
      records: n,
      seconds,
      eventsPerSec: n / seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssBytes: peakRss(),
    };
  } finally {
    await consumer.disconnect();
    await producer?.disconnect();
  }
}

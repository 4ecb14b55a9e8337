/**
 * The ceiling: what the same client does with no runtime around it. A plain loop — consume up to
 * 5000, JSON.parse each value, produce a small JSON result keyed by the record key — with the
 * runtime's consumer and producer settings, flushing and committing offsets once per commit
 * interval as the runtime's commit would. It runs in its own process so its CPU and RSS are its own.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GroupConsumer, TrackedProducer, type TopicPartition } from '../runtime/index.ts';
import { RssSampler } from './rss.ts';
import { trackChild } from './worker.ts';

export interface CeilingOptions {
  brokers: string[];
  inputTopic: string;
  outputTopic: string;
  groupId: string;
  /** Records to read; the loop ends when it has processed this many. */
  records: number;
  protocol: 'consumer' | 'classic';
  commitIntervalMs: number;
}

export interface CeilingResult {
  records: number;
  seconds: number;
  eventsPerSec: number;
  /** User + system CPU seconds of the whole process between first message and last flush. */
  cpuSeconds: number;
  /** Flush-and-commit cycles and the time spent in them (the loop waits meanwhile). */
  commits: number;
  commitSeconds: number;
  /** Set by the parent: peak RSS of the child process. */
  peakRssBytes?: number;
}

const IDLE_LIMIT_MS = 60_000;

/** The loop itself (runs in the child process). */
export async function runCeiling(o: CeilingOptions): Promise<CeilingResult> {
  const clientId = `${o.groupId}.ceiling`;
  const consumer = new GroupConsumer({
    brokers: o.brokers,
    groupId: o.groupId,
    clientId,
    protocol: o.protocol,
    isolation: 'read_committed',
  });
  const producer = new TrackedProducer(o.brokers, clientId);
  await Promise.all([consumer.connect(), producer.connect()]);
  consumer.subscribe([o.inputTopic]);
  const next = new Map<string, TopicPartition & { offset: number }>();
  let commits = 0;
  let commitMs = 0;
  const flushAndCommit = async () => {
    const t0 = performance.now();
    await producer.flushAll();
    producer.takeDelivered();
    consumer.commit([...next.values()]);
    commits++;
    commitMs += performance.now() - t0;
  };
  let n = 0;
  let first: number | undefined;
  let cpu0: NodeJS.CpuUsage | undefined;
  let lastFlush = Date.now();
  let lastMessage = Date.now();
  try {
    while (n < o.records) {
      while (consumer.rebalances.length) {
        const ev = consumer.rebalances.shift()!;
        if (ev.kind === 'assign') consumer.incrementalAssign(ev.partitions);
        else consumer.incrementalUnassign(ev.partitions);
      }
      const msgs = await consumer.consume(5000);
      const now = Date.now();
      if (msgs.length) {
        lastMessage = now;
        if (first === undefined) {
          first = performance.now();
          cpu0 = process.cpuUsage();
        }
      } else if (now - lastMessage > IDLE_LIMIT_MS) {
        throw new Error(`ceiling: no records for ${IDLE_LIMIT_MS / 1000} s after ${n} of ${o.records}`);
      }
      for (const m of msgs) {
        const v = JSON.parse(m.value!.toString('utf8')) as { key: string; n?: number };
        producer.produce({
          topic: o.outputTopic,
          key: (m.key as Buffer | undefined) ?? null,
          value: JSON.stringify({ key: v.key, count: v.n ?? 1 }),
        });
        next.set(`${m.topic}/${m.partition}`, {
          topic: m.topic,
          partition: m.partition,
          offset: m.offset + 1,
        });
      }
      n += msgs.length;
      if (now - lastFlush >= o.commitIntervalMs) {
        await flushAndCommit();
        lastFlush = Date.now();
      }
    }
    await flushAndCommit();
    const seconds = (performance.now() - first!) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      records: n,
      seconds,
      eventsPerSec: n / seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      commits,
      commitSeconds: commitMs / 1000,
    };
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}

const childEntry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ceiling-child.ts');

/** Runs {@link runCeiling} in a child process, sampling its RSS. */
export async function spawnCeiling(
  o: CeilingOptions,
  node: { cwd: string; nodeArgs?: string[] },
): Promise<CeilingResult> {
  const child = spawn(
    process.execPath,
    [...(node.nodeArgs ?? []), '--import', 'tsx', childEntry, JSON.stringify(o)],
    { cwd: node.cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  trackChild(child);
  const rss = new RssSampler(child.pid!).start();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const peak = rss.stop();
  const line = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{'))
    throw new Error(`ceiling process failed (exit ${code}): ${(stderr || stdout).trim().slice(-2000)}`);
  return { ...(JSON.parse(line) as CeilingResult), peakRssBytes: peak };
}

/** The benchmark's dealings with the broker: topics, bulk produce, offsets, changelog size, clean-up. */
import { createAdmin, ReaderConsumer, TrackedProducer, type KafkaAdmin } from '../runtime/index.ts';
import type { WorkloadRecord } from './workload.ts';

export async function withAdmin<T>(brokers: string[], fn: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  const admin = createAdmin(brokers);
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function createTopics(brokers: string[], topics: string[], partitions: number): Promise<void> {
  await withAdmin(brokers, async (admin) => {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
    });
    // Wait until the topics are in the metadata, so the first produce does not race their creation.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.fetchTopicMetadata({ topics });
        return;
      } catch (err) {
        if (attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });
}

/** Deletes every topic and consumer group whose name starts with `prefix`; never throws. */
export async function deleteWithPrefix(
  brokers: string[],
  prefix: string,
): Promise<{ topics: number; groups: number }> {
  if (!prefix) throw new Error('refusing to delete with an empty prefix');
  return withAdmin(brokers, async (admin) => {
    const topics = (await admin.listTopics().catch(() => [])).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    const listed = await admin.listGroups().catch(() => ({ groups: [] }));
    const groups = listed.groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
    return { topics: topics.length, groups: groups.length };
  }).catch(() => ({ topics: 0, groups: 0 }));
}

/**
 * Produces the records with the runtime's producer settings (idempotent, acks=all, lz4) keyed by
 * their key, so they land on the partition the runtime expects. Resolves when all are acknowledged.
 */
export async function produceRecords(
  brokers: string[],
  topic: string,
  records: Iterable<WorkloadRecord>,
): Promise<{ records: number; keyBytes: number; valueBytes: number; ms: number }> {
  const producer = new TrackedProducer(brokers, `bench-producer-${process.pid}`);
  await producer.connect();
  const t0 = performance.now();
  let n = 0;
  let keyBytes = 0;
  let valueBytes = 0;
  try {
    for (const r of records) {
      producer.produce({ topic, key: r.key, value: r.value });
      keyBytes += Buffer.byteLength(r.key);
      valueBytes += Buffer.byteLength(r.value);
      // Bounded memory: wait for acknowledgements every 100k records.
      if (++n % 100_000 === 0) await producer.flushAll();
    }
    await producer.flushAll();
  } finally {
    await producer.disconnect();
  }
  return { records: n, keyBytes, valueBytes, ms: performance.now() - t0 };
}

/** High watermark per partition. */
export async function endOffsets(admin: KafkaAdmin, topic: string): Promise<Map<number, number>> {
  const ends = await admin.fetchTopicOffsets(topic);
  return new Map(ends.map((e) => [e.partition, Number(e.high)]));
}

/** The group's committed offset per partition of `topic` (empty if it has none). */
export async function committedOffsets(
  admin: KafkaAdmin,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const res = await admin.fetchOffsets({ groupId, topics: [topic] }).catch(() => []);
  return new Map((res[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

/** True when the group's committed offset reached the end of every non-empty partition. */
export function caughtUp(ends: Map<number, number>, committed: Map<number, number>): boolean {
  for (const [p, end] of ends) if (end > 0 && (committed.get(p) ?? -1) < end) return false;
  return true;
}

/**
 * Resolves once `group` has committed the current end of every partition of `topic` (an input
 * written without transactions). Polled at the broker, so it does not load the measured process.
 * Throws when the committed total does not move for `stallMs`, or when `check` throws.
 */
export async function waitCommitted(
  brokers: string[],
  group: string,
  topic: string,
  opts: { intervalMs?: number; stallMs?: number; check?: () => void; onPoll?: () => Promise<void> } = {},
): Promise<void> {
  const stallMs = opts.stallMs ?? 120_000;
  await withAdmin(brokers, async (admin) => {
    const ends = await endOffsets(admin, topic);
    let last = -1;
    let since = Date.now();
    for (;;) {
      opts.check?.();
      const committed = await committedOffsets(admin, group, topic);
      if (caughtUp(ends, committed)) return;
      await opts.onPoll?.();
      const sum = [...committed.values()].reduce((s, v) => s + Math.max(0, v), 0);
      if (sum !== last) [last, since] = [sum, Date.now()];
      else if (Date.now() - since > stallMs)
        throw new Error(`group ${group} stuck at ${sum} committed records for ${stallMs / 1000} s`);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
    }
  });
}

export interface ChangelogSize {
  /** Records in the changelog (offset ranges; includes the runtime's claim markers). */
  records: number;
  /** Average key + value + header bytes of a sampled record. */
  avgRecordBytes: number;
  sampled: number;
  /** records × avgRecordBytes: the uncompressed payload a restore reads. */
  bytes: number;
}

/**
 * The size of a changelog. The admin client has no log-dir sizes, so the payload is estimated as
 * record count × the average size of up to `samplePerPartition` records read from each partition.
 */
export async function changelogSize(
  brokers: string[],
  topic: string,
  samplePerPartition = 2000,
): Promise<ChangelogSize> {
  const ranges = await withAdmin(brokers, async (admin) =>
    (await admin.fetchTopicOffsets(topic)).map((e) => ({
      partition: e.partition,
      low: Number(e.low),
      high: Number(e.high),
    })),
  );
  const records = ranges.reduce((s, r) => s + (r.high - r.low), 0);
  const reader = new ReaderConsumer(brokers, `bench-sizer-${process.pid}`, 'read_uncommitted');
  await reader.connect();
  let sampled = 0;
  let sampledBytes = 0;
  try {
    for (const r of ranges) {
      if (r.high <= r.low) continue;
      const to = Math.min(r.high, r.low + samplePerPartition);
      await reader.readRange({ topic, partition: r.partition }, r.low, to, (msgs) => {
        for (const m of msgs) {
          sampled++;
          sampledBytes += (m.key?.length ?? 0) + (m.value?.length ?? 0);
          for (const h of m.headers ?? [])
            for (const [k, v] of Object.entries(h)) sampledBytes += k.length + String(v).length;
        }
      });
    }
  } finally {
    await reader.disconnect();
  }
  const avgRecordBytes = sampled ? sampledBytes / sampled : 0;
  return { records, avgRecordBytes, sampled, bytes: Math.round(records * avgRecordBytes) };
}

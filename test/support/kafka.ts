/** Helpers for integration tests against the real broker: topics, bulk produce, read-all. */
import { createAdmin, createKafkaJSConsumer, createKafkaJSProducer } from '../../runtime/index.ts';

export async function createTopic(
  brokers: string[],
  topic: string,
  partitions: number,
  config: Record<string, string> = {},
): Promise<void> {
  const admin = createAdmin(brokers);
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopicsWithPrefix(brokers: string[], prefix: string): Promise<void> {
  const admin = createAdmin(brokers);
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** Produces records (key, JSON value) in large batches; resolves when all are acknowledged. */
export async function produceAll(
  brokers: string[],
  topic: string,
  records: Array<{ key: string; value: unknown }>,
): Promise<void> {
  const producer = createKafkaJSProducer(brokers, { 'linger.ms': 20 });
  await producer.connect();
  try {
    const chunk = 5000;
    const sends = [];
    for (let i = 0; i < records.length; i += chunk) {
      sends.push(
        producer.send({
          topic,
          messages: records.slice(i, i + chunk).map((r) => ({
            key: r.key,
            value: Buffer.isBuffer(r.value) ? r.value : JSON.stringify(r.value),
          })),
        }),
      );
      if (sends.length >= 8) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
  } finally {
    await producer.disconnect();
  }
}

export interface ReadRecord {
  key: string | null;
  value: Buffer | null;
  partition: number;
  offset: number;
  timestamp: number;
  headers: Record<string, string>;
}

/** Reads every record of a topic currently in it (up to the end offsets at call time). */
export async function readAll(
  brokers: string[],
  topic: string,
  opts: { isolation?: 'read_committed' | 'read_uncommitted'; timeoutMs?: number } = {},
): Promise<ReadRecord[]> {
  const admin = createAdmin(brokers);
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic, {
    isolationLevel: opts.isolation === 'read_committed' ? 1 : 0,
  });
  await admin.disconnect();
  const target = new Map(
    ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]),
  );
  const out: ReadRecord[] = [];
  if (target.size === 0) return out;
  const consumer = createKafkaJSConsumer(brokers, `reader-${topic}-${Date.now()}-${Math.random()}`, {
    'isolation.level': opts.isolation ?? 'read_uncommitted',
    'js.consumer.max.batch.size': -1,
  });
  await consumer.connect();
  await consumer.subscribe({ topic });
  const done = new Set<number>();
  let lastActivity = Date.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`readAll(${topic}) timed out`)),
      opts.timeoutMs ?? 120_000,
    );
    // Transaction markers occupy the last offsets of a partition without being delivered: after a
    // quiet spell with everything else read, the read is complete.
    const idle = setInterval(() => {
      if (Date.now() - lastActivity > 3000 && out.length > 0) {
        clearInterval(idle);
        clearTimeout(timer);
        resolve();
      }
    }, 500);
    void consumer.run({
      eachBatch: async ({ batch }) => {
        lastActivity = Date.now();
        for (const m of batch.messages) {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = String(v);
          out.push({
            key: m.key?.toString() ?? null,
            value: m.value,
            partition: batch.partition,
            offset: Number(m.offset),
            timestamp: Number(m.timestamp),
            headers,
          });
        }
        const last = batch.messages[batch.messages.length - 1];
        const end = target.get(batch.partition);
        if (last && end !== undefined && Number(last.offset) >= end - 1) done.add(batch.partition);
        if (done.size === target.size) {
          clearTimeout(timer);
          clearInterval(idle);
          resolve();
        }
        await Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  return out;
}

import { createAdmin, createKafkaJSConsumer, createKafkaJSProducer } from './kafka.ts';
import { partitionForKey } from './partitioner.ts';

export interface RoundTripResult {
  produced: number;
  consumed: number;
  produceMs: number;
  consumeMs: number;
  partitionsSeen: number[];
  /** Every message came back once, with the key and on the partition the broker acknowledged. */
  intact: boolean;
}

/**
 * Creates `topic`, produces `count` keyed messages, consumes them back and checks that each key
 * arrived exactly once on the partition the producer was told. Used by the demo and by tests.
 */
export async function kafkaRoundTrip(opts: {
  brokers: string[];
  topic: string;
  partitions: number;
  count: number;
  deleteAfter?: boolean;
}): Promise<RoundTripResult> {
  const admin = createAdmin(opts.brokers);
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic: opts.topic, numPartitions: opts.partitions, replicationFactor: 1 }],
    });

    const producer = createKafkaJSProducer(opts.brokers);
    await producer.connect();
    const t0 = Date.now();
    try {
      const messages = Array.from({ length: opts.count }, (_, i) => ({
        key: `key-${i}`,
        value: JSON.stringify({ i }),
      }));
      for (let i = 0; i < messages.length; i += 500) {
        await producer.send({ topic: opts.topic, messages: messages.slice(i, i + 500) });
      }
    } finally {
      await producer.disconnect();
    }
    const produceMs = Date.now() - t0;

    const consumer = createKafkaJSConsumer(opts.brokers, `${opts.topic}-reader`);
    await consumer.connect();
    const seen = new Map<string, number[]>();
    const t1 = Date.now();
    try {
      await consumer.subscribe({ topic: opts.topic });
      let consumed = 0;
      const done = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            const key = message.key?.toString() ?? '';
            const list = seen.get(key) ?? [];
            list.push(partition);
            seen.set(key, list);
            consumed += 1;
            if (consumed >= opts.count) resolve();
            await Promise.resolve();
          },
        });
      });
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 60_000).unref());
      await Promise.race([done, timeout]);
    } finally {
      await consumer.disconnect();
    }
    const consumeMs = Date.now() - t1;

    // Every key must come back exactly once, on the partition Kafka's default (murmur2) partitioner picks.
    let intact = seen.size === opts.count;
    const partitionOfKey = new Map<string, number>();
    for (const [key, parts] of seen) {
      if (parts.length !== 1 || parts[0] !== partitionForKey(key, opts.partitions)) intact = false;
      partitionOfKey.set(key, parts[0] ?? -1);
    }
    for (let i = 0; i < opts.count; i++) if (!partitionOfKey.has(`key-${i}`)) intact = false;
    if (opts.deleteAfter ?? true) await admin.deleteTopics({ topics: [opts.topic] }).catch(() => undefined);
    return {
      produced: opts.count,
      consumed: [...seen.values()].reduce((n, l) => n + l.length, 0),
      produceMs,
      consumeMs,
      partitionsSeen: [...new Set(partitionOfKey.values())].sort((a, b) => a - b),
      intact,
    };
  } finally {
    await admin.disconnect();
  }
}

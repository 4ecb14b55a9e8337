import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../cli/config.ts';
import { createTopic, deleteTopicsWithPrefix } from '../../../test/support/kafka.ts';
import { TrackedProducer } from './kafka-io.ts';

const brokers = loadConfig().kafkaBrokers;
const ns = `it-tracked-${Date.now().toString(36)}-`;

afterAll(async () => {
  await deleteTopicsWithPrefix(brokers, ns);
});

describe('TrackedProducer generations (a commit waits for its records, not for later ones)', () => {
  it('flushUpTo(mark) returns once every record produced before the mark is acknowledged, with their end offsets', async () => {
    const topic = `${ns}gen`;
    await createTopic(brokers, topic, 3);
    const p = new TrackedProducer(brokers, `${ns}producer`);
    await p.connect();
    try {
      const acked: number[] = [];
      const before = 3_000;
      for (let i = 0; i < before; i++)
        p.produce({ topic, partition: i % 3, key: `k${i}`, value: `v${i}` }, (err) => {
          if (!err) acked.push(i);
        });
      const mark = p.mark();
      // Produced after the mark, while the earlier ones may still be in flight.
      const later: Array<Promise<number>> = [];
      for (let i = 0; i < 500; i++) later.push(p.send({ topic, partition: i % 3, key: `l${i}`, value: 'x' }));
      await p.flushUpTo(mark);
      expect(acked.length).toBe(before);
      await Promise.all(later);
      const ends = p.takeDelivered();
      expect([0, 1, 2].map((q) => ends.get(`${topic}/${q}`))).toEqual([1_167, 1_167, 1_166]);
      // Nothing in flight: returns at once; an earlier mark is long settled.
      await p.flushUpTo(p.mark());
      await p.flushUpTo(mark);
    } finally {
      await p.disconnect();
    }
  });
});

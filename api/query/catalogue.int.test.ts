import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaJSProducer } from '../../runtime/index.ts';
import { createTopic, deleteTopicsWithPrefix } from '../../test/support/kafka.ts';
import { CatalogueIndex, followCatalogue, type CatalogueFollower } from './catalogue.ts';
import { catalogEvent } from './test-events.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const prefix = `it-catalogue-${Date.now()}-`;
const warnings: string[] = [];
const log = { info: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined };

async function produce(topic: string, records: Array<{ key: string; value: string | null }>): Promise<void> {
  const producer = createKafkaJSProducer(brokers);
  await producer.connect();
  try {
    await producer.send({ topic, messages: records });
  } finally {
    await producer.disconnect();
  }
}

async function eventually(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const followers: CatalogueFollower[] = [];
afterAll(async () => {
  await Promise.all(followers.map((f) => f.close()));
  await deleteTopicsWithPrefix(brokers, prefix);
});

describe('followCatalogue against a real broker', () => {
  it('loads the topic up to its end, skipping invalid values and applying tombstones, then follows it', async () => {
    const topic = `${prefix}events-catalog`;
    await createTopic(brokers, topic, 3, { 'cleanup.policy': 'compact' });
    const start = Date.parse('2026-07-01T00:00:00Z');
    const events = Array.from({ length: 300 }, (_, i) =>
      catalogEvent(`ev-${i}`, new Date(start + i * 60_000).toISOString()),
    );
    await produce(topic, [
      ...events.map((e) => ({ key: e.id, value: JSON.stringify(e) })),
      { key: 'broken', value: '{"id":"broken"}' },
      { key: 'ev-7', value: null },
    ]);

    const index = new CatalogueIndex();
    const follower = await followCatalogue({ brokers, topic, index, log });
    followers.push(follower);
    expect(index.loaded).toBe(false);
    await follower.ready;
    expect(index.loaded).toBe(true);
    expect(index.size).toBe(299);
    expect(index.get('ev-7')).toBeUndefined();
    expect(index.get('ev-8')).toEqual(events[8]);
    expect(warnings).toContain('skipping invalid catalogue record');

    await produce(topic, [
      { key: 'ev-8', value: JSON.stringify({ ...events[8]!, status: 'cancelled' }) },
      { key: 'ev-9', value: null },
    ]);
    await eventually(() => index.get('ev-8')?.status === 'cancelled' && index.get('ev-9') === undefined);
    await follower.close();
    await follower.close(); // idempotent
  }, 60_000);

  it('is ready at once for a topic that does not exist yet', async () => {
    const index = new CatalogueIndex();
    const follower = await followCatalogue({ brokers, topic: `${prefix}missing`, index, log });
    followers.push(follower);
    await follower.ready;
    expect(index.loaded).toBe(true);
    expect(index.size).toBe(0);
    await follower.close();
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserEvent } from '../../model/index.ts';
import { deleteTopicsWithPrefix, readAll } from '../../test/support/kafka.ts';
import { startIngestServer, type IngestServer } from './server.ts';

const brokers = ['127.0.0.1:9092'];
const prefix = `it-ingest-${Date.now()}-`;
const topic = `${prefix}raw-user-events`;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('ingestion API against a real broker', () => {
  let server: IngestServer;

  beforeAll(async () => {
    server = await startIngestServer({
      brokers,
      port: 0,
      hostname: '127.0.0.1',
      keys: 'it-key',
      nodeEnv: 'test',
      ratePerSec: 100,
      burst: 100,
      partitions: 3,
      topic,
      log: quiet,
    });
  });

  afterAll(async () => {
    await server?.close();
    await deleteTopicsWithPrefix(brokers, prefix);
  });

  it('writes exactly the valid events of a mixed batch, canonical and keyed by userId', async () => {
    const now = Date.now();
    const valid = Array.from({ length: 50 }, (_, i) => ({
      userId: `user-${i % 7}`,
      eventType: i % 2 ? 'like' : 'VIEW',
      timestamp: now - i,
      context: { itemId: `item-${i}` },
    }));
    const invalid = [
      { ...valid[0], timestamp: Math.floor(now / 1000) },
      { ...valid[0], userId: '' },
      { ...valid[0], surprise: true },
    ];
    const res = await fetch(`http://127.0.0.1:${server.port}/events/batch`, {
      method: 'POST',
      headers: { authorization: 'Bearer it-key', 'content-type': 'application/json' },
      body: JSON.stringify([...valid.slice(0, 25), ...invalid, ...valid.slice(25)]),
    });
    expect(res.status).toBe(207);
    const body = (await res.json()) as {
      accepted: Array<{ index: number; eventId: string }>;
      rejected: Array<{ index: number }>;
    };
    expect(body.accepted).toHaveLength(50);
    expect(body.rejected.map((r) => r.index)).toEqual([25, 26, 27]);

    const records = await readAll(brokers, topic, { timeoutMs: 60_000 });
    expect(records).toHaveLength(50);
    const events = records.map((r) => {
      const event = UserEvent.parse(JSON.parse(r.value!.toString()));
      expect(r.key).toBe(event.userId);
      return event;
    });
    expect(new Set(events.map((e) => e.eventId))).toEqual(new Set(body.accepted.map((a) => a.eventId)));
    for (const e of events) expect(e.eventId).toMatch(/^[0-9a-f-]{36}$/);
    const byItem = new Map(events.map((e) => [e.context.itemId, e]));
    valid.forEach((v) => {
      expect(byItem.get(v.context.itemId)).toMatchObject({
        userId: v.userId,
        eventType: v.eventType.toUpperCase(),
        timestamp: v.timestamp,
      });
    });
  });

  it('creates the topic idempotently: a second server on the same topic starts', async () => {
    const second = await startIngestServer({
      brokers,
      port: 0,
      hostname: '127.0.0.1',
      keys: 'it-key',
      nodeEnv: 'test',
      ratePerSec: 1,
      burst: 1,
      partitions: 3,
      topic,
      log: quiet,
    });
    await second.close();
    await second.close();
  });
});

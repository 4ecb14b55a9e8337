import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.ts';
import { kafkaRoundTrip } from './round-trip.ts';

const config = loadConfig();

describe('Kafka round trip through the real broker', () => {
  it('brings back 1,000 keyed messages from a 6-partition topic with keys and partitions intact', async () => {
    const r = await kafkaRoundTrip({
      brokers: config.kafkaBrokers,
      topic: `it-round-trip-${Date.now()}`,
      partitions: 6,
      count: 1000,
    });
    expect(r.produced).toBe(1000);
    expect(r.consumed).toBe(1000);
    expect(r.partitionsSeen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.intact).toBe(true);
  });
});

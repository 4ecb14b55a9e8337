import { describe, expect, it } from 'vitest';
import { GROUP_FETCH_PARTITION_BYTES, PRODUCER_BATCH_BYTES } from '../kafka.ts';
import { GroupConsumer } from './kafka-io.ts';

const fetchBytesOf = (c: GroupConsumer) =>
  (c.raw as unknown as { globalConfig: Record<string, unknown> }).globalConfig['max.partition.fetch.bytes'];

const consumer = (fetchPartitionBytes?: number) =>
  new GroupConsumer({
    brokers: ['127.0.0.1:1'],
    groupId: 'g',
    clientId: 'c',
    protocol: 'consumer',
    isolation: 'read_committed',
    ...(fetchPartitionBytes ? { extra: { 'max.partition.fetch.bytes': fetchPartitionBytes } } : {}),
  });

describe('producer batches and consumer fetches', () => {
  it('every batch a job produces fits in one partition fetch of the jobs that read it', () => {
    // A batch over the fetch size reaches a consumer only when its partition is the first with
    // records in a fetch response: behind a sibling's backlog the partition starves. The margin
    // covers the record batch framing librdkafka adds after batch.size is reached by one record.
    expect(PRODUCER_BATCH_BYTES + 16 * 1024).toBeLessThanOrEqual(GROUP_FETCH_PARTITION_BYTES);
  });

  it("a job's consumer fetches the default per partition unless the operator raised it", () => {
    expect(fetchBytesOf(consumer())).toBe(GROUP_FETCH_PARTITION_BYTES);
    expect(fetchBytesOf(consumer(1024 * 1024))).toBe(1024 * 1024);
  });
});

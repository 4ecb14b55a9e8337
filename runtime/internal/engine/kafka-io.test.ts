import { describe, expect, it } from 'vitest';
import { GROUP_FETCH_PARTITION_BYTES, PRODUCER_BATCH_BYTES } from '../kafka.ts';

describe('producer batches and consumer fetches', () => {
  it('every batch a job produces fits in one partition fetch of the jobs that read it', () => {
    // A batch over the fetch size reaches a consumer only when its partition is the first with
    // records in a fetch response: behind a sibling's backlog the partition starves. The margin
    // covers the record batch framing librdkafka adds after batch.size is reached by one record.
    expect(PRODUCER_BATCH_BYTES + 16 * 1024).toBeLessThanOrEqual(GROUP_FETCH_PARTITION_BYTES);
  });
});

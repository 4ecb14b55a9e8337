import { createAdmin, createKafkaJSProducer } from '../../runtime/index.ts';
import type { ListingRejection } from './adapters/adapter.ts';
import type { RawListing } from './listing.ts';
import { catalogTopics, listingKey, type Rejection } from './messages.ts';

const CHUNK = 500;

/**
 * Publishes an import's raw listings to `raw-listings` (keyed by `source:sourceId`, so every version
 * of a listing lands in one partition, in order) and the adapter's rejections to the dead-letter
 * topic. Resolves once Kafka has acknowledged every record (idempotent producer, acks=all).
 */
export async function publishImport(
  brokers: string[],
  namespace: string,
  source: string,
  listings: readonly RawListing[],
  rejected: readonly ListingRejection[],
  partitions = 12,
): Promise<void> {
  const topics = catalogTopics(namespace);
  await ensureTopics(brokers, [topics.rawListings, topics.rejected], partitions);
  const producer = createKafkaJSProducer(brokers);
  await producer.connect();
  try {
    for (let i = 0; i < listings.length; i += CHUNK)
      await producer.send({
        topic: topics.rawListings,
        messages: listings
          .slice(i, i + CHUNK)
          .map((l) => ({ key: listingKey(l.source, l.sourceId), value: JSON.stringify(l) })),
      });
    const at = Date.now();
    if (rejected.length)
      await producer.send({
        topic: topics.rejected,
        messages: rejected.map((r) => {
          const value: Rejection = {
            source,
            sourceId: r.sourceId,
            stage: 'parse',
            reasons: [r.reason],
            payload: null,
            at,
          };
          return {
            key: r.sourceId === null ? null : listingKey(source, r.sourceId),
            value: JSON.stringify(value),
          };
        }),
      });
  } finally {
    await producer.disconnect();
  }
}

/** Creates missing topics (the jobs create theirs too; the importer may run first). */
async function ensureTopics(brokers: string[], names: string[], partitions: number): Promise<void> {
  const admin = createAdmin(brokers);
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((t) => !existing.has(t));
    if (missing.length)
      await admin
        .createTopics({
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
        })
        .catch((err: unknown) => {
          // Another importer or worker may have created it meanwhile.
          if (!/already exists/i.test(String((err as Error).message))) throw err;
        });
  } finally {
    await admin.disconnect();
  }
}

import { catalogTopics, CatalogEvent, ListingStatus } from '../../catalog/index.ts';
import { defineJob, RetriableError } from '../../runtime/index.ts';

/** Where the canonical events go (PostgreSQL's `events` table in production). */
export interface CatalogEventSink {
  /** Idempotent: writing an unchanged event again changes nothing. */
  upsertMany(events: CatalogEvent[]): Promise<unknown>;
  deleteMany(ids: string[]): Promise<unknown>;
}

/** Where listing outcomes go (PostgreSQL's `catalog_listings`). */
export interface ListingOutcomeSink {
  recordOutcomes(batch: ListingStatus[]): Promise<void>;
}

export interface CatalogSinks {
  events: CatalogEventSink;
  outcomes: ListingOutcomeSink;
  close(): Promise<void>;
}

const BATCH = 500;

/**
 * `catalog-store`: keeps PostgreSQL in step with the catalogue: `events-catalog` into the `events`
 * table (search reads it) and `catalog-listing-status` into `catalog_listings` (data quality).
 * Changes are coalesced per key and written at each commit, before the commit point (`flush`), so
 * whatever a commit makes durable is in PostgreSQL; both writes are idempotent, so the records
 * re-processed after a crash write the same rows again.
 */
export function catalogStoreJob(opts: {
  namespace?: string;
  sinks: () => CatalogSinks;
  commitIntervalMs?: number | undefined;
}) {
  const topics = catalogTopics(opts.namespace ?? '');
  let shared: CatalogSinks | undefined;
  let open = 0;
  return defineJob({
    name: `${opts.namespace ?? ''}catalog-store`,
    description: 'writes canonical events and listing outcomes to PostgreSQL',
    inputs: {
      events: { topic: topics.events, schema: CatalogEvent.nullable() },
      status: { topic: topics.status, schema: ListingStatus },
    },
    commitIntervalMs: opts.commitIntervalMs ?? 1000,
    processor: () => {
      open++;
      /** Latest value per event id (null: delete) and per listing, since the last flush. */
      const events = new Map<string, CatalogEvent | null>();
      const outcomes = new Map<string, ListingStatus>();
      return {
        process(record) {
          if (record.input === 'events') {
            if (record.key !== null) events.set(record.key, record.value);
          } else {
            const s = record.value;
            outcomes.set(`${s.source}:${s.sourceId}`, s);
          }
        },
        async flush() {
          if (events.size === 0 && outcomes.size === 0) return;
          const sinks = (shared ??= opts.sinks());
          const upserts = [...events.values()].filter((e): e is CatalogEvent => e !== null);
          const deletes = [...events].filter(([, e]) => e === null).map(([id]) => id);
          const statuses = [...outcomes.values()];
          try {
            for (let i = 0; i < upserts.length; i += BATCH)
              await sinks.events.upsertMany(upserts.slice(i, i + BATCH));
            if (deletes.length) await sinks.events.deleteMany(deletes);
            for (let i = 0; i < statuses.length; i += BATCH)
              await sinks.outcomes.recordOutcomes(statuses.slice(i, i + BATCH));
          } catch (err) {
            throw new RetriableError(`catalog write failed: ${(err as Error).message}`, { cause: err });
          }
          events.clear();
          outcomes.clear();
        },
        async close() {
          if (--open > 0 || !shared) return;
          const s = shared;
          shared = undefined;
          await s.close().catch(() => undefined);
        },
      };
    },
  });
}

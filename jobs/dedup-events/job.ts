import { z } from 'zod';
import {
  addListing,
  BlockMessage,
  catalogTopics,
  CatalogEvent,
  type DedupBlock,
  ListingStatus,
  listingKey,
  removeListing,
} from '../../catalog/index.ts';
import { defineJob } from '../../runtime/index.ts';

// The block is checked structurally only: its members were validated when they arrived, and a
// full parse of every member on every read would cost more than the dedup itself.
const StoredBlock = z.object({
  clusters: z.array(z.object({ id: z.string(), members: z.array(z.any()).min(1) })),
}) as unknown as z.ZodType<DedupBlock>;

/**
 * `dedup-events`: `catalog-listings` (keyed by block: country, city, local date) to the compacted
 * `events-catalog` (keyed by canonical id). All listings of one block meet in one task, which keeps
 * the block's clusters in its store (`blocks`) and scores each new listing against them (see
 * `catalog/internal/dedup/` for the score and thresholds). Every cluster whose canonical event
 * changed is re-emitted whole; a cluster left empty is deleted with a tombstone. Each listing's
 * outcome (its canonical id) goes to `catalog-listing-status`.
 *
 * Re-processing after a crash gives the same clusters and ids, since adding a listing with an
 * unchanged payload is a no-op and canonical events do not depend on arrival order.
 */
export function dedupEventsJob(opts: { namespace?: string; commitIntervalMs?: number | undefined }) {
  const topics = catalogTopics(opts.namespace ?? '');
  return defineJob({
    name: `${opts.namespace ?? ''}dedup-events`,
    description: 'merges listings of the same event across sources into canonical events',
    inputs: { blocks: { topic: topics.blocks, schema: BlockMessage } },
    stores: { blocks: { schema: StoredBlock } },
    outputs: {
      events: {
        topic: topics.events,
        schema: CatalogEvent.nullable(),
        config: { 'cleanup.policy': 'compact' },
      },
      status: { topic: topics.status, schema: ListingStatus },
    },
    commitIntervalMs: opts.commitIntervalMs ?? 1000,
    processor: () => ({
      async process(record, ctx) {
        const key = record.key;
        if (key === null) throw new Error('catalog-listings records must be keyed by block');
        const store = ctx.store('blocks');
        const block = (await store.get(key)) ?? { clusters: [] };
        const msg = record.value;
        const change =
          msg.kind === 'listing'
            ? addListing(block, msg.listing)
            : removeListing(block, msg.source, msg.sourceId);
        if (change.block.clusters.length) store.put(key, change.block);
        else store.delete(key);
        for (const e of change.upserted) ctx.emit('events', e.id, e);
        for (const id of change.deleted) ctx.emit('events', id, null);
        if (msg.kind !== 'listing') return;
        const l = msg.listing;
        const cluster = change.block.clusters.find((c) =>
          c.members.some((m) => m.source === l.source && m.sourceId === l.sourceId),
        );
        ctx.emit('status', listingKey(l.source, l.sourceId), {
          source: l.source,
          sourceId: l.sourceId,
          outcome: 'accepted',
          reasons: [],
          canonicalId: cluster?.id ?? null,
          unmappedTerms: l.unmappedTerms,
          missingCoordinates: l.missingCoordinates,
          at: ctx.now(),
        });
      },
    }),
  });
}

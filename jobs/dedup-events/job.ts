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
  type NormalisedListing,
} from '../../catalog/index.ts';
import { defineJob } from '../../runtime/index.ts';

/**
 * A block's clusters as stored: ids and member keys only. Each member's normalised listing is its
 * own store entry (`members`, keyed `block|source:sourceId`), so a commit writes the block's small
 * index and the listings that changed, not every listing of every block touched.
 */
const BlockIndex = z.object({
  clusters: z.array(z.object({ id: z.string(), members: z.array(z.string()).min(1) })),
});
type BlockIndex = z.infer<typeof BlockIndex>;

// Members were validated when they arrived (as BlockMessages); a full parse of every member on
// every read would cost more than the dedup itself.
const StoredMember = z.custom<NormalisedListing>((v) => typeof v === 'object' && v !== null);

const memberKey = (l: { source: string; sourceId: string }) => listingKey(l.source, l.sourceId);

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
    stores: { blocks: { schema: BlockIndex }, members: { schema: StoredMember } },
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
        const blocks = ctx.store('blocks');
        const members = ctx.store('members');
        const index: BlockIndex = (await blocks.get(key)) ?? { clusters: [] };
        const stored = await members.getMany(
          index.clusters.flatMap((c) => c.members.map((m) => `${key}|${m}`)),
        );
        const block: DedupBlock = { clusters: [] };
        let at = 0;
        for (const c of index.clusters) {
          const listings: NormalisedListing[] = [];
          for (const m of c.members) {
            const l = stored[at++];
            if (!l) throw new Error(`dedup state: block ${key} lists member ${m} but does not hold it`);
            listings.push(l);
          }
          block.clusters.push({ id: c.id, members: listings });
        }
        const msg = record.value;
        const change =
          msg.kind === 'listing'
            ? addListing(block, msg.listing)
            : removeListing(block, msg.source, msg.sourceId);
        if (change.block !== block) {
          const before = new Set(index.clusters.flatMap((c) => c.members));
          const after = new Set<string>();
          for (const c of change.block.clusters) for (const m of c.members) after.add(memberKey(m));
          for (const m of before) if (!after.has(m)) members.delete(`${key}|${m}`);
          if (msg.kind === 'listing' && after.has(memberKey(msg.listing)))
            members.put(`${key}|${memberKey(msg.listing)}`, msg.listing);
          if (change.block.clusters.length)
            blocks.put(key, {
              clusters: change.block.clusters.map((c) => ({ id: c.id, members: c.members.map(memberKey) })),
            });
          else blocks.delete(key);
        }
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

import { z } from 'zod';
import {
  blockKey,
  BlockMessage,
  catalogTopics,
  ListingStatus,
  listingKey,
  normaliseListing,
  RawListing,
  Rejection,
} from '../../catalog/index.ts';
import { defineJob } from '../../runtime/index.ts';

/** What the job remembers per listing: the payload it last saw and the block it sent it to. */
const Seen = z.object({ hash: z.string(), block: z.string().nullable() });

/**
 * `normalise-listings`: `raw-listings` (keyed by `source:sourceId`) to `catalog-listings` (keyed by
 * dedup block). Each listing is normalised (times, place, category, price, status, performers: see
 * docs/catalogue.md) and sent to its block, where `dedup-events` merges it.
 *
 * - A listing whose payload hash is unchanged since the last import is dropped here: re-importing
 *   an unchanged source changes nothing downstream.
 * - A listing that moves to another block (new date or city) is retracted from the old one first.
 * - A listing that does not normalise goes to the dead-letter topic `raw-listings.dlq` with its
 *   reasons, is retracted from its block if it had one, and is reported in `catalog-listing-status`.
 */
export function normaliseListingsJob(opts: { namespace?: string; commitIntervalMs?: number | undefined }) {
  const topics = catalogTopics(opts.namespace ?? '');
  return defineJob({
    name: `${opts.namespace ?? ''}normalise-listings`,
    description: 'normalises raw listings and routes them to their dedup block',
    inputs: { listings: { topic: topics.rawListings, schema: RawListing } },
    stores: { seen: { schema: Seen } },
    outputs: {
      blocks: { topic: topics.blocks, schema: BlockMessage },
      rejected: { topic: topics.rejected, schema: Rejection },
      status: { topic: topics.status, schema: ListingStatus },
    },
    commitIntervalMs: opts.commitIntervalMs ?? 1000,
    processor: () => ({
      async process(record, ctx) {
        const raw = record.value;
        const key = listingKey(raw.source, raw.sourceId);
        const seen = ctx.store('seen');
        const prev = await seen.get(key);
        if (prev?.hash === raw.payloadHash) return;
        const retract = (block: string) =>
          ctx.emit('blocks', block, { kind: 'retract', source: raw.source, sourceId: raw.sourceId });
        const result = normaliseListing(raw);
        if (result.ok) {
          const block = blockKey(result.listing);
          if (prev?.block && prev.block !== block) retract(prev.block);
          ctx.emit('blocks', block, { kind: 'listing', listing: result.listing });
          seen.put(key, { hash: raw.payloadHash, block });
          return;
        }
        const reasons = result.errors.map((e) => `${e.path}: ${e.message}`);
        const at = ctx.now();
        if (prev?.block) retract(prev.block);
        ctx.emit('rejected', key, {
          source: raw.source,
          sourceId: raw.sourceId,
          stage: 'normalise',
          reasons,
          payload: raw,
          at,
        });
        ctx.emit('status', key, {
          source: raw.source,
          sourceId: raw.sourceId,
          outcome: 'rejected',
          reasons,
          canonicalId: null,
          unmappedTerms: [],
          missingCoordinates: false,
          at,
        });
        seen.put(key, { hash: raw.payloadHash, block: null });
      },
    }),
  });
}

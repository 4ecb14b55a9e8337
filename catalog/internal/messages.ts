/**
 * The catalogue's topics and the messages on them that are not listings or events themselves.
 * Every name takes the namespace prefix (empty in production; tests isolate runs with it).
 */
import { z } from 'zod';
import { NormalisedListing } from './listing.ts';

export function catalogTopics(ns = '') {
  return {
    /** {@link RawListing}s from the adapters, keyed by `source:sourceId`. */
    rawListings: `${ns}raw-listings`,
    /** Listings no adapter or normalisation could read, with the reason (see {@link Rejection}). */
    rejected: `${ns}raw-listings.dlq`,
    /** {@link BlockMessage}s, keyed by dedup block (country, city, local date). */
    blocks: `${ns}catalog-listings`,
    /** {@link ListingStatus} per listing, keyed by `source:sourceId`: what became of it. */
    status: `${ns}catalog-listing-status`,
    /** The canonical events, compacted, keyed by id; a tombstone removes one. */
    events: `${ns}events-catalog`,
  };
}

export const listingKey = (source: string, sourceId: string) => `${source}:${sourceId}`;

/** The value of the dead-letter topic: a listing that was not accepted, and why. */
export const Rejection = z.object({
  source: z.string(),
  sourceId: z.string().nullable(),
  stage: z.enum(['parse', 'normalise']),
  reasons: z.array(z.string()),
  /** The raw listing or the adapter's view of the record, for inspection and replay. */
  payload: z.unknown(),
  at: z.number().int(),
});
export type Rejection = z.infer<typeof Rejection>;

/**
 * What the dedup job is told about a block: a listing to add (or update), or a listing to take
 * out (it changed block, or no longer normalises).
 */
export const BlockMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('listing'), listing: NormalisedListing }),
  z.object({ kind: z.literal('retract'), source: z.string(), sourceId: z.string() }),
]);
export type BlockMessage = z.infer<typeof BlockMessage>;

/** What became of one listing; the data-quality report is built from these. */
export const ListingStatus = z.object({
  source: z.string(),
  sourceId: z.string(),
  outcome: z.enum(['accepted', 'rejected']),
  reasons: z.array(z.string()),
  /** The canonical event it belongs to (accepted listings). */
  canonicalId: z.string().nullable(),
  unmappedTerms: z.array(z.string()),
  missingCoordinates: z.boolean(),
  at: z.number().int(),
});
export type ListingStatus = z.infer<typeof ListingStatus>;

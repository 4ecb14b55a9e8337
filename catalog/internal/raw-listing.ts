/** Turns what an adapter extracted into {@link RawListing}s: defaults applied, payload hashed. */
import { createHash } from 'node:crypto';
import type { ExtractedListing, ListingRejection } from './adapters/adapter.ts';
import { ListingDraft, type RawListing } from './listing.ts';

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  });
}

export const payloadHash = (payload: unknown) =>
  createHash('sha256').update(canonicalJson(payload)).digest('hex');

export interface RawListingBatch {
  listings: RawListing[];
  rejected: ListingRejection[];
}

/**
 * Validates each extracted draft (a draft the schema refuses is rejected with the field named) and
 * stamps it with its source, fetch time and payload hash. A listing id seen twice in one document
 * keeps its first occurrence and rejects the others: ids must identify listings.
 */
export function toRawListings(
  source: { name: string; priority: number },
  extracted: readonly ExtractedListing[],
  fetchedAt: number,
): RawListingBatch {
  const listings: RawListing[] = [];
  const rejected: ListingRejection[] = [];
  const seen = new Set<string>();
  for (const e of extracted) {
    if (seen.has(e.sourceId)) {
      rejected.push({ sourceId: e.sourceId, reason: 'sourceId: appears twice in the document' });
      continue;
    }
    seen.add(e.sourceId);
    const parsed = ListingDraft.safeParse(e.draft);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(draft)'}: ${i.message}`);
      rejected.push({ sourceId: e.sourceId, reason: why.join('; ') });
      continue;
    }
    listings.push({
      source: source.name,
      sourceId: e.sourceId,
      fetchedAt,
      payloadHash: payloadHash(parsed.data),
      priority: source.priority,
      payload: parsed.data,
    });
  }
  return { listings, rejected };
}

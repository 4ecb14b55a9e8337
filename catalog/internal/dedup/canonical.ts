/**
 * The canonical event of a cluster of merged listings, and its id.
 *
 * Deterministic by construction: members are ranked by priority, then by `source:sourceId`, so
 * the same members in any arrival order give the same ranking and byte-identical JSON (the output
 * object is built in one fixed key order).
 */
import { createHash } from 'node:crypto';
import type { CatalogEvent } from '../../../model/index.ts';
import type { NormalisedListing } from '../listing.ts';
import type { Cluster } from './block.ts';
import { foldText } from './normalise-text.ts';

/**
 * `evt_` + the first 16 hex digits of sha256(`block|source:sourceId`) of the block and the listing
 * that founded the cluster. The cluster keeps it for its life, even after its founder leaves.
 * The block is part of it because blocks are processed independently (in different tasks): an
 * event whose only listing moves to another day gets a new id there, so the tombstone of its old
 * id can never delete it, whatever order the two reach the compacted topic in. `salt` (> 1) only
 * when that id is already taken in the block (the founder left a cluster that lives on, then
 * founded another).
 */
export function canonicalId(block: string, source: string, sourceId: string, salt = 1): string {
  const base = `${block}|${source}:${sourceId}`;
  const key = salt > 1 ? `${base}#${salt}` : base;
  return `evt_${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

export const memberKey = (l: { source: string; sourceId: string }): string => `${l.source}:${l.sourceId}`;

/** Plain code-unit order: unlike `localeCompare`, the same on every machine and locale. */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Highest priority first; ties by `source:sourceId`. */
export function rankMembers(members: readonly NormalisedListing[]): NormalisedListing[] {
  return [...members].sort((a, b) => b.priority - a.priority || compareStrings(memberKey(a), memberKey(b)));
}

/**
 * The cluster's event: every field from its top-ranked member, a null filled from the next-ranked
 * member that has it (venue address, coordinates, price, url, subcategory, end); performers are
 * the union; sources list every member.
 *
 * - status is the top member's: a lower-priority source saying `cancelled` or `postponed` does not
 *   override the one the catalogue trusts most (it is kept in `sources` for inspection).
 * - coordinates are taken as a pair, preferring those a source gave over gazetteer ones.
 * - subcategory only from a member of the same category (`exhibition/jazz` would be invalid).
 * - end only if after the top member's start.
 */
export function canonicalEvent(cluster: Cluster): CatalogEvent {
  const ranked = rankMembers(cluster.members);
  const top = ranked[0];
  if (!top) throw new Error(`cluster ${cluster.id} has no members`);
  const e = top.event;
  const first = <T>(pick: (l: NormalisedListing) => T | null): T | null => {
    for (const l of ranked) {
      const v = pick(l);
      if (v !== null) return v;
    }
    return null;
  };
  const startMs = Date.parse(e.startsAt);
  const coords =
    first((l) => (hasCoords(l) && !l.missingCoordinates ? l : null)) ??
    first((l) => (hasCoords(l) ? l : null));
  const price = first((l) => l.event.price);
  return {
    id: cluster.id,
    title: e.title,
    category: e.category,
    subcategory: first((l) => (l.event.category === e.category ? l.event.subcategory : null)),
    startsAt: e.startsAt,
    endsAt: first((l) =>
      l.event.endsAt !== null && Date.parse(l.event.endsAt) > startMs ? l.event.endsAt : null,
    ),
    timezone: e.timezone,
    venue: {
      name: e.venue.name,
      address: first((l) => l.event.venue.address),
      lat: coords?.event.venue.lat ?? null,
      lon: coords?.event.venue.lon ?? null,
    },
    city: e.city,
    country: e.country,
    price: price && { min: price.min, max: price.max, currency: price.currency, isFree: price.isFree },
    status: e.status,
    url: first((l) => l.event.url ?? l.url),
    sources: cluster.members
      .map((l) => ({ source: l.source, sourceId: l.sourceId, url: l.url }))
      .sort((a, b) => compareStrings(a.source, b.source) || compareStrings(a.sourceId, b.sourceId)),
    performers: unionPerformers(ranked),
  };
}

const hasCoords = (l: NormalisedListing): boolean => l.event.venue.lat !== null && l.event.venue.lon !== null;

/** Performers of all members, top-ranked first; spellings that fold alike count once (first kept). */
function unionPerformers(ranked: readonly NormalisedListing[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of ranked)
    for (const p of l.event.performers) {
      const k = foldText(p).replace(/\s+/g, ' ').trim();
      if (!k || seen.has(k)) continue;
      seen.add(k);
      out.push(p);
    }
  return out;
}

/**
 * A dedup block: every listing of one country, city and local start date, grouped into clusters
 * (one per real event). The stream job keeps one {@link DedupBlock} per block key in its state
 * store, as JSON, and applies each incoming listing (or retraction) with {@link addListing} /
 * {@link removeListing}: pure functions that return the new block and which canonical events to
 * (re)emit or tombstone.
 */
import type { CatalogEvent } from '../../../model/index.ts';
import type { NormalisedListing } from '../listing.ts';
import { canonicalEvent, canonicalId, compareStrings, memberKey } from './canonical.ts';
import { foldText } from './normalise-text.ts';
import { DEDUP, neverMerge, pairRule, scoreMatchAtLeast } from './score.ts';

/** One real event: the listings merged into it, sorted by `source:sourceId`. */
export interface Cluster {
  /** The canonical event's id (see {@link canonicalId}): set by the founder, kept for life. */
  id: string;
  members: NormalisedListing[];
}

/** A block's state: JSON-serialisable, nothing derived stored (similarity features are cached in memory). */
export interface DedupBlock {
  clusters: Cluster[];
}

/**
 * What one operation changed. `upserted`: the canonical events of clusters that are new or whose
 * event changed (emit them whole). `deleted`: ids of clusters that no longer exist (tombstone
 * them). An id never appears in both; both are sorted by id. Nothing changed: both empty and
 * `block` is the input object itself.
 */
export interface BlockChange {
  block: DedupBlock;
  upserted: CatalogEvent[];
  deleted: string[];
}

/** `country|city|localDate`, the city folded (lower case, no diacritics) so spellings agree. */
export function blockKey(l: NormalisedListing): string {
  const city = foldText(l.event.city).replace(/\s+/g, ' ').trim();
  return `${l.event.country}|${city}|${l.localDate}`;
}

/**
 * Adds a listing, or replaces the block's listing with the same `source:sourceId`.
 *
 * - Same payload hash and priority as the member already there: no change (re-imports are no-ops).
 * - Otherwise the old version leaves its cluster first, so a changed listing can move.
 * - The listing is scored against every member; it joins the cluster with the highest score
 *   (a cluster's score is the best over its members) among those it may join: at least one member
 *   at the merge threshold, and no member the rules forbid it to meet (a start 2 h or more away;
 *   one of its own source failing the within-source rule: see `DEDUP`, thresholds.ts). Ties go to
 *   the cluster whose first member key sorts first. If no cluster qualifies, it founds a new one.
 * - Clusters are not re-split when a member leaves: the remaining members stay together.
 */
export function addListing(block: DedupBlock, listing: NormalisedListing): BlockChange {
  const found = locate(block, listing.source, listing.sourceId);
  const old = found && block.clusters[found.cluster]!.members[found.member]!;
  if (old && old.payloadHash === listing.payloadHash && old.priority === listing.priority)
    return { block, upserted: [], deleted: [] };

  const touched = new Set<string>();
  let clusters = block.clusters;
  if (found) {
    touched.add(clusters[found.cluster]!.id);
    clusters = withoutMember(clusters, found);
  }
  const target = bestCluster(clusters, listing);
  if (target === null) {
    const id = freeId(clusters, listing);
    touched.add(id);
    clusters = [...clusters, { id, members: [listing] }];
  } else {
    const c = clusters[target]!;
    touched.add(c.id);
    clusters = clusters.with(target, { id: c.id, members: sortMembers([...c.members, listing]) });
  }
  return diff(block, { clusters }, touched);
}

/** Takes a listing out of its block (it moved to another block or no longer normalises). */
export function removeListing(block: DedupBlock, source: string, sourceId: string): BlockChange {
  const found = locate(block, source, sourceId);
  if (!found) return { block, upserted: [], deleted: [] };
  const touched = new Set([block.clusters[found.cluster]!.id]);
  return diff(block, { clusters: withoutMember(block.clusters, found) }, touched);
}

interface Location {
  cluster: number;
  member: number;
}

function locate(block: DedupBlock, source: string, sourceId: string): Location | null {
  for (let c = 0; c < block.clusters.length; c++) {
    const members = block.clusters[c]!.members;
    for (let m = 0; m < members.length; m++)
      if (members[m]!.source === source && members[m]!.sourceId === sourceId)
        return { cluster: c, member: m };
  }
  return null;
}

/** The clusters without one member; a cluster left empty is dropped. */
function withoutMember(clusters: readonly Cluster[], at: Location): Cluster[] {
  const c = clusters[at.cluster]!;
  if (c.members.length === 1) return clusters.filter((_, i) => i !== at.cluster);
  return clusters.with(at.cluster, { id: c.id, members: c.members.filter((_, i) => i !== at.member) });
}

/**
 * Index of the cluster the listing joins, or null if it founds a new one. Vetoes are checked
 * first, and a member's title is compared only when its score could still matter (reach the
 * threshold and the best so far): the outcome is that of scoring every pair in full.
 */
function bestCluster(clusters: readonly Cluster[], listing: NormalisedListing): number | null {
  let best: { index: number; score: number; key: string } | null = null;
  clusters: for (let i = 0; i < clusters.length; i++) {
    const members = clusters[i]!.members;
    for (const m of members) if (neverMerge(listing, m)) continue clusters;
    let score = -1;
    let mayMerge = false;
    for (const m of members) {
      const sameSource = m.source === listing.source && m.sourceId !== listing.sourceId;
      const floor = sameSource
        ? DEDUP.mergeWithinSource
        : Math.max(DEDUP.mergeAcrossSources, best?.score ?? 0);
      const s = scoreMatchAtLeast(listing, m, floor);
      if (s === null) {
        if (sameSource) continue clusters; // below the within-source threshold: a veto
        continue;
      }
      const rule = pairRule(listing, m, s);
      if (rule === 'never') continue clusters;
      if (rule === 'merge') mayMerge = true;
      score = Math.max(score, s.score);
    }
    if (!mayMerge) continue;
    const key = memberKey(members[0]!);
    if (!best || score > best.score || (score === best.score && compareStrings(key, best.key) < 0))
      best = { index: i, score, key };
  }
  return best?.index ?? null;
}

/** The founder's id, salted if a living cluster of the block already has it. */
function freeId(clusters: readonly Cluster[], founder: NormalisedListing): string {
  const taken = new Set(clusters.map((c) => c.id));
  for (let salt = 1; ; salt++) {
    const id = canonicalId(blockKey(founder), founder.source, founder.sourceId, salt);
    if (!taken.has(id)) return id;
  }
}

const sortMembers = (members: NormalisedListing[]): NormalisedListing[] =>
  members.sort((a, b) => compareStrings(memberKey(a), memberKey(b)));

/** Compares the touched clusters' canonical events before and after. */
function diff(before: DedupBlock, after: DedupBlock, touched: ReadonlySet<string>): BlockChange {
  const upserted: CatalogEvent[] = [];
  const deleted: string[] = [];
  for (const id of [...touched].sort(compareStrings)) {
    const was = before.clusters.find((c) => c.id === id);
    const now = after.clusters.find((c) => c.id === id);
    if (!now) {
      if (was) deleted.push(id);
      continue;
    }
    const event = canonicalEvent(now);
    if (!was || JSON.stringify(canonicalEvent(was)) !== JSON.stringify(event)) upserted.push(event);
  }
  return { block: after, upserted, deleted };
}

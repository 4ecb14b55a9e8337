/**
 * How alike two listings of one block (same country, city and local start date) are, and whether
 * they may be merged into one event. Weights and thresholds: {@link DEDUP} (thresholds.ts).
 */
import type { NormalisedListing } from '../listing.ts';
import { geoSimilarity } from './geo.ts';
import { featureSimilarity, nameFeatures } from './similarity.ts';
import { startInfo, timePart, type StartInfo } from './start-time.ts';
import { DEDUP } from './thresholds.ts';

export { DEDUP };

/**
 * The score of a pair and its parts, each in [0, 1]. `time` is null when one side is date-only and
 * the other timed, `geo` when coordinates are missing or not from the source: unknown parts are
 * left out of the score and the other weights renormalised.
 */
export interface MatchScore {
  score: number;
  title: number;
  venue: number;
  time: number | null;
  geo: number | null;
}

type Parts = Omit<MatchScore, 'score' | 'title'> & { clash: boolean };

export function scoreMatch(a: NormalisedListing, b: NormalisedListing): MatchScore {
  return complete(a, b, parts(a, b));
}

/**
 * {@link scoreMatch}, or null if the score is certainly below `floor`: the cheap parts with a
 * perfect title are checked first, and the title (the costly part) is compared only if they could
 * reach it. For choosing a cluster, where most pairs of a block are far from merging.
 */
export function scoreMatchAtLeast(
  a: NormalisedListing,
  b: NormalisedListing,
  floor: number,
): MatchScore | null {
  const p = parts(a, b);
  return combine(1, p) < floor ? null : complete(a, b, p);
}

function parts(a: NormalisedListing, b: NormalisedListing): Parts {
  const ea = a.event;
  const eb = b.event;
  return {
    venue: featureSimilarity(nameFeatures(ea.venue.name), nameFeatures(eb.venue.name)),
    time: timePart(startOf(a), startOf(b)),
    geo: geoSimilarity(a, b),
    clash: ea.category !== eb.category && ea.category !== 'other' && eb.category !== 'other',
  };
}

function complete(a: NormalisedListing, b: NormalisedListing, p: Parts): MatchScore {
  const title = featureSimilarity(nameFeatures(a.event.title), nameFeatures(b.event.title));
  return { score: combine(title, p), title, venue: p.venue, time: p.time, geo: p.geo };
}

function combine(title: number, p: Parts): number {
  const w = DEDUP.weights;
  let sum = w.title * title + w.venue * p.venue;
  let weight = w.title + w.venue;
  if (p.time !== null) {
    sum += w.time * p.time;
    weight += w.time;
  }
  if (p.geo !== null) {
    sum += w.geo * p.geo;
    weight += w.geo;
  }
  return (sum / weight) * (p.clash ? DEDUP.categoryMismatch : 1);
}

/**
 * True if the pair may never share a cluster whatever its titles: starts 2 h or more apart, or
 * two ids of one source with different starts. Cheap: checked before any score.
 */
/** Each listing's start, parsed once for the listing's life (listings are immutable values). */
const starts = new WeakMap<NormalisedListing, StartInfo>();
function startOf(l: NormalisedListing): StartInfo {
  let info = starts.get(l);
  if (!info) starts.set(l, (info = startInfo(l.event.startsAt, l.event.timezone)));
  return info;
}

export function neverMerge(a: NormalisedListing, b: NormalisedListing): boolean {
  const sa = startOf(a);
  const sb = startOf(b);
  if (timePart(sa, sb) === 0) return true;
  return a.source === b.source && a.sourceId !== b.sourceId && sa.ms !== sb.ms;
}

/**
 * What the rules allow for a pair, given its score: `merge` (may share a cluster), `no` (too
 * unlike to merge by themselves, but may share a cluster through others) or `never` (must not
 * share a cluster: starts 2 h or more apart, or two listings of one source that do not pass the
 * within-source rule).
 */
export type PairRule = 'merge' | 'no' | 'never';

export function pairRule(a: NormalisedListing, b: NormalisedListing, s: MatchScore): PairRule {
  if (s.time === 0 || neverMerge(a, b)) return 'never';
  if (a.source !== b.source) return s.score >= DEDUP.mergeAcrossSources ? 'merge' : 'no';
  if (a.sourceId === b.sourceId) return 'merge';
  return s.score >= DEDUP.mergeWithinSource && s.title >= DEDUP.titleWithinSource ? 'merge' : 'never';
}

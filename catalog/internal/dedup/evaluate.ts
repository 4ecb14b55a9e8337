/**
 * How well a clustering matches hand-made truth labels, pairwise: every two listings in one
 * cluster are a predicted pair; every two listings with one truth key are a true pair.
 */

/** A pair of listing keys (`source:sourceId`), the smaller first. */
export type ListingPair = [string, string];

export interface MergeEvaluation {
  /** Correct pairs / predicted pairs; 1 when nothing was merged (no pair can be wrong). */
  precision: number;
  /** Correct pairs / true pairs; 1 when there are no true pairs (none can be missed). */
  recall: number;
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  f1: number;
  predictedPairs: number;
  truePairs: number;
  correctPairs: number;
  /** Merged but different truth keys: wrongly merged. Sorted. */
  falsePairs: ListingPair[];
  /** Same truth key but in different clusters: missed merges. Sorted. */
  missedPairs: ListingPair[];
  /** Clustered listings without a label: left out of every count. Sorted. */
  unlabelled: string[];
  /** Labels whose listing is in no cluster (rejected, or never imported). Sorted. */
  notFound: string[];
}

/**
 * Pairwise precision, recall and F1 of `clusters` against `labels` (`source:sourceId` -> truth key).
 * Only listings that are both clustered and labelled count.
 */
export function evaluateMerge(
  clusters: readonly { members: readonly { source: string; sourceId: string }[] }[],
  labels: Readonly<Record<string, string>>,
): MergeEvaluation {
  const clusterOf = new Map<string, number>();
  const unlabelled: string[] = [];
  clusters.forEach((c, i) => {
    for (const m of c.members) {
      const key = `${m.source}:${m.sourceId}`;
      if (Object.hasOwn(labels, key)) clusterOf.set(key, i);
      else unlabelled.push(key);
    }
  });
  // Pair counts from group sizes (linear in the listings, not quadratic): within a cluster every
  // pair is predicted, within a truth group every pair is true, within both it is correct.
  const byCluster = groupBy(clusterOf.keys(), (k) => String(clusterOf.get(k)));
  const byTruth = groupBy(clusterOf.keys(), (k) => labels[k]!);
  const byBoth = groupBy(clusterOf.keys(), (k) => `${clusterOf.get(k)}\u0000${labels[k]}`);
  const pairs = (groups: Map<string, string[]>) => {
    let n = 0;
    for (const g of groups.values()) n += (g.length * (g.length - 1)) / 2;
    return n;
  };
  const predictedPairs = pairs(byCluster);
  const truePairs = pairs(byTruth);
  const correctPairs = pairs(byBoth);
  const falsePairs: ListingPair[] = [];
  for (const g of byCluster.values())
    for (const p of pairsOf(g)) if (labels[p[0]] !== labels[p[1]]) falsePairs.push(p);
  const missedPairs: ListingPair[] = [];
  for (const g of byTruth.values())
    for (const p of pairsOf(g)) if (clusterOf.get(p[0]) !== clusterOf.get(p[1])) missedPairs.push(p);
  const byPair = (x: ListingPair, y: ListingPair) => compare(x[0], y[0]) || compare(x[1], y[1]);
  falsePairs.sort(byPair);
  missedPairs.sort(byPair);
  const precision = predictedPairs ? correctPairs / predictedPairs : 1;
  const recall = truePairs ? correctPairs / truePairs : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    precision,
    recall,
    f1,
    predictedPairs,
    truePairs,
    correctPairs,
    falsePairs,
    missedPairs,
    unlabelled: unlabelled.sort(compare),
    notFound: Object.keys(labels)
      .filter((k) => !clusterOf.has(k))
      .sort(compare),
  };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function groupBy(keys: Iterable<string>, of: (k: string) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const k of keys) {
    const g = out.get(of(k));
    if (g) g.push(k);
    else out.set(of(k), [k]);
  }
  return out;
}

/** Every pair of a group, each as [smaller, larger]. */
function* pairsOf(group: readonly string[]): Generator<ListingPair> {
  const sorted = [...group].sort(compare);
  for (let i = 0; i < sorted.length; i++)
    for (let j = i + 1; j < sorted.length; j++) yield [sorted[i]!, sorted[j]!];
}

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
  const keys = [...clusterOf.keys()].sort(compare);
  const falsePairs: ListingPair[] = [];
  const missedPairs: ListingPair[] = [];
  let predictedPairs = 0;
  let truePairs = 0;
  let correctPairs = 0;
  for (let i = 0; i < keys.length; i++)
    for (let j = i + 1; j < keys.length; j++) {
      const a = keys[i]!;
      const b = keys[j]!;
      const merged = clusterOf.get(a) === clusterOf.get(b);
      const same = labels[a] === labels[b];
      if (merged) predictedPairs++;
      if (same) truePairs++;
      if (merged && same) correctPairs++;
      else if (merged) falsePairs.push([a, b]);
      else if (same) missedPairs.push([a, b]);
    }
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

/**
 * Similarity of two titles (or two venue names) in [0, 1], robust to what sources do to one
 * event's name: reordering (`Mahler 5 – Berliner Philharmoniker`), additions (`Le Misanthrope
 * (Molière)`), other languages for generic words, small spelling variants (`Mahlers`).
 *
 * It is the larger of two measures over the distinctive tokens ({@link titleTokens}):
 * - token containment: the share of the shorter name's tokens found in the longer one, a token
 *   also counting (partly) when it is close in spelling to one there;
 * - character-trigram similarity (Dice) of the two token sets, for spellings containment misses.
 *
 * Containment is what makes `Carmen` and `Carmen (Bizet) – Teatro Real` the same title; alone it
 * would make any one-word title match every longer title that contains the word, so a one-token
 * name contained in a longer one scores {@link SIMILARITY.singleToken} rather than 1: with the
 * score's weights, venue and time must then agree too before listings merge.
 */
import { isNumberToken, titleTokens } from './normalise-text.ts';

export const SIMILARITY = {
  /** Two different tokens count as matching when their trigram Dice reaches this (`mahler`/`mahlers`). */
  softToken: 0.7,
  /** Only tokens this long are compared by spelling: short ones differ by a letter and mean other things. */
  softTokenMinLength: 4,
  /** Containment when the shorter name is one token found in a longer name. */
  singleToken: 0.9,
  /** Factor when both names have numbers and share none (`Mahler 5` vs `Mahler 6`). */
  numberMismatch: 0.5,
} as const;

/**
 * What similarity needs of a name, computed once per distinct text (see {@link nameFeatures}).
 * Trigrams are numbers (three UTF-16 code units packed into 48 bits) in sorted arrays without
 * repeats, so two sets intersect by one merge pass instead of hashing strings: scoring is the
 * inner loop of deduplication.
 */
export interface NameFeatures {
  readonly tokens: readonly string[];
  readonly tokenSet: ReadonlySet<string>;
  /** Trigrams of each token (padded with a space on both sides), same order as `tokens`. */
  readonly tokenGrams: readonly Float64Array[];
  /** The union of `tokenGrams`. */
  readonly grams: Float64Array;
  readonly numbers: readonly string[];
}

// Features are a pure function of the text, so a cache keyed by the text is always right, however
// the listing object was obtained (state stores hand back fresh objects parsed from JSON). It is
// bounded by clearing: titles repeat within a block's lifetime, not across the whole catalogue.
const CACHE_LIMIT = 50_000;
const cache = new Map<string, NameFeatures>();

export function nameFeatures(text: string): NameFeatures {
  const hit = cache.get(text);
  if (hit) return hit;
  const tokens = titleTokens(text);
  const tokenGrams = tokens.map((t) => sortedUnique(trigrams(t)));
  const features: NameFeatures = {
    tokens,
    tokenSet: new Set(tokens),
    tokenGrams,
    grams: sortedUnique(tokenGrams.flatMap((g) => [...g])),
    numbers: tokens.filter(isNumberToken),
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, features);
  return features;
}

function trigrams(token: string): number[] {
  const padded = ` ${token} `;
  const out: number[] = [];
  for (let i = 0; i + 3 <= padded.length; i++)
    out.push(padded.charCodeAt(i) * 2 ** 32 + padded.charCodeAt(i + 1) * 2 ** 16 + padded.charCodeAt(i + 2));
  return out;
}

const sortedUnique = (xs: readonly number[]): Float64Array => Float64Array.from(new Set(xs)).sort();

/** Dice coefficient of two sorted sets without repeats: 2|A∩B| / (|A|+|B|); 0 when both are empty. */
export function dice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const total = a.length + b.length;
  if (total === 0) return 0;
  let common = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      common++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return (2 * common) / total;
}

/**
 * Share of the shorter name's tokens found in the longer one (close spellings count partly).
 * Symmetric: with equally long names, both directions are tried.
 */
export function containment(a: NameFeatures, b: NameFeatures): number {
  if (a.tokens.length === b.tokens.length) return Math.max(contained(a, b), contained(b, a));
  return a.tokens.length < b.tokens.length ? contained(a, b) : contained(b, a);
}

function contained(small: NameFeatures, large: NameFeatures): number {
  if (small.tokens.length === 0) return 0;
  let matched = 0;
  small.tokens.forEach((token, i) => {
    if (large.tokenSet.has(token)) return void matched++;
    if (token.length < SIMILARITY.softTokenMinLength) return;
    const grams = small.tokenGrams[i]!;
    let best = 0;
    large.tokenGrams.forEach((other, j) => {
      // Dice can reach the threshold only between sets of similar size: skip the merge pass otherwise.
      const bound = (2 * Math.min(grams.length, other.length)) / (grams.length + other.length);
      if (bound >= SIMILARITY.softToken && large.tokens[j]!.length >= SIMILARITY.softTokenMinLength)
        best = Math.max(best, dice(grams, other));
    });
    if (best >= SIMILARITY.softToken) matched += best;
  });
  const share = matched / small.tokens.length;
  return small.tokens.length === 1 && large.tokens.length > 1
    ? Math.min(share, SIMILARITY.singleToken)
    : share;
}

/** Similarity of two titles or venue names in [0, 1]; symmetric. */
export function nameSimilarity(a: string, b: string): number {
  return featureSimilarity(nameFeatures(a), nameFeatures(b));
}

export function featureSimilarity(a: NameFeatures, b: NameFeatures): number {
  const sim = Math.max(containment(a, b), dice(a.grams, b.grams));
  const numbersDisagree =
    a.numbers.length > 0 && b.numbers.length > 0 && !a.numbers.some((n) => b.numbers.includes(n));
  return numbersDisagree ? sim * SIMILARITY.numberMismatch : sim;
}

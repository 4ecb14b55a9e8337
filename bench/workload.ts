/**
 * The benchmark's input: deterministic for a seed, ~300-byte JSON values that satisfy count-by-key's
 * `CountInput` (`{ key, n }` plus fields the schema strips), keys drawn from a Zipf distribution so a
 * few keys are hot and most are cold, as page views of events are.
 */

export interface WorkloadRecord {
  key: string;
  value: string;
}

export interface WorkloadOptions {
  records: number;
  keys: number;
  seed?: number;
  /** Zipf exponent; 1.0 means the key of rank r is drawn with probability ∝ 1/r. */
  zipfS?: number;
  /** Approximate size of each JSON value in bytes. */
  valueBytes?: number;
}

export const DEFAULT_SEED = 20_240_601;
export const DEFAULT_VALUE_BYTES = 300;

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Draws ranks 0..n-1 with P(rank r) ∝ 1/(r+1)^s, by binary search in the cumulative table. */
export class ZipfSampler {
  private readonly cdf: Float64Array;

  constructor(
    readonly n: number,
    readonly s: number,
    private readonly rng: Rng,
  ) {
    if (!(n >= 1)) throw new RangeError('Zipf needs at least one key');
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let r = 0; r < n; r++) this.cdf[r] = sum += 1 / Math.pow(r + 1, s);
    for (let r = 0; r < n; r++) this.cdf[r]! /= sum;
  }

  sample(): number {
    const u = this.rng.next();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** `user-0000042`: fixed width so every value has about the same size. */
export function keyName(i: number, keys: number): string {
  const width = Math.max(7, String(Math.max(0, keys - 1)).length);
  return `user-${String(i).padStart(width, '0')}`;
}

const CITIES = ['lisbon', 'porto', 'berlin', 'paris', 'madrid', 'vienna', 'prague', 'oslo', 'rome', 'ghent'];
const KINDS = ['concert', 'theatre', 'exhibition', 'festival', 'talk', 'cinema', 'dance', 'market'];
const DEVICES = ['ios', 'android', 'web-desktop', 'web-mobile', 'tv'];
const REFERRERS = ['search', 'home', 'newsletter', 'share', 'map', 'calendar', 'push'];
const BASE_TS = 1_735_689_600_000; // 2025-01-01T00:00:00Z
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Builds values of one workload: real-looking fields, then padding up to the target size. */
export class ValueBuilder {
  /** Random characters the padding is cut from (random, so compression does not make it free). */
  private readonly noise: string;

  constructor(
    private readonly rng: Rng,
    private readonly targetBytes = DEFAULT_VALUE_BYTES,
  ) {
    let noise = '';
    for (let i = 0; i < 8192; i++) noise += ALPHABET[rng.int(ALPHABET.length)];
    this.noise = noise;
  }

  build(key: string, seq: number): string {
    const rng = this.rng;
    const city = CITIES[rng.int(CITIES.length)]!;
    const body = {
      key,
      n: 1,
      seq,
      page: `/events/${city}/${KINDS[rng.int(KINDS.length)]!}-${rng.int(100_000)}`,
      city,
      device: DEVICES[rng.int(DEVICES.length)]!,
      referrer: REFERRERS[rng.int(REFERRERS.length)]!,
      session: this.slice(16),
      ts: BASE_TS + seq * 7,
      dwellMs: rng.int(120_000),
    };
    const json = JSON.stringify(body);
    // `,"pad":""` adds 9 bytes besides the padding itself.
    const padLength = this.targetBytes - json.length - 9;
    return padLength > 0 ? `${json.slice(0, -1)},"pad":"${this.slice(padLength)}"}` : json;
  }

  private slice(length: number): string {
    const at = this.rng.int(this.noise.length - length);
    return this.noise.slice(at, at + length);
  }
}

/** `records` records whose keys follow Zipf(s) over `keys` distinct keys. */
export function* skewedWorkload(opts: WorkloadOptions): Generator<WorkloadRecord> {
  const rng = new Rng(opts.seed ?? DEFAULT_SEED);
  const zipf = new ZipfSampler(opts.keys, opts.zipfS ?? 1.0, rng);
  // Ranks are mapped through a seeded permutation so the hot keys are not simply the first names.
  const names = shuffled(opts.keys, rng).map((i) => keyName(i, opts.keys));
  const values = new ValueBuilder(rng, opts.valueBytes ?? DEFAULT_VALUE_BYTES);
  for (let seq = 0; seq < opts.records; seq++) {
    const key = names[zipf.sample()]!;
    yield { key, value: values.build(key, seq) };
  }
}

/** `keys` records with distinct keys (each key once): fills a store with exactly `keys` entries. */
export function* distinctWorkload(keys: number, seed = DEFAULT_SEED): Generator<WorkloadRecord> {
  const rng = new Rng(seed);
  const values = new ValueBuilder(rng);
  for (let i = 0; i < keys; i++) {
    const key = keyName(i, keys);
    yield { key, value: values.build(key, i) };
  }
}

function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

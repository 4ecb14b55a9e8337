/** Builders of enriched events for the tests of this folder. */
import type { Category, EnrichedEvent, EventType } from '../../model/index.ts';

export const DAY = 86_400_000;

let seq = 0;

export function ev(
  p: Partial<Omit<EnrichedEvent, 'enrichment'>> & {
    categories?: Category[];
    city?: string | null;
    itemId?: string;
    type?: EventType;
  } = {},
): EnrichedEvent {
  const { categories, city, itemId, type, ...rest } = p;
  return {
    eventId: `ev-${++seq}`,
    userId: 'u1',
    eventType: type ?? 'VIEW',
    timestamp: 0,
    context: itemId === undefined ? {} : { itemId },
    ...rest,
    enrichment: {
      categories: categories ?? ['music'],
      subcategory: null,
      deviceType: 'MOBILE',
      geoRegion: 'EMEA',
      city: city ?? null,
      lat: null,
      lon: null,
      itemKnown: true,
    },
  };
}

/** Deterministic PRNG (mulberry32) so property tests are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(xs: readonly T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

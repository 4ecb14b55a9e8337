import { describe, expect, it } from 'vitest';
import type { Profile } from '../../model/index.ts';
import { CatalogueIndex, haversineKm } from './catalogue.ts';
import {
  cachedTrending,
  buildFeed,
  decodeCursor,
  describeWhen,
  encodeCursor,
  InvalidCursorError,
  planFeed,
  rankFeed,
  type FeedParams,
  type TrendingResults,
} from './feed.ts';
import { BERLIN, catalogEvent, PARIS, profileWith } from './test-events.ts';

/** Wednesday 3 June 2026, 10:00 UTC (12:00 in Berlin). */
const NOW = Date.parse('2026-06-03T10:00:00Z');
const H = 3_600_000;
const D = 24 * H;
const at = (ms: number) => new Date(ms).toISOString();

function catalogueOf(...events: ReturnType<typeof catalogEvent>[]): CatalogueIndex {
  const index = new CatalogueIndex();
  for (const e of events) index.upsert(e);
  index.markLoaded();
  return index;
}

const params = (over: Partial<FeedParams> = {}): FeedParams => ({ userId: 'u1', limit: 20, ...over });
const withProfile = (p: Profile, version = 7) => ({ version, profile: p });
const ids = (feed: { items: Array<{ eventId: string }> }) => feed.items.map((i) => i.eventId);

describe('buildFeed: personalized ranking', () => {
  it('ranks by 0.5·interest + 0.2·proximity + 0.15·soon + 0.15·popularity, exactly', () => {
    const catalogue = catalogueOf(
      catalogEvent('theatre-1', at(NOW + D), { category: 'theatre' }),
      catalogEvent('music-1', at(NOW + D)),
      catalogEvent('dance-1', at(NOW + D), { category: 'dance' }),
    );
    const profile = profileWith({ interests: { theatre: 4, music: 1, dance: -2 } });
    const feed = buildFeed({
      profile: withProfile(profile),
      catalogue,
      trending: [],
      params: params(),
      now: NOW,
    });
    expect(feed.strategy).toBe('personalized');
    expect(ids(feed)).toEqual(['theatre-1', 'music-1', 'dance-1']);
    const soon = 2 ** (-1 / 7);
    // The home centre is the mean of Berlin's venues: the venue itself, 0 km away.
    expect(feed.items[0]!.score).toBeCloseTo(0.5 * 1 + 0.2 * 1 + 0.15 * soon, 6);
    expect(feed.items[1]!.score).toBeCloseTo(0.5 * 0.25 + 0.2 + 0.15 * soon, 6);
    expect(feed.items[2]!.score).toBeCloseTo(0.2 + 0.15 * soon, 6); // negative interest counts as 0
    expect(feed.items[0]!.distanceKm).toBe(0);
    expect(feed.generatedAt).toBe(at(NOW));
    expect(feed.userId).toBe('u1');
  });

  it('prefers nearer, sooner and trending events when interests are equal, ties by eventId', () => {
    const farVenue = { lat: BERLIN.lat + 0.2, lon: BERLIN.lon }; // ≈ 22 km north
    const catalogue = catalogueOf(
      catalogEvent('near', at(NOW + 2 * D)),
      catalogEvent('far', at(NOW + 2 * D), { venue: farVenue }),
      catalogEvent('later', at(NOW + 20 * D)),
      catalogEvent('b-tie', at(NOW + 10 * D)),
      catalogEvent('a-tie', at(NOW + 10 * D)),
      catalogEvent('hot', at(NOW + 20 * D)),
    );
    const profile = profileWith({ interests: { music: 2 } });
    const trending: TrendingResults = [{ city: 'Berlin', items: [{ eventId: 'hot', score: 50 }] }];
    const point = { lat: BERLIN.lat, lon: BERLIN.lon };
    const feed = buildFeed({
      profile: withProfile(profile),
      catalogue,
      trending,
      params: params(point),
      now: NOW,
    });
    const order = ids(feed);
    expect(order.indexOf('near')).toBeLessThan(order.indexOf('far'));
    expect(order.indexOf('a-tie')).toBe(order.indexOf('b-tie') - 1);
    expect(order.indexOf('hot')).toBeLessThan(order.indexOf('later'));
    const scores = feed.items.map((i) => i.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const far = feed.items.find((i) => i.eventId === 'far')!;
    expect(far.distanceKm).toBeCloseTo(haversineKm(point, farVenue), 1);
  });

  it('never returns past, cancelled, postponed, dismissed or purchased events', () => {
    const catalogue = catalogueOf(
      catalogEvent('past', at(NOW - H)),
      catalogEvent('cancelled', at(NOW + D), { status: 'cancelled' }),
      catalogEvent('postponed', at(NOW + D), { status: 'postponed' }),
      catalogEvent('dismissed', at(NOW + D)),
      catalogEvent('purchased', at(NOW + D)),
      catalogEvent('ok', at(NOW + D)),
      catalogEvent('starts-now', at(NOW)),
    );
    const profile = profileWith({ dismissedItems: ['dismissed'], purchasedItems: ['purchased'] });
    for (const p of [withProfile(profile), withProfile(profileWith({ ...profile, totalEvents: 1 }))]) {
      const feed = buildFeed({ profile: p, catalogue, trending: [], params: params(), now: NOW });
      expect(ids(feed).sort()).toEqual(['ok', 'starts-now']);
    }
    // A from in the past does not bring past events back.
    const feed = buildFeed({
      profile: withProfile(profile),
      catalogue,
      trending: [],
      params: params({ fromMs: NOW - 10 * D }),
      now: NOW,
    });
    expect(ids(feed)).not.toContain('past');
  });
});

describe('buildFeed: filters', () => {
  const catalogue = catalogueOf(
    catalogEvent('berlin-music', at(NOW + D)),
    catalogEvent('berlin-theatre', at(NOW + 2 * D), { category: 'theatre' }),
    catalogEvent('berlin-free', at(NOW + 3 * D), {
      price: { min: 0, max: 0, currency: 'EUR', isFree: true },
    }),
    catalogEvent('berlin-dear', at(NOW + 4 * D), {
      price: { min: 80, max: 120, currency: 'EUR', isFree: false },
    }),
    catalogEvent('berlin-noprice', at(NOW + 5 * D), { price: null }),
    catalogEvent('berlin-edge', at(NOW + 6 * D), { venue: { lat: 52.6, lon: 13.405 } }), // ≈ 8.9 km
    catalogEvent('berlin-late', at(NOW + 40 * D)),
    catalogEvent('paris-music', at(NOW + D), { city: 'Paris', venue: PARIS, timezone: 'Europe/Paris' }),
    catalogEvent('paris-dance', at(NOW + 8 * D), {
      city: 'Paris',
      venue: PARIS,
      category: 'dance',
      timezone: 'Europe/Paris',
    }),
  );
  const profile = withProfile(profileWith({ interests: { music: 1 } }));
  const run = (p: Partial<FeedParams>) =>
    ids(buildFeed({ profile, catalogue, trending: [], params: params(p), now: NOW })).sort();

  it('defaults to the next 30 days in every city', () => {
    expect(run({})).toEqual(
      [
        'berlin-dear',
        'berlin-edge',
        'berlin-free',
        'berlin-music',
        'berlin-noprice',
        'berlin-theatre',
        'paris-dance',
        'paris-music',
      ].sort(),
    );
  });

  it('city (case-insensitive)', () => {
    expect(run({ city: 'paris' })).toEqual(['paris-dance', 'paris-music']);
    expect(run({ city: 'Nowhere' })).toEqual([]);
  });

  it('lat, lon, radiusKm', () => {
    expect(run({ lat: BERLIN.lat, lon: BERLIN.lon, radiusKm: 5 })).not.toContain('berlin-edge');
    expect(run({ lat: BERLIN.lat, lon: BERLIN.lon, radiusKm: 10 })).toContain('berlin-edge');
    expect(run({ lat: PARIS.lat, lon: PARIS.lon, radiusKm: 50 })).toEqual(['paris-dance', 'paris-music']);
  });

  it('categories', () => {
    expect(run({ categories: ['theatre', 'dance'] })).toEqual(['berlin-theatre', 'paris-dance']);
  });

  it('from and to', () => {
    expect(run({ fromMs: NOW + 2 * D, toMs: NOW + 4 * D })).toEqual(['berlin-free', 'berlin-theatre']);
    expect(run({ fromMs: NOW + 35 * D })).toEqual(['berlin-late']); // 30 days after from
  });

  it('maxPrice: free events and the cheapest ticket count, unknown prices do not', () => {
    expect(run({ maxPrice: 10 })).toEqual([
      'berlin-edge',
      'berlin-free',
      'berlin-music',
      'berlin-theatre',
      'paris-dance',
      'paris-music',
    ]);
    expect(run({ maxPrice: 0 })).toEqual(['berlin-free']);
  });
});

describe('buildFeed: reasons', () => {
  it('names the interest, the distance, the day and the trend', () => {
    // NOW is a Wednesday; Saturday 6 June 20:00 in Berlin is "this weekend".
    const catalogue = catalogueOf(
      catalogEvent('sat', '2026-06-06T18:00:00Z', {
        category: 'theatre',
        venue: { lat: BERLIN.lat + 0.018, lon: BERLIN.lon }, // ≈ 2 km
      }),
      catalogEvent('tonight', '2026-06-03T19:00:00Z'),
      catalogEvent('tomorrow', '2026-06-04T19:00:00Z'),
      catalogEvent('later', '2026-06-20T19:00:00Z', { category: 'talk', venue: PARIS }),
    );
    const profile = withProfile(profileWith({ interests: { theatre: 3, music: 0.1 } }));
    const feed = buildFeed({
      profile,
      catalogue,
      trending: [{ city: 'Berlin', items: [{ eventId: 'sat', score: 9 }] }],
      params: params({ lat: BERLIN.lat, lon: BERLIN.lon }),
      now: NOW,
    });
    const reasons = Object.fromEntries(feed.items.map((i) => [i.eventId, i.reasons]));
    expect(reasons.sat).toEqual([
      'matches your interest in theatre',
      '2 km away',
      'this weekend',
      'trending in Berlin',
    ]);
    expect(reasons.tonight).toEqual(['less than 1 km away', 'today']); // music 0.1/3 is below the bar
    expect(reasons.tomorrow).toEqual(['less than 1 km away', 'tomorrow']);
    expect(reasons.later).toEqual(['on 20 Jun']);
  });

  it('describes days in the venue’s time zone', () => {
    const sun = Date.parse('2026-06-07T10:00:00Z');
    expect(describeWhen(Date.parse('2026-06-07T12:00:00Z'), sun, 'Europe/Berlin')).toBe('today');
    expect(describeWhen(Date.parse('2026-06-13T12:00:00Z'), sun, 'Europe/Berlin')).toBe('on Saturday');
    expect(describeWhen(Date.parse('2026-06-05T12:00:00Z'), NOW, 'Europe/Berlin')).toBe('on Friday');
    expect(describeWhen(Date.parse('2026-06-07T12:00:00Z'), NOW, 'Europe/Berlin')).toBe('this weekend');
    // 23:30 UTC on Wednesday is already Thursday in Berlin.
    expect(describeWhen(Date.parse('2026-06-03T23:30:00Z'), NOW, 'Europe/Berlin')).toBe('tomorrow');
    expect(describeWhen(Date.parse('2026-06-03T23:30:00Z'), NOW, 'America/New_York')).toBe('today');
    expect(describeWhen(Date.parse('2026-06-04T12:00:00Z'), NOW, 'Not/AZone')).toBe('tomorrow');
  });
});

describe('buildFeed: cold start', () => {
  const catalogue = catalogueOf(
    catalogEvent('b-soon', at(NOW + H)),
    catalogEvent('b-hot', at(NOW + 10 * D)),
    catalogEvent('b-warm', at(NOW + 12 * D)),
    catalogEvent('p-soon', at(NOW + 2 * H), { city: 'Paris', venue: PARIS }),
    catalogEvent('p-hot', at(NOW + 9 * D), { city: 'Paris', venue: PARIS }),
  );
  const trending: TrendingResults = [
    {
      city: 'Berlin',
      items: [
        { eventId: 'b-hot', score: 100 },
        { eventId: 'b-warm', score: 50 },
      ],
    },
    { city: 'Paris', items: [{ eventId: 'p-hot', score: 3 }] },
  ];

  it('gives users without a profile trending events in every city, popularity normalised per city', () => {
    const plan = planFeed({ profile: undefined, catalogue, params: params(), now: NOW });
    expect(plan.trendingCities.sort()).toEqual(['Berlin', 'Paris']);
    const feed = rankFeed(plan, trending);
    expect(feed.strategy).toBe('trending');
    expect(ids(feed)).toEqual(['p-hot', 'b-hot', 'b-warm', 'b-soon', 'p-soon']);
    expect(feed.items[0]!.score).toBeCloseTo(0.75 + 0.25 * 2 ** (-9 / 7), 6);
    expect(feed.items[2]!.reasons).toContain('trending in Berlin');
  });

  it('limits users with few events to their home city, or to the city asked for', () => {
    const few = withProfile(profileWith({ totalEvents: 4, interests: { music: 9 }, home: 'Paris' }));
    const plan = planFeed({ profile: few, catalogue, params: params(), now: NOW });
    expect(plan.trendingCities).toEqual(['Paris']);
    const feed = rankFeed(plan, trending);
    expect(feed.strategy).toBe('trending');
    expect(ids(feed)).toEqual(['p-hot', 'p-soon']);
    const berlin = buildFeed({
      profile: few,
      catalogue,
      trending,
      params: params({ city: 'berlin' }),
      now: NOW,
    });
    expect(ids(berlin)).toEqual(['b-hot', 'b-warm', 'b-soon']);
  });

  it('falls back to the soonest events without trending data', () => {
    const feed = buildFeed({ profile: undefined, catalogue, trending: [], params: params(), now: NOW });
    expect(feed.strategy).toBe('soonest');
    expect(ids(feed)).toEqual(['b-soon', 'p-soon', 'p-hot', 'b-hot', 'b-warm']);
  });

  it('uses profiles from 5 events on', () => {
    const five = withProfile(profileWith({ totalEvents: 5, interests: { music: 1 } }));
    expect(buildFeed({ profile: five, catalogue, trending, params: params(), now: NOW }).strategy).toBe(
      'personalized',
    );
  });
});

describe('buildFeed: paging', () => {
  // 137 events over 25 days in two cities, several per instant, some sharing scores.
  const events = Array.from({ length: 137 }, (_, i) =>
    catalogEvent(`e${String(i).padStart(3, '0')}`, at(NOW + H + Math.floor(i / 3) * 4 * H), {
      category: (['music', 'theatre', 'dance', 'talk'] as const)[i % 4],
      ...(i % 5 === 0 ? { city: 'Paris', venue: PARIS, timezone: 'Europe/Paris' } : {}),
    }),
  );
  const catalogue = catalogueOf(...events);
  const profile = withProfile(profileWith({ interests: { music: 3, theatre: 1.5 } }));
  const trending: TrendingResults = [
    {
      city: 'Berlin',
      items: events.filter((_, i) => i % 7 === 1).map((e, i) => ({ eventId: e.id, score: 40 - i })),
    },
  ];

  function walk(p: Partial<FeedParams>, trendingFor: (page: number) => TrendingResults, limit: number) {
    const seen: string[] = [];
    let cursor: string | undefined;
    let page = 0;
    for (;;) {
      const feed = buildFeed({
        profile,
        catalogue,
        trending: trendingFor(page),
        params: params({ ...p, limit, cursor }),
        now: NOW + page * 1000, // the clock moves on between requests (not past any event here)
      });
      expect(feed.generatedAt).toBe(at(NOW));
      expect(feed.items.length).toBeLessThanOrEqual(limit);
      seen.push(...ids(feed));
      if (!feed.nextCursor) break;
      expect(feed.items).toHaveLength(limit);
      cursor = feed.nextCursor;
      page++;
      expect(page).toBeLessThan(200);
    }
    return seen;
  }

  it.each([1, 7, 20, 100])('walks all pages of %i without repeating or missing an item', (limit) => {
    const all = ids(buildFeed({ profile, catalogue, trending, params: params({ limit: 100 }), now: NOW }));
    const seen = walk({}, () => trending, limit);
    expect(new Set(seen).size).toBe(seen.length);
    const expected = catalogue
      .query({ fromMs: NOW, toMs: NOW + 30 * 24 * H, status: 'scheduled' })
      .map((e) => e.event.id)
      .sort();
    expect([...seen].sort()).toEqual(expected);
    expect(seen.slice(0, all.length)).toEqual(all); // the same order as one big page
  });

  it('walks filtered pages: the union is the filtered set', () => {
    const seen = walk({ categories: ['music'], city: 'Berlin' }, () => trending, 6);
    expect(new Set(seen).size).toBe(seen.length);
    const expected = events.filter((e) => e.category === 'music' && e.city === 'Berlin').map((e) => e.id);
    expect([...seen].sort()).toEqual(expected.sort());
  });

  it('never repeats an item when trending counts change between pages', () => {
    // Page by page, the trending list is reversed and shifted: scores move across the cursor.
    const base = trending[0]!.items;
    const shifting = (page: number): TrendingResults => [
      {
        city: 'Berlin',
        items: base.map((it, i) => ({ eventId: it.eventId, score: page % 2 ? i + 1 : 40 - i + page })),
      },
    ];
    const seen = walk({}, shifting, 9);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(100);
  });

  it('never repeats an item that stopped trending after it was served', () => {
    const same = catalogueOf(...Array.from({ length: 10 }, (_, i) => catalogEvent(`s${i}`, at(NOW + D))));
    const hot: TrendingResults = [{ city: 'Berlin', items: [{ eventId: 's9', score: 10 }] }];
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const feed = buildFeed({
        profile,
        catalogue: same,
        trending: page === 0 ? hot : [],
        params: params({ limit: 3, cursor }),
        now: NOW,
      });
      seen.push(...ids(feed));
      if (!(cursor = feed.nextCursor ?? undefined)) break;
    }
    expect(seen[0]).toBe('s9');
    expect([...seen].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`));
  });

  it('keeps ranking with the context of the first page when the profile changes', () => {
    const first = buildFeed({ profile, catalogue, trending: [], params: params({ limit: 10 }), now: NOW });
    const changed = withProfile(profileWith({ interests: { dance: 10 } }), 8);
    const second = buildFeed({
      profile: changed,
      catalogue,
      trending: [],
      params: params({ limit: 10, cursor: first.nextCursor! }),
      now: NOW + 1000,
    });
    const both = buildFeed({ profile, catalogue, trending: [], params: params({ limit: 20 }), now: NOW });
    expect([...ids(first), ...ids(second)]).toEqual(ids(both));
    expect(second.strategy).toBe('personalized');
  });

  it('drops items that became past between pages', () => {
    const first = buildFeed({
      profile: undefined,
      catalogue,
      trending: [],
      params: params({ limit: 3 }),
      now: NOW,
    });
    const second = buildFeed({
      profile: undefined,
      catalogue,
      trending: [],
      params: params({ limit: 3, cursor: first.nextCursor! }),
      now: NOW + 10 * H,
    });
    expect(ids(second).every((id) => Date.parse(catalogue.get(id)!.startsAt) >= NOW + 10 * H)).toBe(true);
  });

  it('rejects a cursor that is not one, or belongs to other filters or another user', () => {
    const first = buildFeed({
      profile,
      catalogue,
      trending,
      params: params({ limit: 5, city: 'Berlin' }),
      now: NOW,
    });
    const cursor = first.nextCursor!;
    const next = (p: Partial<FeedParams>) => () =>
      buildFeed({ profile, catalogue, trending, params: params({ limit: 5, ...p, cursor }), now: NOW });
    expect(next({ city: 'berlin' })).not.toThrow(); // same filters (city is case-insensitive)
    expect(next({ city: 'berlin', limit: 50 })).not.toThrow(); // limit may change
    expect(next({ city: 'Paris' })).toThrow(InvalidCursorError);
    expect(next({ city: 'Berlin', categories: ['music'] })).toThrow(InvalidCursorError);
    expect(next({ city: 'Berlin', userId: 'u2' })).toThrow(InvalidCursorError);
    for (const bad of ['x', '!!!', Buffer.from('{"v":2}').toString('base64url'), cursor.slice(0, -4)])
      expect(() =>
        buildFeed({ profile, catalogue, trending, params: params({ cursor: bad }), now: NOW }),
      ).toThrow(InvalidCursorError);
  });

  it('round-trips cursors', () => {
    const c = decodeCursor(
      buildFeed({ profile, catalogue, trending, params: params({ limit: 5 }), now: NOW }).nextCursor!,
    );
    expect(c.g).toBe(NOW);
    expect(c.pv).toBe(7);
    expect(c.st).toBe('personalized');
    expect(c.i).toEqual({ music: 1, theatre: 0.5 });
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });
});

describe('cachedTrending', () => {
  it('asks the source once per city per ttl, shares calls in flight, and forgets failures', async () => {
    let clock = 0;
    const calls: string[] = [];
    let fail = false;
    const source = {
      top(city: string) {
        calls.push(city);
        return fail
          ? Promise.reject(new Error('down'))
          : Promise.resolve([{ eventId: `e-${city}`, score: 1 }]);
      },
    };
    const cached = cachedTrending(source, 1000, () => clock);
    const [a, b] = await Promise.all([cached.top('Berlin', 10), cached.top('Berlin', 10)]);
    expect(a).toEqual([{ eventId: 'e-Berlin', score: 1 }]);
    expect(b).toBe(a);
    await cached.top('Paris', 10);
    clock = 999;
    await cached.top('Berlin', 10);
    expect(calls).toEqual(['Berlin', 'Paris']);
    clock = 1000;
    fail = true;
    await expect(cached.top('Berlin', 10)).rejects.toThrow('down');
    fail = false;
    await cached.top('Berlin', 10); // the failure was not kept
    expect(calls).toEqual(['Berlin', 'Paris', 'Berlin', 'Berlin']);
  });
});

describe('the first page', () => {
  it('is the top of the full ranking, whatever the tastes, place and popularity (pruning loses nothing)', () => {
    let seed = 3;
    const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const cats = ['music', 'theatre', 'dance', 'exhibition', 'cinema', 'comedy'] as const;
    const events = Array.from({ length: 300 }, (_, i) =>
      catalogEvent(`e${String(i).padStart(3, '0')}`, at(NOW + Math.floor(rnd() * 29 * D) + H), {
        category: cats[i % cats.length]!,
        city: i % 3 ? 'Berlin' : 'Paris',
        venue: i % 3 ? { lat: 52.3 + rnd() * 0.4, lon: 13.2 + rnd() * 0.4 } : { lat: 48.8, lon: 2.3 },
      }),
    );
    const catalogue = catalogueOf(...events);
    for (let round = 0; round < 25; round++) {
      const interests = Object.fromEntries(cats.map((c) => [c, Math.floor(rnd() * 10) - 2]));
      const trending = ['Berlin', 'Paris'].map((city) => ({
        city,
        items: events
          .filter((e) => e.city === city && rnd() < 0.3)
          .map((e) => ({ eventId: e.id, score: 1 + Math.floor(rnd() * 50) })),
      }));
      const point = rnd() < 0.5 ? { lat: 52.5 + rnd() * 0.1, lon: 13.4 } : {};
      const input = { profile: withProfile(profileWith({ interests })), catalogue, trending, now: NOW };
      const limit = 1 + Math.floor(rnd() * 30);
      const page = buildFeed({ ...input, params: params({ ...point, limit }) });
      const all = buildFeed({ ...input, params: params({ ...point, limit: 10_000 }) });
      expect(page.items).toEqual(all.items.slice(0, limit));
      expect(page.nextCursor !== null).toBe(all.items.length > limit);
      // Without trending counts (which a cursor does not pin), the pages are the full ranking.
      const still = { ...input, trending: [] };
      const full = buildFeed({ ...still, params: params({ ...point, limit: 10_000 }) }).items;
      const paged = [];
      let cursor: string | undefined;
      for (let n = 0; n < 400; n++) {
        const p = buildFeed({ ...still, params: params({ ...point, limit, cursor }) });
        paged.push(...p.items);
        if (!(cursor = p.nextCursor ?? undefined)) break;
      }
      expect(paged).toEqual(full);
    }
  });
});

describe('a running exhibition', () => {
  it('is offered with "on now, until" its last day in the venue calendar', () => {
    const catalogue = catalogueOf(
      catalogEvent('expo', at(NOW - 10 * D), { category: 'exhibition', endsAt: '2026-06-21T16:00:00Z' }),
      catalogEvent('ended', at(NOW - 10 * D), { category: 'exhibition', endsAt: at(NOW - H) }),
    );
    const feed = buildFeed({
      profile: withProfile(profileWith({ interests: { exhibition: 5 } })),
      catalogue,
      trending: [],
      params: params(),
      now: NOW,
    });
    expect(ids(feed)).toEqual(['expo']);
    expect(feed.items[0]!.reasons).toContain('on now, until 21 Jun');
  });
});

import { describe, expect, it } from 'vitest';
import { CATEGORIES, EVENT_TYPES, type EnrichedEvent, type Profile } from '../../model/index.ts';
import { applyEvent, DEFAULT_PARAMS, emptyState, recomputeProfiles, toProfile } from './profile.ts';
import { DAY, ev, rng, shuffle } from './test-events.ts';

function fold(events: EnrichedEvent[], params = DEFAULT_PARAMS): Profile {
  return recomputeProfiles(events, params).get('u1')!;
}

describe('profile fold', () => {
  it('decays interests with half-life H to the latest event time', () => {
    const p = fold([
      ev({ type: 'VIEW', timestamp: 0 }),
      ev({ type: 'CLICK', timestamp: 7 * DAY }),
      ev({ type: 'LIKE', timestamp: 14 * DAY, categories: ['theatre', 'music'] }),
    ]);
    // music: 1·2^-2 + 2·2^-1 + 3 = 4.25; theatre: 3
    expect(p.interests).toEqual({ music: 4.25, theatre: 3 });
    expect(p.lastEventAt).toBe(14 * DAY);
    const h = { ...DEFAULT_PARAMS, halfLifeMs: DAY };
    expect(
      fold([ev({ type: 'PURCHASE', timestamp: 0 }), ev({ type: 'VIEW', timestamp: 2 * DAY })], h).interests,
    ).toEqual({ music: 2.25 });
  });

  it('gives a late event its own age, so arrival order does not matter', () => {
    const events = [
      ev({ type: 'VIEW', timestamp: 0, itemId: 'a', city: 'Lyon' }),
      ev({ type: 'SHARE', timestamp: 3 * DAY, itemId: 'b', city: 'Paris' }),
      ev({ type: 'CLICK', timestamp: 7 * DAY, itemId: 'c', city: 'Lyon' }),
    ];
    const inOrder = fold(events);
    const late = fold([events[2]!, events[0]!, events[1]!]);
    expect(late).toEqual(inOrder);
    expect(inOrder.interests.music).toBeCloseTo(0.5 + 4 * Math.pow(2, -4 / 7) + 2, 12);
  });

  it('counts eventTypes and totals exactly', () => {
    const p = fold(EVENT_TYPES.map((type, i) => ev({ type, timestamp: i })));
    expect(p.totalEvents).toBe(7);
    expect(Object.values(p.eventCounts)).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('weighs DISMISS negatively', () => {
    expect(fold([ev({ type: 'DISMISS' })]).interests).toEqual({ music: -2 });
    expect(fold([ev({ type: 'LIKE' }), ev({ type: 'DISMISS' })]).interests).toEqual({ music: 1 });
  });

  it('ignores an eventId re-sent within 7 days of the latest event, counts it again after', () => {
    const s = emptyState();
    const first = ev({ eventId: 'dup', timestamp: 0 });
    expect(applyEvent(s, first)).toBe(true);
    expect(applyEvent(s, first)).toBe(false);
    expect(applyEvent(s, ev({ timestamp: 7 * DAY }))).toBe(true);
    expect(applyEvent(s, first)).toBe(false); // t = T - 7 d is still remembered
    expect(s.totalEvents).toBe(2);
    expect(applyEvent(s, ev({ timestamp: 7 * DAY + 1 }))).toBe(true);
    expect(applyEvent(s, first)).toBe(true); // older than T - 7 d: forgotten
    expect(s.totalEvents).toBe(4);
    expect(applyEvent(s, first)).toBe(true); // and not remembered afterwards either
  });

  it("bounds a busy user's dedup memory by the window, pruning a few times per window only", () => {
    const s = emptyState();
    // 3,000 events two hours apart: 250 days of one user's history.
    for (let i = 0; i < 3000; i++)
      applyEvent(s, ev({ type: 'VIEW', timestamp: i * 2 * 3_600_000, eventId: `e${i}` }));
    const remembered = Object.keys(s.seen).length;
    // 7 days of events (84) plus at most a quarter window lingering (21).
    expect(remembered).toBeGreaterThanOrEqual(84);
    expect(remembered).toBeLessThanOrEqual(84 + 21 + 1);
    expect(s.totalEvents).toBe(3000);
  });

  it('keeps remembering eventIds named like Object.prototype members', () => {
    const s = emptyState();
    const e = ev({ eventId: '__proto__', city: '__proto__' });
    expect(applyEvent(s, e)).toBe(true);
    expect(applyEvent(s, e)).toBe(false);
    expect(toProfile(s).home).toBe('__proto__');
    expect(applyEvent(s, ev({ eventId: 'constructor' }))).toBe(true);
    for (const id of ['toString', 'hasOwnProperty', 'constructor']) {
      expect(applyEvent(s, ev({ eventId: id }))).toBe(id === 'constructor' ? false : true);
      expect(applyEvent(s, ev({ eventId: id }))).toBe(false);
    }
    // The state survives its JSON round trip with those names as plain own keys.
    const back = JSON.parse(JSON.stringify(s)) as typeof s;
    expect(Object.keys(back.seen)).toEqual(
      expect.arrayContaining(['__proto__', 'constructor', 'hasOwnProperty', 'toString']),
    );
    expect(applyEvent(back, ev({ eventId: 'toString' }))).toBe(false);
  });

  it('lists recent items distinct, most recent event first, ties by eventId', () => {
    const p = fold([
      ev({ itemId: 'a', timestamp: 10 }),
      ev({ itemId: 'b', timestamp: 30, eventId: 'e2' }),
      ev({ itemId: 'a', timestamp: 20 }),
      ev({ itemId: 'c', timestamp: 30, eventId: 'e1' }),
      ev({ itemId: 'b', timestamp: 5 }),
      ev({ timestamp: 40 }), // no item
    ]);
    expect(p.recentItems).toEqual(['c', 'b', 'a']);
    const many = Array.from({ length: 25 }, (_, i) => ev({ itemId: `i${i}`, timestamp: i }));
    const rand = rng(1);
    expect(fold(shuffle(many, rand)).recentItems).toEqual(Array.from({ length: 20 }, (_, i) => `i${24 - i}`));
  });

  it('bounds dismissed and purchased items to the 200 most recent', () => {
    const rand = rng(2);
    const events = Array.from({ length: 250 }, (_, i) =>
      ev({ type: i % 2 ? 'DISMISS' : 'PURCHASE', itemId: `i${i >> 1}`, timestamp: i }),
    );
    const more = Array.from({ length: 250 }, (_, i) =>
      ev({ type: 'DISMISS', itemId: `d${i}`, timestamp: i }),
    );
    const p = fold(shuffle([...events, ...more], rand));
    expect(p.purchasedItems).toEqual(Array.from({ length: 125 }, (_, i) => `i${124 - i}`));
    expect(p.dismissedItems).toHaveLength(200);
    expect(p.dismissedItems.slice(0, 4)).toEqual(['i124', 'd249', 'd248', 'i123']);
    expect(new Set(p.dismissedItems).size).toBe(200);
  });

  it('defines activityScore from the decayed event count and home as the busiest city', () => {
    const one = fold([ev({ city: 'Lyon' })]);
    expect(one.activityScore).toBeCloseTo(1 - Math.pow(2, -1 / 20), 15);
    expect(recomputeProfiles([]).size).toBe(0);
    expect(toProfile(emptyState())).toMatchObject({ activityScore: 0, home: null, lastEventAt: null });
    const p = fold([
      ev({ city: 'Lyon', timestamp: 1 }),
      ev({ city: 'Paris', timestamp: 2 }),
      ev({ city: 'Lyon', timestamp: 3 }),
      ev({ city: 'Paris', timestamp: 4 }),
      ev({ city: null, timestamp: 5 }),
    ]);
    expect(p.home).toBe('Paris'); // 2 each, Paris more recent
    const activity = [1, 2, 3, 4, 5].reduce((a, t) => a + Math.pow(2, -(5 - t) / (7 * DAY)), 0);
    expect(p.activityScore).toBeCloseTo(1 - Math.pow(2, -activity / 20), 12);
  });

  it('is order-independent over shuffles of 200 random events (1e-9 relative)', () => {
    const rand = rng(42);
    const users = ['u1', 'u2', 'u3'];
    const cities = ['Lyon', 'Paris', 'Berlin', null];
    const events = Array.from({ length: 200 }, (_, i) => {
      const cats = shuffle(CATEGORIES, rand).slice(0, Math.floor(rand() * 3));
      return ev({
        eventId: `r${i}`,
        userId: users[Math.floor(rand() * users.length)]!,
        type: EVENT_TYPES[Math.floor(rand() * EVENT_TYPES.length)]!,
        timestamp: Math.floor(rand() * 30 * DAY),
        itemId: rand() < 0.9 ? `item${Math.floor(rand() * 40)}` : undefined,
        categories: cats,
        city: cities[Math.floor(rand() * cities.length)]!,
      });
    });
    const reference = recomputeProfiles(events);
    const close = (a: number, b: number, scale: number) =>
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(scale, Number.MIN_VALUE));

    // The direct formula: Σ w·2^(-(T - t)/H), tolerance relative to Σ |w|·2^(-(T - t)/H).
    for (const [userId, p] of reference) {
      const mine = events.filter((e) => e.userId === userId);
      const T = Math.max(...mine.map((e) => e.timestamp));
      for (const c of CATEGORIES) {
        const terms = mine
          .filter((e) => e.enrichment.categories.includes(c))
          .map(
            (e) =>
              DEFAULT_PARAMS.weights[e.eventType] *
              Math.pow(2, -(T - e.timestamp) / DEFAULT_PARAMS.halfLifeMs),
          );
        if (terms.length === 0) expect(p.interests[c]).toBeUndefined();
        else
          close(
            p.interests[c]!,
            terms.reduce((s, x) => s + x, 0),
            terms.reduce((s, x) => s + Math.abs(x), 0),
          );
      }
    }

    for (let k = 0; k < 20; k++) {
      const got = recomputeProfiles(shuffle(events, rand));
      expect([...got.keys()].sort()).toEqual([...reference.keys()].sort());
      for (const [userId, ref] of reference) {
        const p = got.get(userId)!;
        const { interests, activityScore, ...exact } = p;
        const { interests: refInterests, activityScore: refScore, ...refExact } = ref;
        expect(exact).toEqual(refExact);
        close(activityScore, refScore, refScore);
        expect(Object.keys(interests).sort()).toEqual(Object.keys(refInterests).sort());
        const scale = Math.max(...Object.values(refInterests).map(Math.abs), 1);
        for (const c of Object.keys(refInterests) as Array<keyof typeof refInterests>)
          close(interests[c]!, refInterests[c]!, scale);
      }
    }
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEDUP, neverMerge, pairRule, scoreMatch, scoreMatchAtLeast } from './score.ts';
import { listing, type ListingSpec } from './test-listings.ts';

const base: ListingSpec = {
  source: 'a',
  sourceId: '1',
  title: 'Trio Nocturne – Jazz im A-Trane',
  venue: 'A-Trane',
  startsAt: '2027-03-27T20:30:00Z',
  lat: 52.5063,
  lon: 13.3185,
};
const l = (over: Partial<ListingSpec> = {}) => listing({ ...base, ...over });

describe('DEDUP', () => {
  it('has the documented weights and thresholds', () => {
    expect(DEDUP.weights).toEqual({ title: 0.5, venue: 0.25, time: 0.15, geo: 0.1 });
    expect([DEDUP.mergeAcrossSources, DEDUP.mergeWithinSource, DEDUP.titleWithinSource]).toEqual([
      0.7, 0.85, 0.8,
    ]);
  });
});

describe('scoreMatch', () => {
  it('gives 1 to two identical listings', () => {
    expect(scoreMatch(l(), l({ source: 'b' }))).toEqual({ score: 1, title: 1, venue: 1, time: 1, geo: 1 });
  });

  it('weighs title, venue, time and geo', () => {
    const s = scoreMatch(l(), l({ title: 'Tosca', startsAt: '2027-03-27T21:45:00Z', lat: 52.6 }));
    expect(s).toEqual({ score: 0.25 + 0.15 * 0.4, title: 0, venue: 1, time: 0.4, geo: 0 });
  });

  it('renormalises the remaining weights when coordinates are unknown', () => {
    const s = scoreMatch(l(), l({ title: 'Tosca', lat: null, lon: null }));
    expect(s.geo).toBeNull();
    expect(s.score).toBeCloseTo((0.25 + 0.15) / 0.9, 12);
  });

  it('lowers the score by 0.8 for different top-level categories, not for other', () => {
    expect(scoreMatch(l(), l({ category: 'theatre' })).score).toBeCloseTo(0.8, 12);
    expect(scoreMatch(l(), l({ category: 'other' })).score).toBe(1);
    expect(scoreMatch(l({ subcategory: 'jazz' }), l({ subcategory: 'blues' })).score).toBe(1);
  });

  it('leaves time out when one listing is date-only (local midnight) and the other timed', () => {
    const exhibition = {
      title: 'Caspar David Friedrich',
      venue: 'Alte Nationalgalerie',
      category: 'exhibition',
    } as const;
    const allDay = l({ ...exhibition, startsAt: '2027-02-28T23:00:00Z' });
    const opening = l({ ...exhibition, source: 'b', startsAt: '2027-03-01T09:00:00Z' });
    expect(scoreMatch(allDay, opening)).toEqual({ score: 1, title: 1, venue: 1, time: null, geo: 1 });
    expect(pairRule(allDay, opening, scoreMatch(allDay, opening))).toBe('merge');
    const bothAllDay = scoreMatch(
      allDay,
      l({ ...exhibition, source: 'b', startsAt: '2027-02-28T23:00:00Z' }),
    );
    expect(bothAllDay.time).toBe(1);
  });

  it('ignores statuses: a cancellation is news about the same event', () => {
    expect(scoreMatch(l(), l({ status: 'cancelled' })).score).toBe(1);
  });

  it('keeps a one-word title at another venue and time below the merge threshold', () => {
    const carmen = { title: 'Carmen', city: 'Madrid', country: 'ES', timezone: 'Europe/Madrid' };
    const real = l({
      ...carmen,
      venue: 'Teatro Real',
      lat: 40.4184,
      lon: -3.7109,
      startsAt: '2027-04-15T17:30:00Z',
    });
    const elsewhere = l({
      ...carmen,
      title: 'Carmen (Bizet) – Teatro de la Zarzuela',
      venue: 'Teatro de la Zarzuela',
      lat: 40.4176,
      lon: -3.6966,
      startsAt: '2027-04-15T10:00:00Z',
    });
    const s = scoreMatch(real, elsewhere);
    expect(s.title).toBe(0.9);
    expect(s.time).toBe(0);
    expect(s.score).toBeLessThan(DEDUP.mergeAcrossSources);
  });
});

describe('pairRule', () => {
  it('merges across sources at 0.7', () => {
    const a = l();
    const b = l({ source: 'b', startsAt: '2027-03-27T21:45:00Z', lat: 52.6 }); // time 0.4, geo 0
    expect(scoreMatch(a, b).score).toBeCloseTo(0.81, 12);
    expect(pairRule(a, b, scoreMatch(a, b))).toBe('merge');
    const c = l({ source: 'b', title: 'Tosca' }); // venue, time and geo only: 0.5
    expect(scoreMatch(a, c).score).toBe(0.5);
    expect(pairRule(a, c, scoreMatch(a, c))).toBe('no');
  });

  it('never merges starts 2 h or more apart, even with the same title and venue', () => {
    const a = l();
    const b = l({ source: 'b', startsAt: '2027-03-27T22:30:00Z' });
    expect(scoreMatch(a, b)).toEqual({ score: 0.85, title: 1, venue: 1, time: 0, geo: 1 });
    expect(pairRule(a, b, scoreMatch(a, b))).toBe('never');
  });

  it('never merges two ids of one source with different starts, however alike', () => {
    const a = l();
    const b = l({ sourceId: '2', startsAt: '2027-03-27T20:31:00Z' });
    expect(scoreMatch(a, b).score).toBeGreaterThan(0.95);
    expect(pairRule(a, b, scoreMatch(a, b))).toBe('never');
  });

  it('merges two ids of one source at one start only at 0.85 with title 0.8', () => {
    const a = l();
    expect(pairRule(a, l({ sourceId: '2' }), scoreMatch(a, l({ sourceId: '2' })))).toBe('merge');
    const otherVenue = l({ sourceId: '2', venue: 'Quasimodo', lat: 52.6 }); // 0.5 + 0.15 = 0.65
    expect(pairRule(a, otherVenue, scoreMatch(a, otherVenue))).toBe('never');
    const otherTitle = l({ sourceId: '2', title: 'Trio Nocturne: Blue Night Session' });
    const s = scoreMatch(a, otherTitle);
    expect(s.title).toBeLessThan(0.8);
    expect(pairRule(a, otherTitle, s)).toBe('never');
  });
});

describe('neverMerge', () => {
  it('vetoes starts 2 h apart and two ids of one source at different starts, nothing else', () => {
    expect(neverMerge(l(), l({ source: 'b', startsAt: '2027-03-27T22:30:00Z' }))).toBe(true);
    expect(neverMerge(l(), l({ sourceId: '2', startsAt: '2027-03-27T20:35:00Z' }))).toBe(true);
    expect(neverMerge(l(), l({ source: 'b', title: 'Tosca', startsAt: '2027-03-27T20:35:00Z' }))).toBe(false);
    expect(neverMerge(l(), l({ startsAt: '2027-03-27T20:35:00Z' }))).toBe(false); // one listing, new version
  });
});

describe('scoreMatchAtLeast', () => {
  const pool = [
    l(),
    l({ source: 'b', title: 'Trio Nocturne live at A-Trane', venue: 'A-Trane Jazzclub' }),
    l({ source: 'c', title: 'Tosca', startsAt: '2027-03-27T21:00:00Z' }),
    l({ source: 'd', title: 'Trio Nocturne', venue: 'Quasimodo', lat: 52.5, lon: 13.33 }),
    l({ source: 'e', title: 'Jazz im A-Trane', lat: null, lon: null, category: 'theatre' }),
    l({
      source: 'f',
      title: 'Schubert',
      venue: 'Philharmonie',
      lat: 52.5098,
      lon: 13.37,
      startsAt: '2027-03-27T21:30:00Z',
    }),
  ];

  it('returns the full score or null only when the score is below the floor', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...pool),
        fc.constantFrom(...pool),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, b, floor) => {
          const full = scoreMatch(a, b);
          const quick = scoreMatchAtLeast(a, b, floor);
          if (quick === null) expect(full.score).toBeLessThan(floor);
          else expect(quick).toEqual(full);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('skips a pair whose venue, time and geo cannot reach the floor', () => {
    expect(scoreMatchAtLeast(pool[0]!, pool[3]!, 0.7)).toBeNull();
    expect(scoreMatchAtLeast(pool[0]!, pool[1]!, 0.7)).toEqual(scoreMatch(pool[0]!, pool[1]!));
  });
});

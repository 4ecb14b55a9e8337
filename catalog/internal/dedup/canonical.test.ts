import { describe, expect, it } from 'vitest';
import { CatalogEvent } from '../../../model/index.ts';
import type { NormalisedListing } from '../listing.ts';
import { canonicalEvent, canonicalId, rankMembers } from './canonical.ts';
import { eur, listing, truthListings, type ListingSpec } from './test-listings.ts';

const base: ListingSpec = {
  source: 'a',
  sourceId: '1',
  title: 'Carmen',
  venue: 'Teatro Real',
  startsAt: '2027-04-15T17:30:00Z',
  city: 'Madrid',
  country: 'ES',
  timezone: 'Europe/Madrid',
};
const l = (over: Partial<ListingSpec>) => listing({ ...base, ...over });
const event = (...members: NormalisedListing[]) => canonicalEvent({ id: 'evt_x', members });

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('canonicalId', () => {
  const BLOCK = 'DE|berlin|2027-03-28';

  it('is evt_ and the first 16 hex digits of sha256(block|source:sourceId)', () => {
    expect(canonicalId(BLOCK, 'berlin-buehnen', 'mahler5@2027-03-28')).toBe('evt_ae614101ba13497e');
  });

  it('hashes a salt into the key only when one is needed', () => {
    expect(canonicalId(BLOCK, 'berlin-buehnen', 'mahler5@2027-03-28', 1)).toBe('evt_ae614101ba13497e');
    expect(canonicalId(BLOCK, 'berlin-buehnen', 'mahler5@2027-03-28', 2)).toBe('evt_9d8469a6f39cdb37');
  });

  it('gives the same founder another id in another block', () => {
    expect(canonicalId(BLOCK, 'berlin-buehnen', 'schubert@2027-03-28')).toBe('evt_2fa733c306880ae2');
    expect(canonicalId('DE|berlin|2027-03-29', 'berlin-buehnen', 'schubert@2027-03-28')).toBe(
      'evt_ccfa57500122042a',
    );
  });
});

describe('canonicalEvent', () => {
  it('builds the B1 event from the primary source, filled and united from the others', () => {
    const e = event(...truthListings('B1'));
    expect(e).toEqual({
      id: 'evt_x',
      title: 'Berliner Philharmoniker: Mahler 5',
      category: 'music',
      subcategory: 'classical',
      startsAt: '2027-03-28T18:00:00Z',
      endsAt: '2027-03-28T20:00:00Z',
      timezone: 'Europe/Berlin',
      venue: {
        name: 'Philharmonie Berlin',
        address: 'Herbert-von-Karajan-Str. 1, 10785 Berlin',
        lat: 52.5098,
        lon: 13.37,
      },
      city: 'Berlin',
      country: 'DE',
      price: { min: 35, max: 120, currency: 'EUR', isFree: false },
      status: 'scheduled',
      url: 'https://berlin-buehnen.example/mahler5%402027-03-28',
      sources: [
        {
          source: 'berlin-buehnen',
          sourceId: 'mahler5@2027-03-28',
          url: 'https://berlin-buehnen.example/mahler5%402027-03-28',
        },
        {
          source: 'kulturkalender-berlin',
          sourceId: 'kk-4711',
          url: 'https://kulturkalender-berlin.example/kk-4711',
        },
        { source: 'ticketing-api', sourceId: 'tk-1001', url: 'https://ticketing-api.example/tk-1001' },
      ],
      performers: ['Berliner Philharmoniker', 'Kirill Petrenko'],
    });
    expect(CatalogEvent.safeParse(e).success).toBe(true);
  });

  it('gives byte-identical JSON for the same members in any order', () => {
    const members = [...truthListings('B1'), ...truthListings('M1')];
    const json = JSON.stringify(event(...members));
    for (const p of permutations(members)) expect(JSON.stringify(event(...p))).toBe(json);
  });

  it('fills the top member nulls from the next-ranked member that has them', () => {
    const top = l({ priority: 9 });
    const mid = l({
      source: 'b',
      priority: 5,
      address: 'Plaza de Isabel II',
      price: eur(20),
      endsAt: '2027-04-15T20:30:00Z',
    });
    const low = l({
      source: 'c',
      priority: 1,
      address: 'elsewhere',
      price: eur(99),
      eventUrl: 'https://c.example/e',
      subcategory: 'opera',
    });
    const e = event(low, top, mid);
    expect([e.venue.address, e.price?.min, e.endsAt, e.url, e.subcategory]).toEqual([
      'Plaza de Isabel II',
      20,
      '2027-04-15T20:30:00Z',
      'https://c.example/e',
      'opera',
    ]);
  });

  it('takes a subcategory only from a member of the same category, an end only after the start', () => {
    const top = l({ priority: 9, category: 'theatre' });
    const other = l({ source: 'b', subcategory: 'opera', endsAt: '2027-04-15T17:00:00Z' });
    expect([event(top, other).subcategory, event(top, other).endsAt]).toEqual([null, null]);
  });

  it('prefers coordinates a source gave over gazetteer ones, as a pair', () => {
    const top = l({ priority: 9, lat: 40.4168, lon: -3.7038, missingCoordinates: true });
    const low = l({ source: 'b', lat: 40.4184, lon: -3.7109 });
    expect(event(top, low).venue).toMatchObject({ lat: 40.4184, lon: -3.7109 });
    expect(event(top).venue).toMatchObject({ lat: 40.4168, lon: -3.7038 });
  });

  it("keeps the top member's status, whatever lower-ranked sources say", () => {
    const sched = (p: number) => l({ source: `s${p}`, priority: p });
    const cancelled = (p: number) => l({ source: `c${p}`, priority: p, status: 'cancelled' });
    expect(event(cancelled(9), sched(1)).status).toBe('cancelled');
    expect(event(sched(9), cancelled(1)).status).toBe('scheduled');
    expect(event(l({ source: 'p', priority: 9, status: 'postponed' }), cancelled(1)).status).toBe(
      'postponed',
    );
  });

  it('ranks equal priorities by source:sourceId, and unites performers spelled alike once', () => {
    const b = l({ source: 'b', title: 'Carmen (Bizet)', performers: ['Coro Titular', 'Nadezhda Karyazina'] });
    const a = l({
      source: 'a',
      sourceId: '9',
      performers: ['Nadezhda Karyazina', 'Coro titular', 'Orquesta'],
    });
    expect(rankMembers([b, a]).map((m) => m.source)).toEqual(['a', 'b']);
    expect(event(b, a).title).toBe('Carmen');
    expect(event(b, a).performers).toEqual(['Nadezhda Karyazina', 'Coro titular', 'Orquesta']);
  });

  it('lists every member in sources, sorted by source then id', () => {
    const e = event(
      l({ source: 'b', sourceId: '2' }),
      l({ source: 'a', sourceId: '3', url: 'u' }),
      l({ source: 'b', sourceId: '10' }),
    );
    expect(e.sources).toEqual([
      { source: 'a', sourceId: '3', url: 'u' },
      { source: 'b', sourceId: '10', url: null },
      { source: 'b', sourceId: '2', url: null },
    ]);
  });
});

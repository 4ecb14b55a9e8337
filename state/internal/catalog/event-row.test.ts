import { describe, expect, it } from 'vitest';
import { canonicalJson, docHash, textSearchConfig } from './event-row.ts';

describe('event rows', () => {
  it('pick the text search configuration from the country, English by default', () => {
    expect(['DE', 'at', 'FR', 'ES', 'IT', 'NL', 'PT', 'GB', 'CH'].map(textSearchConfig)).toEqual([
      'german',
      'german',
      'french',
      'spanish',
      'italian',
      'dutch',
      'portuguese',
      'english',
      'english',
    ]);
  });

  it('hash the same content alike whatever the key order', () => {
    expect(canonicalJson({ b: [1, { d: 2, c: undefined, a: null }], a: 'x' })).toBe(
      '{"a":"x","b":[1,{"a":null,"d":2}]}',
    );
    const e = {
      id: 'e',
      title: 't',
      category: 'music',
      subcategory: null,
      startsAt: '2027-01-01T00:00:00Z',
      endsAt: null,
      timezone: 'UTC',
      venue: { name: 'v', address: null, lat: null, lon: null },
      city: 'c',
      country: 'GB',
      price: null,
      status: 'scheduled',
      url: null,
      sources: [],
      performers: [],
    } as const;
    const reversed = Object.fromEntries(Object.entries(e).reverse()) as typeof e;
    expect(docHash({ ...reversed, sources: [], performers: [] })).toBe(
      docHash({ ...e, sources: [], performers: [] }),
    );
    expect(docHash({ ...e, sources: [], performers: ['p'] })).not.toBe(
      docHash({ ...e, sources: [], performers: [] }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { distanceMeters, geoSimilarity } from './geo.ts';
import { listing, type ListingSpec } from './test-listings.ts';

const base: ListingSpec = {
  source: 'a',
  sourceId: '1',
  title: 'Trio Nocturne',
  venue: 'A-Trane',
  startsAt: '2027-03-27T20:30:00Z',
  lat: 52.5063,
  lon: 13.3185,
};
const l = (over: Partial<ListingSpec> = {}) => listing({ ...base, ...over });

describe('geoSimilarity', () => {
  it('is 1 under 100 m, linear to 0 at 1 km', () => {
    // 0.001 degree of latitude is 111.2 m
    const at = (dLat: number) => geoSimilarity(l(), l({ lat: 52.5063 + dLat }));
    expect(at(0.0005)).toBe(1);
    expect(at(0.0055)).toBeCloseTo((1000 - distanceMeters(0, 0, 0.0055, 0)) / 900, 6);
    expect(at(0.0055)).toBeCloseTo(0.4316, 4); // 611.6 m
    expect(at(0.01)).toBe(0);
  });

  it('is unknown when either side has no coordinates or only gazetteer ones', () => {
    expect(geoSimilarity(l(), l({ lat: null, lon: null }))).toBeNull();
    expect(geoSimilarity(l({ missingCoordinates: true }), l())).toBeNull();
  });
});

describe('distanceMeters', () => {
  it('measures great-circle distance', () => {
    expect(distanceMeters(0, 0, 1, 0)).toBeCloseTo(111_195, 0);
    expect(distanceMeters(52.5098, 13.37, 52.5168, 13.3955)).toBeCloseTo(1893, 0);
  });
});

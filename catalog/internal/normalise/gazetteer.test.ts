import { describe, expect, it } from 'vitest';
import { citiesNamed, countryZone, distanceKm, nearestCity } from './gazetteer.ts';

describe('gazetteer', () => {
  it('finds cities by folded name, most populous first', () => {
    expect(citiesNamed('LONDON').map((c) => c.country)).toEqual(['GB', 'CA', 'US']);
    expect(citiesNamed('london', 'US').map((c) => c.city)).toEqual(['London']);
    expect(citiesNamed('Köln')[0]?.city).toBe('Cologne');
    expect(citiesNamed('Atlantis')).toEqual([]);
  });

  it('picks the big city over a nearby small one for a venue in it', () => {
    expect(nearestCity(52.5098, 13.37)?.city).toBe('Berlin');
    expect(nearestCity(48.8634, 2.3364)?.city).toBe('Paris');
    expect(nearestCity(40.4184, -3.7109)?.city).toBe('Madrid');
    // Central Versailles is its own town, 17 km from Paris.
    expect(nearestCity(48.8049, 2.1204)?.city).toBe('Versailles');
  });

  it('finds nothing beyond the radius, and filters by country', () => {
    expect(nearestCity(45, -30)).toBeNull();
    expect(nearestCity(52.5098, 13.37, 'PL')).toBeNull();
  });

  it('searches across the antimeridian', () => {
    // Suva (Fiji) lies at 178.4°E; a point at 179.9°W is ~170 km away, inside a 200 km radius.
    expect(nearestCity(-18.14, -179.9, null, 200)?.city).toBe('Suva');
  });

  it('measures great-circle distances', () => {
    expect(Math.round(distanceKm(52.52, 13.405, 48.8566, 2.3522))).toBe(877);
  });

  it('knows the single zone of single-zone countries only', () => {
    expect(countryZone('DE')).toBe('Europe/Berlin');
    expect(countryZone('GB')).toBe('Europe/London');
    expect(countryZone('US')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { DraftVenue } from '../listing.ts';
import { cityFromAddress, resolvePlace } from './place.ts';

const venue = (v: Partial<DraftVenue>): DraftVenue => ({
  name: null,
  address: null,
  city: null,
  postalCode: null,
  country: null,
  lat: null,
  lon: null,
  ...v,
});

describe('resolvePlace', () => {
  it('resolves the Philharmonie Berlin with its coordinates kept as given (B1)', () => {
    const v = venue({
      name: 'Philharmonie Berlin',
      address: 'Herbert-von-Karajan-Str. 1, 10785 Berlin',
      city: 'Berlin',
      country: 'DE',
      lat: 52.5098,
      lon: 13.37,
    });
    expect(resolvePlace(v, 'Europe/Berlin')).toEqual({
      ok: true,
      city: 'Berlin',
      country: 'DE',
      timezone: 'Europe/Berlin',
      lat: 52.5098,
      lon: 13.37,
      missingCoordinates: false,
    });
  });

  it('finds the city in the address when the venue has no city and no coordinates (M2)', () => {
    const v = venue({ name: 'Museo del Prado', address: 'Calle de Ruiz de Alarcón 23, 28014 Madrid' });
    expect(resolvePlace(v, null)).toEqual({
      ok: true,
      city: 'Madrid',
      country: 'ES',
      timezone: 'Europe/Madrid',
      lat: null,
      lon: null,
      missingCoordinates: true,
    });
  });

  it('resolves a venue with only coordinates to the city around them (L1)', () => {
    const v = venue({ name: 'The Comedy Store', lat: 51.5099, lon: -0.1318 });
    expect(resolvePlace(v, null)).toMatchObject({
      ok: true,
      city: 'London',
      country: 'GB',
      timezone: 'Europe/London',
      missingCoordinates: false,
    });
  });

  it('reads a postcode after the city in a British address (L1 with its address)', () => {
    const v = venue({ address: '1a Oxendon St, London SW1Y 4EE' });
    expect(resolvePlace(v, null)).toMatchObject({ ok: true, city: 'London', country: 'GB' });
  });

  it('gives the canonical name for exonyms and spellings without diacritics', () => {
    const cases: [string, string, string][] = [
      ['München', 'Munich', 'DE'],
      ['MUENCHEN', 'Munich', 'DE'],
      ['Köln', 'Cologne', 'DE'],
      ['Wien', 'Vienna', 'AT'],
      ['Roma', 'Rome', 'IT'],
      ['Milano', 'Milan', 'IT'],
      ['Lisboa', 'Lisbon', 'PT'],
      ['Praha', 'Prague', 'CZ'],
      ['Bruxelles', 'Brussels', 'BE'],
      ['zurich', 'Zürich', 'CH'],
      ['  paris ', 'Paris', 'FR'],
    ];
    for (const [given, city, country] of cases) {
      expect(resolvePlace(venue({ city: given }), null)).toMatchObject({ ok: true, city, country });
    }
  });

  it('prefers the same-named city in the given country, else the one near the coordinates, else the most populous', () => {
    expect(resolvePlace(venue({ city: 'London' }), null)).toMatchObject({ country: 'GB' });
    expect(resolvePlace(venue({ city: 'London', country: 'Canada' }), null)).toMatchObject({
      country: 'CA',
      timezone: 'America/Toronto',
    });
    expect(resolvePlace(venue({ city: 'London', lat: 42.98, lon: -81.25 }), null)).toMatchObject({
      country: 'CA',
    });
  });

  it('takes the country from a name in several languages', () => {
    for (const country of ['Deutschland', 'Germany', 'Allemagne', 'DEU', 'de']) {
      expect(resolvePlace(venue({ city: 'Berlin', country }), null)).toMatchObject({ country: 'DE' });
    }
    for (const country of ['España', 'Spain', 'Espagne']) {
      expect(resolvePlace(venue({ city: 'Madrid', country }), null)).toMatchObject({ country: 'ES' });
    }
    for (const country of ['United Kingdom', 'UK', 'Royaume-Uni']) {
      expect(resolvePlace(venue({ city: 'London', country }), null)).toMatchObject({ country: 'GB' });
    }
  });

  it('uses a valid hint zone, and the city zone when the hint is not an IANA name', () => {
    expect(resolvePlace(venue({ city: 'Berlin' }), 'Europe/Paris')).toMatchObject({
      timezone: 'Europe/Paris',
    });
    expect(resolvePlace(venue({ city: 'Berlin' }), 'W. Europe Standard Time')).toMatchObject({
      timezone: 'Europe/Berlin',
    });
  });

  it('keeps the source’s own name for a town the gazetteer lacks, when the country and zone are known', () => {
    expect(resolvePlace(venue({ city: 'Kleinmachnow', country: 'DE' }), null)).toEqual({
      ok: true,
      city: 'Kleinmachnow',
      country: 'DE',
      timezone: 'Europe/Berlin',
      lat: null,
      lon: null,
      missingCoordinates: true,
    });
  });

  it('refuses a venue whose city cannot be resolved', () => {
    const err = { ok: false, errors: [{ path: 'venue.city', message: 'could not resolve a city' }] };
    expect(resolvePlace(venue({ name: 'Somewhere' }), 'Europe/Berlin')).toEqual(err);
    expect(resolvePlace(venue({ city: 'Atlantis' }), null)).toEqual(err);
    expect(resolvePlace(venue({ lat: 0.5, lon: -30 }), null)).toEqual(err);
  });

  it('treats (0, 0) as missing coordinates', () => {
    expect(resolvePlace(venue({ city: 'Paris', lat: 0, lon: 0 }), null)).toMatchObject({
      lat: null,
      lon: null,
      missingCoordinates: true,
    });
  });
});

describe('cityFromAddress', () => {
  it('does not read a city out of a street name', () => {
    expect(cityFromAddress('Rue de Paris 12', null, null, null)).toBeNull();
    expect(cityFromAddress('Unter den Linden 7, 10117 Berlin', null, null, null)?.city).toBe('Berlin');
    expect(cityFromAddress('1 Place Colette, 75001 Paris, France', null, null, null)?.city).toBe('Paris');
  });
});

/**
 * Where a listing takes place: its city (the gazetteer's canonical name, so every source's
 * `München`, `Munich` and `Muenchen` meet in one dedup block), country, IANA zone and coordinates.
 */
import type { DraftVenue } from '../listing.ts';
import { parseCountry } from './country.ts';
import { collapseSpace } from './fold.ts';
import { citiesNamed, countryZone, distanceKm, nearestCity, type GazetteerCity } from './gazetteer.ts';
import { ianaZone, type FieldError } from './time.ts';

export interface ResolvedPlace {
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** IANA zone the venue's local times are read in. */
  timezone: string;
  /** As the source gave them (never invented); null when it gave none. */
  lat: number | null;
  lon: number | null;
  missingCoordinates: boolean;
}

export type PlaceResult = ({ ok: true } & ResolvedPlace) | { ok: false; errors: FieldError[] };

/** A name shared by cities far apart (London GB/CA/US): the one this close to the venue wins. */
const SAME_NAME_NEAR_KM = 50;
/** How far the coordinates may be from a city when only they are left to find one. */
const NEAR_CITY_KM = 30;
/** How far to look for a country or zone when the city is only the source's own name. */
const REGION_KM = 100;

function pickNamed(name: string, country: string | null, lat: number | null, lon: number | null) {
  const found = citiesNamed(name, country);
  if (lat !== null && lon !== null && found.length > 1) {
    const near = found.find((c) => distanceKm(lat, lon, c.lat, c.lon) <= SAME_NAME_NEAR_KM);
    if (near) return near;
  }
  return found[0] ?? null;
}

/**
 * The city at the end of a one-line address: comma-separated parts are tried from the last; in
 * each, every run of words between tokens holding a digit (postal codes, house numbers) is tried
 * as a whole name, last run first. `Herbert-von-Karajan-Str. 1, 10785 Berlin` → Berlin,
 * `1a Oxendon St, London SW1Y 4EE` → London; a street (`Rue de Paris 12`) is not split into words,
 * so it does not read as Paris.
 */
export function cityFromAddress(
  address: string,
  country: string | null,
  lat: number | null,
  lon: number | null,
): GazetteerCity | null {
  const parts = address.split(/[,;\n]/).map((p) => p.trim());
  for (let i = parts.length - 1; i >= 0; i--) {
    const runs: string[][] = [[]];
    for (const token of (parts[i] ?? '').split(/\s+/)) {
      if (/\d/.test(token)) runs.push([]);
      else if (token) runs[runs.length - 1]?.push(token);
    }
    for (let r = runs.length - 1; r >= 0; r--) {
      const words = runs[r] ?? [];
      if (!words.length) continue;
      const city = pickNamed(words.join(' '), country, lat, lon);
      if (city) return city;
    }
  }
  return null;
}

/**
 * Resolves a draft venue.
 *
 * - Country: the venue's (ISO code or name in several languages), else the city's.
 * - City, first that answers: `venue.city` in the gazetteer (case, diacritics and exonyms folded;
 *   in the venue's country when known; of several same-named cities the one within 50 km of the
 *   coordinates, else the most populous); the address (see {@link cityFromAddress}); the
 *   coordinates (see {@link nearestCity}, 30 km). Output is the gazetteer's canonical name.
 *   When none answers, the source's own `venue.city` is kept, with the country and zone of the
 *   region around the coordinates or the country's only zone.
 * - Zone: `hintTimezone` (the draft's, i.e. the source's) when it is a valid IANA name, else the
 *   city's.
 * - Coordinates: as given; `(0, 0)` and half-pairs count as missing. Never filled from the
 *   gazetteer (a city centre is not the venue).
 *
 * Error (`venue.city`: could not resolve a city) when no city can be found, or when the source's
 * own city name is all there is and its country or zone stays unknown.
 */
export function resolvePlace(venue: DraftVenue, hintTimezone: string | null): PlaceResult {
  const hasCoords = venue.lat !== null && venue.lon !== null && !(venue.lat === 0 && venue.lon === 0);
  const lat = hasCoords ? venue.lat : null;
  const lon = hasCoords ? venue.lon : null;
  const givenCountry = parseCountry(venue.country);
  const hint = ianaZone(hintTimezone) ? hintTimezone : null;
  const sourceCity = venue.city ? collapseSpace(venue.city) : '';

  const found =
    (sourceCity ? pickNamed(sourceCity, givenCountry, lat, lon) : null) ??
    (venue.address ? cityFromAddress(venue.address, givenCountry, lat, lon) : null) ??
    (lat !== null && lon !== null ? nearestCity(lat, lon, givenCountry, NEAR_CITY_KM) : null);
  const base = { lat, lon, missingCoordinates: !hasCoords };

  if (found) {
    return {
      ok: true,
      city: found.city,
      country: givenCountry ?? found.country,
      timezone: hint ?? found.timezone,
      ...base,
    };
  }
  const unresolved: PlaceResult = {
    ok: false,
    errors: [{ path: 'venue.city', message: 'could not resolve a city' }],
  };
  if (!sourceCity) return unresolved;
  // Not in the gazetteer (a small town): keep the source's name if country and zone are known.
  const region = lat !== null && lon !== null ? nearestCity(lat, lon, givenCountry, REGION_KM) : null;
  const country = givenCountry ?? region?.country ?? null;
  const timezone = hint ?? region?.timezone ?? (country ? countryZone(country) : null);
  if (!country || !timezone) return unresolved;
  return { ok: true, city: sourceCity, country, timezone, ...base };
}

/** The geo part of the dedup score: how close two venues' coordinates are. */
import type { NormalisedListing } from '../listing.ts';
import { DEDUP } from './thresholds.ts';

/**
 * 1 under 100 m, linearly down to 0 at 1 km; null (unknown) if either side has no coordinates or
 * they did not come from the source: a gazetteer fills in a city's or a venue's point, and two
 * listings both placed there by it would look co-located whatever their venues.
 */
export function geoSimilarity(a: NormalisedListing, b: NormalisedListing): number | null {
  const va = a.event.venue;
  const vb = b.event.venue;
  if (va.lat === null || va.lon === null || vb.lat === null || vb.lon === null) return null;
  if (a.missingCoordinates || b.missingCoordinates) return null;
  const d = distanceMeters(va.lat, va.lon, vb.lat, vb.lon);
  const { nearMeters, farMeters } = DEDUP.geo;
  if (d <= nearMeters) return 1;
  if (d >= farMeters) return 0;
  return (farMeters - d) / (farMeters - nearMeters);
}

/** Great-circle distance (haversine) in metres. */
export function distanceMeters(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

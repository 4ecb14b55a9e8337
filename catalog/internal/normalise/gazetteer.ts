/**
 * The shipped gazetteer (`city-timezones`: ~7,300 cities with population, country and IANA zone),
 * indexed once at module load: by folded name (with exonyms), and on a 1° grid for the nearest city
 * to a point. No lookup scans the whole list.
 */
import cityTimezones from 'city-timezones';
import { foldKey } from './fold.ts';

export interface GazetteerCity {
  /** The gazetteer's canonical name (`Munich`, `Zürich`): the catalogue's city name. */
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  timezone: string;
  lat: number;
  lon: number;
  pop: number;
}

/**
 * Names that denote the same city (endonym, English exonym, German or French forms, spellings
 * without umlauts): every name of a group finds the cities of all of them, so `München`,
 * `Muenchen` and `Munich` all reach the gazetteer's `Munich`, and `Zurich` its `Zürich`.
 */
const SAME_CITY: readonly (readonly string[])[] = [
  ['Munich', 'München', 'Muenchen', 'Monaco di Baviera', 'Múnich'],
  ['Cologne', 'Köln', 'Koeln', 'Colonia'],
  ['Nuremberg', 'Nürnberg', 'Nuernberg', 'Norimberga', 'Núremberg'],
  ['Vienna', 'Wien', 'Vienne', 'Viena'],
  ['Rome', 'Roma', 'Rom'],
  ['Milan', 'Milano', 'Mailand', 'Milán'],
  ['Naples', 'Napoli', 'Neapel', 'Nápoles'],
  ['Turin', 'Torino', 'Turín'],
  ['Florence', 'Firenze', 'Florenz', 'Florencia'],
  ['Venice', 'Venezia', 'Venedig', 'Venise', 'Venecia'],
  ['Genoa', 'Genova', 'Genua', 'Gênes'],
  ['Lisbon', 'Lisboa', 'Lissabon', 'Lisbonne'],
  ['Prague', 'Praha', 'Prag', 'Praga'],
  ['Brussels', 'Bruxelles', 'Brussel', 'Brüssel', 'Bruselas'],
  ['Antwerp', 'Antwerpen', 'Anvers', 'Amberes'],
  ['Ghent', 'Gent', 'Gand'],
  ['Liège', 'Liege', 'Luik', 'Lüttich'],
  ['The Hague', 'Den Haag', "'s-Gravenhage", 'La Haye', 'La Haya'],
  ['Zürich', 'Zurich', 'Zuerich'],
  ['Geneva', 'Genève', 'Genf', 'Ginevra', 'Ginebra'],
  ['Seville', 'Sevilla', 'Séville'],
  ['Copenhagen', 'København', 'Kopenhagen', 'Copenhague'],
  ['Gothenburg', 'Göteborg'],
  ['Warsaw', 'Warszawa', 'Warschau', 'Varsovie', 'Varsovia'],
  ['Athens', 'Athina', 'Athen', 'Athènes', 'Atenas'],
  ['Bucharest', 'București', 'Bukarest', 'Bucarest'],
  ['Moscow', 'Moskva', 'Moskau', 'Moscou', 'Moscú'],
  ['London', 'Londres', 'Londra', 'Londen'],
  ['Paris', 'Parigi', 'París', 'Parijs'],
  ['Berlin', 'Berlino', 'Berlín', 'Berlijn'],
  ['Frankfurt', 'Frankfurt am Main', 'Francfort', 'Fráncfort'],
  ['Barcelona', 'Barcelone'],
];

const byName = new Map<string, GazetteerCity[]>();
const grid = new Map<string, GazetteerCity[]>();
/** Grid cells are 1° × 1°, keyed `floor(lat):floor(lon)`. */
const cellKey = (lat: number, lon: number) => `${Math.floor(lat)}:${Math.floor(lon)}`;

function add(map: Map<string, GazetteerCity[]>, key: string, c: GazetteerCity) {
  const list = map.get(key);
  if (!list) map.set(key, [c]);
  else if (!list.includes(c)) list.push(c);
}

/** The gazetteer writes `-99` for the alpha-2 code of places whose code is not official. */
const ISO2_BY_ISO3: Record<string, string> = { KOS: 'XK', SOL: 'SO' };

for (const e of cityTimezones.cityMapping) {
  const iso2 = typeof e.iso2 === 'string' ? e.iso2.toUpperCase() : ISO2_BY_ISO3[e.iso3];
  // A few entries (research stations) have no zone: useless for local times, left out.
  if (!e.timezone || !iso2) continue;
  const c: GazetteerCity = {
    city: e.city,
    country: iso2,
    timezone: e.timezone,
    lat: e.lat,
    lon: e.lng,
    pop: e.pop,
  };
  add(byName, foldKey(e.city), c);
  add(byName, foldKey(e.city_ascii), c);
  add(grid, cellKey(c.lat, c.lon), c);
}
for (const group of SAME_CITY) {
  const keys = group.map(foldKey);
  const all = keys.flatMap((k) => byName.get(k) ?? []);
  for (const k of keys) for (const c of all) add(byName, k, c);
}
for (const list of byName.values()) list.sort((a, b) => b.pop - a.pop);

/**
 * Cities called `name` (case, diacritics, punctuation and exonyms folded), most populous first;
 * only those in `country` when one is given.
 */
export function citiesNamed(name: string, country?: string | null): readonly GazetteerCity[] {
  const list = byName.get(foldKey(name)) ?? [];
  return country ? list.filter((c) => c.country === country) : list;
}

const EARTH_KM = 6371;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in km. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const a =
    Math.sin(rad(lat2 - lat1) / 2) ** 2 +
    Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(rad(lon2 - lon1) / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * The city a point belongs to: among the gazetteer cities within `radiusKm` (in `country` when
 * given), the one with the highest population / (distance + 1 km)². A venue 2 km from the centre
 * of a city of millions belongs to it rather than to a small town next door, yet a venue in the
 * middle of a town well away from the metropolis belongs to the town. Null when none is in reach.
 */
export function nearestCity(
  lat: number,
  lon: number,
  country?: string | null,
  radiusKm = 30,
): GazetteerCity | null {
  const dLat = Math.ceil(radiusKm / 111);
  // Degrees of longitude shrink towards the poles: widen the search where the radius reaches.
  const cos = Math.max(Math.cos(rad(Math.min(89, Math.abs(lat) + radiusKm / 111))), 0.01);
  const dLon = Math.min(Math.ceil(radiusKm / (111 * cos)), 180);
  const baseLat = Math.floor(lat);
  const baseLon = Math.floor(lon);
  let best: GazetteerCity | null = null;
  let bestScore = -1;
  for (let i = baseLat - dLat; i <= baseLat + dLat; i++) {
    for (let j = baseLon - dLon; j <= baseLon + dLon; j++) {
      // Wrap longitude cells across the antimeridian.
      const jj = ((((j + 180) % 360) + 360) % 360) - 180;
      for (const c of grid.get(`${i}:${jj}`) ?? []) {
        if (country && c.country !== country) continue;
        const d = distanceKm(lat, lon, c.lat, c.lon);
        if (d > radiusKm) continue;
        const score = Math.max(c.pop, 1) / (d + 1) ** 2;
        if (score > bestScore) [best, bestScore] = [c, score];
      }
    }
  }
  return best;
}

const zonesByCountry = new Map<string, Set<string>>();
for (const list of grid.values()) {
  for (const c of list) {
    const set = zonesByCountry.get(c.country) ?? new Set<string>();
    set.add(c.timezone);
    zonesByCountry.set(c.country, set);
  }
}

/** The zone of a country whose gazetteer cities all share one (DE, FR, GB, IT), else null. */
export function countryZone(country: string): string | null {
  const zones = zonesByCountry.get(country);
  return zones?.size === 1 ? ([...zones][0] ?? null) : null;
}

/**
 * Pure normalisers used by the enrich job: device, region and free-text categories. Each maps what
 * clients send in practice (any case, synonyms, several languages) onto one closed vocabulary, and
 * answers `null`/`OTHER` rather than guessing.
 */
import { countries, getCountryCode, getCountryDataList } from 'countries-list';
import {
  CATEGORIES,
  SUBCATEGORIES,
  type Category,
  type DeviceType,
  type GeoRegion,
} from '../../model/index.ts';

/**
 * Remembers a pure normaliser's answers: clients send few distinct strings, and matching one
 * against word lists or country names costs microseconds per event. Bounded: when `max` inputs
 * are remembered the memory starts afresh, so hostile variety costs only the plain computation.
 */
function memo<R>(f: (s: string) => R, max = 4096): (s: string) => R {
  let known = new Map<string, R>();
  return (s) => {
    const hit = known.get(s);
    if (hit !== undefined || known.has(s)) return hit as R;
    const r = f(s);
    if (known.size >= max) known = new Map();
    known.set(s, r);
    return r;
  };
}

const DEVICE_WORDS: Array<[RegExp, DeviceType]> = [
  [/tablet|ipad|tab\b|kindle/, 'TABLET'],
  [/\btv\b|smart.?tv|television|tvos|roku|fire.?tv|chromecast|console/, 'TV'],
  [/mobile|phone|iphone|android|ios|smartphone|handy|móvil|movil/, 'MOBILE'],
  [/desktop|web|pc|laptop|mac|windows|linux|computer|browser/, 'DESKTOP'],
];

/** MOBILE, DESKTOP, TABLET, TV or OTHER from whatever the client called its device. */
export function normalizeDevice(device: string | undefined): DeviceType {
  return device ? deviceOf(device) : 'OTHER';
}

const deviceOf = memo((device: string): DeviceType => {
  const d = device.trim().toLowerCase();
  for (const [re, type] of DEVICE_WORDS) if (re.test(d)) return type;
  return 'OTHER';
});

// Countries in Asia by continent but in the Middle East, which sales regions count as EMEA.
const MIDDLE_EAST = new Set([
  'AE',
  'BH',
  'CY',
  'IL',
  'IQ',
  'IR',
  'JO',
  'KW',
  'LB',
  'OM',
  'PS',
  'QA',
  'SA',
  'SY',
  'TR',
  'YE',
  'GE',
  'AM',
  'AZ',
]);
const ISO3 = new Map(getCountryDataList().map((c) => [c.iso3, c.iso2]));

/** An ISO 3166 country code (alpha-2 or alpha-3, any case) or English/native name → alpha-2. */
export function countryCode(geo: string | undefined): string | null {
  if (!geo) return null;
  const g = geo.trim();
  const upper = g.toUpperCase();
  if (upper.length === 2 && upper in countries) return upper;
  if (upper === 'UK') return 'GB';
  if (upper.length === 3 && ISO3.has(upper)) return ISO3.get(upper)!;
  return getCountryCode(g) || null;
}

/** EMEA, AMER or APAC for a country (code or name); null when it is not a known country. */
export function geoRegion(geo: string | undefined): GeoRegion | null {
  return geo ? regionOf(geo) : null;
}

const regionOf = memo((geo: string): GeoRegion | null => {
  const code = countryCode(geo);
  if (!code) return null;
  const continent = countries[code as keyof typeof countries].continent;
  switch (continent) {
    case 'NA':
    case 'SA':
      return 'AMER';
    case 'AS':
      return MIDDLE_EAST.has(code) ? 'EMEA' : 'APAC';
    case 'OC':
      return 'APAC';
    case 'EU':
    case 'AF':
      return 'EMEA';
    default:
      return null; // Antarctica
  }
});

// Free-text category words (several languages) → taxonomy. Checked in order; first match wins.
const CATEGORY_WORDS: Array<[RegExp, Category, string | null]> = [
  [/\bjazz\b/, 'music', 'jazz'],
  [/\bopera\b|\boper\b|\bópera\b/, 'music', 'opera'],
  [/classical|klassik|classique|clásica|clasica|orchestra|orchester|symphon/, 'music', 'classical'],
  [/\brock\b|punk/, 'music', 'rock'],
  [/\bpop\b/, 'music', 'pop'],
  [/electronic|techno|house|\bedm\b|\bdj\b/, 'music', 'electronic'],
  [/hip.?hop|\brap\b/, 'music', 'hip-hop'],
  [/music|musik|musique|música|musica|concert|konzert|concierto|gig\b/, 'music', null],
  [/ballet|ballett/, 'dance', 'ballet'],
  [/dance|tanz|danse|danza|tango|flamenco/, 'dance', null],
  [/musical/, 'theatre', 'musical'],
  [/theat|théâtre|teatro|schauspiel|drama|stage|bühne|buhne/, 'theatre', null],
  [/stand.?up|comedy|kabarett|comédie|comedie|humou?r/, 'comedy', null],
  [/cinema|kino|film|movie|cine\b|ciné|screening/, 'cinema', null],
  [
    /exhibit|ausstellung|exposition|exposición|exposicion|mostra|museum|gallery|galerie|art\b|kunst/,
    'exhibition',
    null,
  ],
  [/festival/, 'festival', null],
  [/talk|lecture|vortrag|conférence|conference|conferencia|reading|lesung|panel|workshop/, 'talk', null],
  [/family|famil|kids|kinder|children|enfants|niños|ninos/, 'family', null],
];

/** The taxonomy category (and subcategory) of a free-text category, or null when unmapped. */
export function mapCategory(
  text: string | undefined,
): { category: Category; subcategory: string | null } | null {
  return text ? categoryOf(text) : null;
}

const categoryOf = memo((text: string): { category: Category; subcategory: string | null } | null => {
  const t = text.trim().toLowerCase();
  const [head = '', sub] = t.split('/');
  if ((CATEGORIES as readonly string[]).includes(head)) {
    const category = head as Category;
    return { category, subcategory: sub && SUBCATEGORIES[category].includes(sub) ? sub : null };
  }
  for (const [re, category, subcategory] of CATEGORY_WORDS) if (re.test(t)) return { category, subcategory };
  return null;
});

/**
 * Test helper: normalised listings built inline, and the fixture world of catalog/fixtures/README.md
 * as the normaliser should deliver it (titles and venue names as each source writes them).
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Category } from '../../../model/index.ts';
import type { NormalisedListing } from '../listing.ts';

type Price = NonNullable<NormalisedListing['event']['price']>;

export interface ListingSpec {
  source: string;
  sourceId: string;
  title: string;
  startsAt: string;
  venue: string;
  priority?: number;
  url?: string | null;
  category?: Category;
  subcategory?: string | null;
  endsAt?: string | null;
  timezone?: string;
  address?: string | null;
  lat?: number | null;
  lon?: number | null;
  city?: string;
  country?: string;
  price?: Price | null;
  status?: 'scheduled' | 'cancelled' | 'postponed';
  eventUrl?: string | null;
  performers?: string[];
  missingCoordinates?: boolean;
}

/** A listing from a spec; the payload hash follows the content, so any change changes it. */
export function listing(spec: ListingSpec): NormalisedListing {
  const timezone = spec.timezone ?? 'Europe/Berlin';
  const event: NormalisedListing['event'] = {
    title: spec.title,
    category: spec.category ?? 'music',
    subcategory: spec.subcategory ?? null,
    startsAt: spec.startsAt,
    endsAt: spec.endsAt ?? null,
    timezone,
    venue: { name: spec.venue, address: spec.address ?? null, lat: spec.lat ?? null, lon: spec.lon ?? null },
    city: spec.city ?? 'Berlin',
    country: spec.country ?? 'DE',
    price: spec.price ?? null,
    status: spec.status ?? 'scheduled',
    url: spec.eventUrl ?? null,
    performers: spec.performers ?? [],
  };
  const localDate = DateTime.fromISO(spec.startsAt, { zone: timezone }).toISODate();
  if (!localDate) throw new Error(`bad start ${spec.startsAt}`);
  return {
    source: spec.source,
    sourceId: spec.sourceId,
    payloadHash: createHash('sha256').update(JSON.stringify(event)).digest('hex'),
    priority: spec.priority ?? 0,
    url: spec.url ?? null,
    event,
    localDate,
    unmappedTerms: [],
    missingCoordinates: spec.missingCoordinates ?? false,
  };
}

export const eur = (min: number, max = min): Price => ({
  min,
  max,
  currency: 'EUR',
  isFree: min === 0 && max === 0,
});

/** Source priorities: a venue's own calendar above city aggregators above the ticketing API. */
const PRIORITY: Record<string, number> = {
  'berlin-buehnen': 10,
  'berlin-museen': 10,
  'paris-agenda': 10,
  'madrid-export': 10,
  'kulturkalender-berlin': 5,
  'paris-sorties': 5,
  'madrid-agenda': 5,
  'ticketing-api': 1,
};

const at = (truth: string, spec: Omit<ListingSpec, 'priority' | 'url'>) => ({
  truth,
  listing: listing({
    ...spec,
    priority: PRIORITY[spec.source] ?? 0,
    url: `https://${spec.source}.example/${encodeURIComponent(spec.sourceId)}`,
  }),
});

const philharmonie = { address: 'Herbert-von-Karajan-Str. 1, 10785 Berlin', lat: 52.5098, lon: 13.37 };
const nationalgalerie = {
  venue: 'Alte Nationalgalerie',
  address: 'Bodestraße 1-3, 10178 Berlin',
  lat: 52.5208,
  lon: 13.3981,
};
const aTrane = { address: 'Pestalozzistraße 105, 10625 Berlin', lat: 52.5063, lon: 13.3185 };
const paris = { city: 'Paris', country: 'FR', timezone: 'Europe/Paris' };
const madrid = { city: 'Madrid', country: 'ES', timezone: 'Europe/Madrid' };
const teatroReal = { ...madrid, lat: 40.4184, lon: -3.7109, address: 'Plaza de Isabel II s/n, 28013 Madrid' };
const b1 = {
  startsAt: '2027-03-28T18:00:00Z',
  category: 'music',
  subcategory: 'classical',
  price: eur(35, 120),
} as const;
const b5 = { ...nationalgalerie, startsAt: '2027-02-28T23:00:00Z', endsAt: '2027-08-01T22:00:00Z' };
const b6 = { ...aTrane, startsAt: '2027-03-27T20:30:00Z', category: 'music', subcategory: 'jazz' } as const;
const p2 = {
  ...paris,
  startsAt: '2027-03-09T23:00:00Z',
  endsAt: '2027-06-20T22:00:00Z',
  lat: 48.86,
  lon: 2.3266,
};
const m1 = {
  ...teatroReal,
  startsAt: '2027-04-15T17:30:00Z',
  subcategory: 'opera',
  price: eur(15.5, 120),
} as const;
const m2 = {
  ...madrid,
  startsAt: '2027-01-31T23:00:00Z',
  endsAt: '2027-05-31T22:00:00Z',
  category: 'exhibition',
} as const;
const b4 = (startsAt: string) =>
  at(`B4@${startsAt.slice(0, 10)}`, {
    ...nationalgalerie,
    source: 'berlin-museen',
    sourceId: `fuehrung-romantik@${startsAt}`,
    title: 'Führung: Meisterwerke der Romantik',
    startsAt,
    category: 'talk',
    subcategory: 'tour',
    price: eur(0),
  });

/**
 * Every listing of the fixture world with its truth key. B4's weekly occurrences are three events
 * (one per date), so each has its own key.
 */
// prettier-ignore
export const FIXTURE_WORLD: ReadonlyArray<{ truth: string; listing: NormalisedListing }> = [
  at('B1', { ...b1, ...philharmonie, source: 'berlin-buehnen', sourceId: 'mahler5@2027-03-28', title: 'Berliner Philharmoniker: Mahler 5', venue: 'Philharmonie Berlin', endsAt: '2027-03-28T20:00:00Z', performers: ['Berliner Philharmoniker'] }),
  at('B1', { ...b1, ...philharmonie, address: null, lat: 52.5097, lon: 13.3702, source: 'kulturkalender-berlin', sourceId: 'kk-4711', title: 'Mahler: Sinfonie Nr. 5 – Berliner Philharmoniker', venue: 'Philharmonie', performers: ['Berliner Philharmoniker', 'Kirill Petrenko'] }),
  at('B1', { ...b1, ...philharmonie, subcategory: null, source: 'ticketing-api', sourceId: 'tk-1001', title: 'Berliner Philharmoniker - Mahler Symphony No. 5', venue: 'Berliner Philharmonie', eventUrl: 'https://tickets.example/tk-1001' }),
  at('B2', { ...philharmonie, source: 'berlin-buehnen', sourceId: 'schubert@2027-03-28', title: 'Kammermusik: Schubert-Quintett', venue: 'Philharmonie Berlin', startsAt: '2027-03-28T09:00:00Z', subcategory: 'classical', price: eur(25) }),
  at('B3', { source: 'berlin-buehnen', sourceId: 'schwanensee@2027-03-30', title: 'Schwanensee', venue: 'Staatsoper Unter den Linden', lat: 52.5168, lon: 13.3955, startsAt: '2027-03-30T17:30:00Z', category: 'dance', subcategory: 'ballet', price: eur(40, 150), status: 'cancelled' }),
  b4('2027-03-21T10:00:00Z'),
  b4('2027-03-28T09:00:00Z'),
  b4('2027-04-11T09:00:00Z'),
  at('B5', { ...b5, source: 'berlin-museen', sourceId: 'cdf-2027', title: 'Caspar David Friedrich – Unendliche Landschaften', category: 'exhibition', subcategory: 'art', price: eur(14) }),
  at('B5', { ...b5, address: null, source: 'kulturkalender-berlin', sourceId: 'kk-cdf', title: 'Caspar David Friedrich. Unendliche Landschaften', category: 'exhibition', subcategory: 'art', price: eur(14) }),
  at('B6', { ...b6, source: 'kulturkalender-berlin', sourceId: 'kk-trio-0327', title: 'Trio Nocturne – Jazz im A-Trane', venue: 'A-Trane', price: eur(19) }),
  at('B6', { ...b6, source: 'ticketing-api', sourceId: 'tk-2002', title: 'Trio Nocturne live at A-Trane', venue: 'A-Trane Jazzclub', price: eur(19, 25) }),
  at('B7', { ...b6, source: 'kulturkalender-berlin', sourceId: 'kk-trio-0328', title: 'Trio Nocturne – Jazz im A-Trane', venue: 'A-Trane', startsAt: '2027-03-28T19:30:00Z', price: eur(19) }),
  at('P1', { ...paris, source: 'paris-agenda', sourceId: 'misanthrope@2027-04-02', title: 'Le Misanthrope', venue: 'Comédie-Française – Salle Richelieu', lat: 48.8634, lon: 2.3364, startsAt: '2027-04-02T18:30:00Z', category: 'theatre', subcategory: 'drama', price: eur(15, 45) }),
  at('P1', { ...paris, source: 'ticketing-api', sourceId: 'tk-3003', title: 'Le Misanthrope (Molière)', venue: 'Comédie-Française', lat: 48.8635, lon: 2.3363, startsAt: '2027-04-02T18:30:00Z', category: 'theatre', price: eur(15, 45) }),
  at('P2', { ...p2, source: 'paris-agenda', sourceId: 'matisse@2027', title: "Exposition : Matisse, l'atelier rouge", venue: "Musée d'Orsay", category: 'exhibition', subcategory: 'art', price: eur(16) }),
  at('P2', { ...p2, source: 'paris-sorties', sourceId: 'sorties-matisse', title: 'Matisse – L’Atelier rouge', venue: 'Musée d’Orsay', category: 'exhibition', price: eur(16) }),
  at('P3', { ...paris, source: 'paris-sorties', sourceId: 'printemps-poetes', title: 'Le Printemps des Poètes : lectures au jardin', venue: 'Jardin du Luxembourg', lat: 48.8462, lon: 2.3372, startsAt: '2027-03-12T23:00:00Z', endsAt: '2027-03-15T23:00:00Z', category: 'festival', subcategory: 'literature', price: eur(0) }),
  at('P4', { ...paris, source: 'paris-sorties', sourceId: 'point-virgule-0409', title: 'Soirée stand-up au Point Virgule', venue: 'Le Point Virgule', lat: 48.8577, lon: 2.355, startsAt: '2027-04-09T19:00:00Z', category: 'comedy', subcategory: 'stand-up', price: eur(20), status: 'postponed' }),
  at('P5', { ...paris, source: 'paris-agenda', sourceId: 'ravel@2027-04-20', title: 'Orchestre de Paris – Ravel', venue: 'Philharmonie de Paris', lat: 48.8918, lon: 2.394, startsAt: '2027-04-20T18:00:00Z', subcategory: 'classical', price: eur(30, 90), status: 'cancelled' }),
  at('M1', { ...m1, source: 'madrid-agenda', sourceId: 'carmen-0415', title: 'Carmen', venue: 'Teatro Real' }),
  at('M1', { ...m1, source: 'madrid-export', sourceId: 'row-12', title: 'Carmen (Bizet) – Teatro Real', venue: 'Teatro Real', category: 'theatre' }),
  at('M1', { ...m1, source: 'ticketing-api', sourceId: 'tk-4004', title: 'Carmen', venue: 'Teatro Real de Madrid', lat: 40.4183, lon: -3.711 }),
  at('M2', { ...m2, source: 'madrid-agenda', sourceId: 'sorolla', title: 'Sorolla: luz del Mediterráneo', venue: 'Museo del Prado', address: 'Calle de Ruiz de Alarcón 23, 28014 Madrid', lat: 40.4168, lon: -3.7038, missingCoordinates: true, subcategory: 'art', price: eur(15) }),
  at('M2', { ...m2, source: 'madrid-export', sourceId: 'row-13', title: 'Sorolla. Luz del Mediterráneo', venue: 'Museo Nacional del Prado', lat: 40.4138, lon: -3.6921, subcategory: 'art', price: eur(15) }),
  at('M3', { ...madrid, source: 'madrid-agenda', sourceId: 'maraton-cine', title: 'Maratón de cine nocturno', venue: 'Cine Doré', lat: 40.4115, lon: -3.6989, startsAt: '2027-03-28T01:30:00Z', category: 'cinema', price: eur(0) }),
  at('M4', { ...madrid, source: 'madrid-export', sourceId: 'row-14', title: 'Sesión golfa: The Rocky Horror Picture Show', venue: 'Cine Doré', lat: 40.4115, lon: -3.6989, startsAt: '2027-10-31T00:30:00Z', category: 'cinema', subcategory: 'classic', price: eur(4.5) }),
  at('M5', { ...madrid, source: 'madrid-export', sourceId: 'row-15', title: 'Flamenco en Casa Patas', venue: 'Casa Patas', lat: 40.4124, lon: -3.7013, startsAt: '2027-04-16T20:00:00Z', category: 'dance', subcategory: 'flamenco', price: eur(25), status: 'cancelled' }),
  at('L1', { source: 'ticketing-api', sourceId: 'tk-5005', title: 'Stand-up Showcase', venue: 'The Comedy Store', city: 'London', country: 'GB', timezone: 'Europe/London', lat: 51.5099, lon: -0.1318, startsAt: '2027-04-03T19:00:00Z', category: 'comedy', subcategory: 'stand-up', price: { min: 12.5, max: 12.5, currency: 'GBP', isFree: false } }),
];

/** The fixture listings of one truth key, in table order. */
export const truthListings = (truth: string): NormalisedListing[] =>
  FIXTURE_WORLD.filter((f) => f.truth === truth).map((f) => f.listing);

/** The catalogue events of PgEventStore's integration test: the fixture world of catalog/fixtures. */
import type { CatalogEvent } from '../../../model/index.ts';

/** A scheduled Berlin concert without coordinates; anything can be overridden. */
export function ev(
  id: string,
  over: Partial<Omit<CatalogEvent, 'venue'>> & { venue?: Partial<CatalogEvent['venue']> },
): CatalogEvent {
  const { venue, ...rest } = over;
  return {
    id,
    title: `Event ${id}`,
    category: 'music',
    subcategory: null,
    startsAt: '2027-03-28T18:00:00Z',
    endsAt: null,
    timezone: 'Europe/Berlin',
    venue: { name: 'Venue', address: null, lat: null, lon: null, ...venue },
    city: 'Berlin',
    country: 'DE',
    price: { min: 10, max: 10, currency: 'EUR', isFree: false },
    status: 'scheduled',
    url: null,
    sources: [{ source: 'test', sourceId: id, url: null }],
    performers: [],
    ...rest,
  };
}

export const eur = (min: number, max = min) => ({ min, max, currency: 'EUR', isFree: false });
const free = { min: 0, max: 0, currency: 'EUR', isFree: true };
const PHILHARMONIE = { name: 'Philharmonie Berlin', lat: 52.5098, lon: 13.37 };
const NATIONALGALERIE = { name: 'Alte Nationalgalerie', lat: 52.5208, lon: 13.3981 };
const MADRID = { timezone: 'Europe/Madrid', city: 'Madrid', country: 'ES' };
const PARIS = { timezone: 'Europe/Paris', city: 'Paris', country: 'FR' };

/** The fixture world of catalog/fixtures/README.md (2027), plus Zürich for an accented city. */
export const WORLD: CatalogEvent[] = [
  ev('b1', {
    title: 'Berliner Philharmoniker: Mahler 5',
    subcategory: 'classical',
    endsAt: '2027-03-28T20:00:00Z',
    venue: PHILHARMONIE,
    price: eur(35, 120),
    performers: ['Berliner Philharmoniker', 'Kirill Petrenko'],
  }),
  ev('b2', {
    title: 'Kammermusik: Schubert-Quintett',
    subcategory: 'classical',
    startsAt: '2027-03-28T09:00:00Z',
    venue: PHILHARMONIE,
    price: eur(25),
  }),
  ev('b3', {
    title: 'Schwanensee',
    category: 'dance',
    subcategory: 'ballet',
    startsAt: '2027-03-30T17:30:00Z',
    venue: { name: 'Staatsoper Unter den Linden', lat: 52.5168, lon: 13.3955 },
    price: eur(40, 150),
    status: 'cancelled',
  }),
  ev('b4', {
    title: 'Führung: Meisterwerke der Romantik',
    category: 'talk',
    subcategory: 'tour',
    startsAt: '2027-03-21T10:00:00Z',
    endsAt: '2027-03-21T11:00:00Z',
    venue: NATIONALGALERIE,
    price: free,
  }),
  ev('b5', {
    title: 'Caspar David Friedrich – Unendliche Landschaften',
    category: 'exhibition',
    subcategory: 'art',
    startsAt: '2027-02-28T23:00:00Z',
    endsAt: '2027-08-01T22:00:00Z',
    venue: NATIONALGALERIE,
    price: eur(14),
  }),
  ev('b6', {
    title: 'Trio Nocturne – Jazz im A-Trane',
    subcategory: 'jazz',
    startsAt: '2027-03-27T20:30:00Z',
    venue: { name: 'A-Trane', lat: 52.5063, lon: 13.3185 },
    price: eur(19, 25),
  }),
  ev('p1', {
    ...PARIS,
    title: 'Le Misanthrope',
    category: 'theatre',
    subcategory: 'drama',
    startsAt: '2027-04-02T18:30:00Z',
    venue: { name: 'Comédie-Française – Salle Richelieu', lat: 48.8634, lon: 2.3364 },
    price: eur(15, 45),
    performers: ['Troupe nationale de la Comédie-Française'],
  }),
  ev('p2', {
    ...PARIS,
    title: "Matisse, l'atelier rouge",
    category: 'exhibition',
    subcategory: 'art',
    startsAt: '2027-03-09T23:00:00Z',
    endsAt: '2027-06-20T22:00:00Z',
    venue: { name: "Musée d'Orsay", lat: 48.86, lon: 2.3266 },
    price: eur(16),
  }),
  ev('p3', {
    ...PARIS,
    title: 'Le Printemps des Poètes : lectures au jardin',
    category: 'festival',
    subcategory: 'literature',
    startsAt: '2027-03-12T23:00:00Z',
    endsAt: '2027-03-15T23:00:00Z',
    venue: { name: 'Jardin du Luxembourg', lat: 48.8462, lon: 2.3372 },
    price: free,
  }),
  ev('p4', {
    ...PARIS,
    title: 'Soirée stand-up au Point Virgule',
    category: 'comedy',
    subcategory: 'stand-up',
    startsAt: '2027-04-09T19:00:00Z',
    venue: { name: 'Le Point Virgule', lat: 48.8577, lon: 2.355 },
    price: eur(20),
    status: 'postponed',
  }),
  ev('m1', {
    ...MADRID,
    title: 'Carmen',
    subcategory: 'opera',
    startsAt: '2027-04-15T17:30:00Z',
    venue: { name: 'Teatro Real', lat: 40.4184, lon: -3.7109 },
    price: eur(15.5, 120),
    performers: ['Ivor Bolton (dirección musical)'],
  }),
  ev('m2', {
    ...MADRID,
    title: 'Sorolla: luz del Mediterráneo',
    category: 'exhibition',
    subcategory: 'art',
    startsAt: '2027-01-31T23:00:00Z',
    endsAt: '2027-05-31T22:00:00Z',
    venue: { name: 'Museo del Prado' },
    price: eur(15),
  }),
  ev('m3', {
    ...MADRID,
    title: 'Maratón de cine nocturno',
    category: 'cinema',
    startsAt: '2027-03-28T01:30:00Z',
    venue: { name: 'Cine Doré', lat: 40.4115, lon: -3.6989 },
    price: free,
  }),
  ev('l1', {
    title: 'Stand-up Showcase',
    category: 'comedy',
    subcategory: 'stand-up',
    startsAt: '2027-04-03T19:00:00Z',
    timezone: 'Europe/London',
    city: 'London',
    country: 'GB',
    venue: { name: 'The Comedy Store', lat: 51.5099, lon: -0.1318 },
    price: { min: 12.5, max: 12.5, currency: 'GBP', isFree: false },
  }),
  ev('z1', {
    title: 'Tonhalle-Orchester: Bruckner 7',
    subcategory: 'classical',
    startsAt: '2027-04-22T18:30:00Z',
    timezone: 'Europe/Zurich',
    city: 'Zürich',
    country: 'CH',
    venue: { name: 'Tonhalle Zürich', lat: 47.3656, lon: 8.533 },
    price: eur(30, 110),
  }),
];

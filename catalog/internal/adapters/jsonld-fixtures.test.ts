import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSourcesFile } from '../sources-config.ts';
import type { AdapterResult } from './adapter.ts';
import { jsonldAdapter } from './jsonld.ts';

const config = fileURLToPath(new URL('../../../configs/sources.yaml', import.meta.url));
const { sources } = loadSourcesFile(config);

/** Reads a fixture with its source's defaults from the shipped sources.yaml. */
function parseFixture(source: string): AdapterResult {
  const s = sources.find((x) => x.name === source)!;
  const path = fileURLToPath(new URL(`../../../configs/${s.path!}`, import.meta.url));
  return jsonldAdapter.parse(
    { body: readFileSync(path, 'utf8'), contentType: 'text/html', location: path },
    { source, defaults: s.defaults, horizon: { fromMs: 0, toMs: 0 } },
  );
}

const offer = (o: Record<string, unknown>) => ({
  price: null,
  lowPrice: null,
  highPrice: null,
  currency: 'EUR',
  ...o,
});

describe('kulturkalender-berlin.html', () => {
  const result = parseFixture('kulturkalender-berlin');
  const kk = 'https://www.kulturkalender-berlin.example';
  const aTrane = {
    name: 'A-Trane',
    address: 'Pestalozzistraße 105',
    postalCode: '10625',
    city: 'Berlin',
    country: 'DE',
    lat: 52.50628,
    lon: 13.31853,
  };
  const trio = (id: string, start: string, description: string) => ({
    sourceId: `${kk}/termine/${id}#event`,
    draft: {
      title: 'Trio Nocturne – Jazz im A-Trane',
      description,
      start,
      end: null,
      allDay: false,
      timezone: 'Europe/Berlin',
      venue: aTrane,
      categories: ['MusicEvent', 'Jazz'],
      priceText: null,
      offers: [offer({ price: 'ab 19,00 €' })],
      status: 'EventScheduled',
      url: `${kk}/termine/${id}`,
      performers: ['Trio Nocturne'],
      language: 'de',
    },
  });

  it('reads the four Events of the @graph, B1, B5, B6 and B7, as the page states them', () => {
    expect(result.listings).toEqual([
      {
        sourceId: `${kk}/termine/40117#event`,
        draft: {
          title: 'Mahler: Sinfonie Nr. 5 – Berliner Philharmoniker',
          description: 'Gustav Mahlers Fünfte mit dem berühmten Adagietto. Konzerteinführung 19 Uhr.',
          start: '2027-03-28T20:00:00+02:00',
          end: '2027-03-28T22:00:00+02:00',
          allDay: false,
          timezone: 'Europe/Berlin',
          venue: {
            name: 'Philharmonie Berlin, Großer Saal',
            address: 'Herbert-von-Karajan-Straße 1',
            postalCode: '10785',
            city: 'Berlin',
            country: 'DE',
            lat: 52.50984,
            lon: 13.36996,
          },
          categories: ['MusicEvent', 'Klassik'],
          priceText: null,
          offers: [offer({ lowPrice: 35, highPrice: 120 })],
          status: 'EventScheduled',
          url: `${kk}/termine/40117`,
          performers: ['Berliner Philharmoniker'],
          language: 'de',
        },
      },
      {
        sourceId: `${kk}/ausstellungen/caspar-david-friedrich#event`,
        draft: {
          title: 'Caspar David Friedrich. Unendliche Landschaften',
          description:
            'Die große Sonderausstellung zum Maler der Romantik: Gemälde und Zeichnungen aus allen Schaffensphasen.',
          start: '2027-03-01',
          end: '2027-08-01',
          allDay: true,
          timezone: 'Europe/Berlin',
          venue: {
            name: 'Alte Nationalgalerie',
            address: 'Bodestraße 1–3',
            postalCode: '10178',
            city: 'Berlin',
            country: 'DE',
            lat: 52.52083,
            lon: 13.39807,
          },
          categories: ['ExhibitionEvent', 'Ausstellung', 'Kunst'],
          priceText: null,
          offers: [offer({ price: '14.00' })],
          status: 'EventScheduled',
          url: `${kk}/ausstellungen/caspar-david-friedrich`,
          performers: [],
          language: 'de',
        },
      },
      trio(
        '40231',
        '2027-03-27T21:30:00+01:00',
        'Modern Jazz mit Klavier, Kontrabass und Schlagzeug. Einlass 21 Uhr.',
      ),
      trio(
        '40232',
        '2027-03-28T21:30:00',
        'Zweiter Abend mit Trio Nocturne: neues Programm, gleiche Besetzung.',
      ),
    ]);
  });

  it('rejects the reading without a startDate, by its @id', () => {
    expect(result.rejected).toEqual([
      { sourceId: `${kk}/termine/40309#event`, reason: 'startDate: missing' },
    ]);
  });
});

describe('paris-sorties.html', () => {
  const result = parseFixture('paris-sorties');
  const byTitle = new Map(result.listings.map((l) => [l.draft.title, l]));

  it('reads the top-level array and the CDATA-wrapped block: P2, P3 and P4', () => {
    expect([...byTitle.keys()]).toEqual([
      "Matisse – L'Atelier rouge",
      'Printemps des Poètes 2027 – lectures au jardin',
      'Soirée stand-up au Point Virgule',
    ]);
    expect(result.rejected).toEqual([]);
  });

  it('reads P2 as an all-day exhibition at the Musée d’Orsay', () => {
    const p2 = byTitle.get("Matisse – L'Atelier rouge")!;
    expect(p2.sourceId).toBe('https://sorties.paris.example/expositions/matisse-atelier-rouge');
    expect(p2.draft).toMatchObject({
      start: '2027-03-10',
      end: '2027-06-20',
      allDay: true,
      categories: ['ExhibitionEvent', 'Exposition', 'Art'],
      offers: [offer({ price: 16 })],
      status: null,
      language: 'fr',
      venue: {
        name: "Musée d'Orsay",
        address: "1 rue de la Légion d'Honneur",
        postalCode: '75007',
        city: 'Paris',
        country: 'FR',
        lat: 48.85998,
        lon: 2.32656,
      },
    });
  });

  it('reads P3, free to enter, as an offer of 0 in the default currency', () => {
    expect(byTitle.get('Printemps des Poètes 2027 – lectures au jardin')!.draft).toMatchObject({
      start: '2027-03-13',
      end: '2027-03-15',
      allDay: true,
      categories: ['Festival', 'poésie', 'lecture'],
      offers: [offer({ price: 0 })],
      venue: { name: 'Jardin du Luxembourg', address: null, postalCode: '75006', city: 'Paris' },
    });
  });

  it('reads P4 as postponed, with its string and Person performers', () => {
    expect(byTitle.get('Soirée stand-up au Point Virgule')!.draft).toMatchObject({
      start: '2027-04-09T21:00:00+02:00',
      end: null,
      allDay: false,
      status: 'EventPostponed',
      categories: ['ComedyEvent'],
      offers: [offer({ price: '20' })],
      performers: ['Nora Belkacem', 'Julien Morel', 'Sacha Lemaire'],
      language: 'fr',
      venue: { name: 'Le Point Virgule', lat: 48.85772, lon: 2.35497 },
    });
  });
});

describe('madrid-agenda.html', () => {
  const result = parseFixture('madrid-agenda');
  const [m1, m2, m3] = result.listings;

  it('reads the three Events nested in the ItemList, and nothing else', () => {
    expect(result.listings.map((l) => l.draft.title)).toEqual([
      'Carmen',
      'Sorolla. Luz del Mediterráneo',
      'Maratón de cine nocturno',
    ]);
    expect(result.rejected).toEqual([]);
  });

  it('reads M1’s AggregateOffer and its Country object', () => {
    expect(m1!.draft).toMatchObject({
      start: '2027-04-15T19:30:00+02:00',
      categories: ['MusicEvent', 'Ópera'],
      offers: [offer({ lowPrice: 15.5, highPrice: 120 })],
      performers: ['Coro y Orquesta Titulares del Teatro Real'],
      venue: { name: 'Teatro Real', country: 'ES', lat: 40.41838, lon: -3.71093 },
    });
  });

  it('keeps M2’s address string whole, without coordinates, the city from the defaults', () => {
    expect(m2!.draft.venue).toEqual({
      name: 'Museo del Prado',
      address: 'Calle de Ruiz de Alarcón, 23, 28014 Madrid',
      postalCode: null,
      city: 'Madrid',
      country: 'ES',
      lat: null,
      lon: null,
    });
    expect(m2!.draft).toMatchObject({
      start: '2027-02-01',
      end: '2027-05-31',
      allDay: true,
      categories: ['ExhibitionEvent', 'Exposición', 'Arte'],
      offers: [offer({ price: '15' })],
    });
  });

  it('passes M3’s local time in the spring gap on unchanged, at the first physical place', () => {
    expect(m3!.draft).toMatchObject({
      start: '2027-03-28T02:30:00',
      timezone: 'Europe/Madrid',
      allDay: false,
      categories: ['ScreeningEvent', 'Cine'],
      offers: [offer({ price: 0 })],
      venue: { name: 'Cine Doré', address: 'Calle de Santa Isabel, 3', lat: 40.41148 },
    });
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSourcesFile } from '../sources-config.ts';
import type { AdapterResult, SourceAdapter } from './adapter.ts';
import { csvAdapter, jsonAdapter } from './mapped.ts';

const config = fileURLToPath(new URL('../../../configs/sources.yaml', import.meta.url));
const { sources } = loadSourcesFile(config);

/** Reads a fixture with its source's defaults and mapping from the shipped sources.yaml. */
function parseFixture(adapter: SourceAdapter, source: string): AdapterResult {
  const s = sources.find((x) => x.name === source)!;
  const path = fileURLToPath(new URL(`../../../configs/${s.path!}`, import.meta.url));
  return adapter.parse(
    { body: readFileSync(path, 'utf8'), contentType: null, location: path },
    { source, defaults: s.defaults, horizon: { fromMs: 0, toMs: 0 }, mapping: s.mapping },
  );
}

describe('ticketing-api.json with its sources.yaml mapping', () => {
  const result = parseFixture(jsonAdapter, 'ticketing-api');
  const rows = result.listings.map((l) => [
    l.sourceId,
    l.draft.title,
    l.draft.start,
    l.draft.priceText,
    l.draft.categories,
    l.draft.venue.city,
    l.draft.venue.country,
  ]);

  it('reads the six events of data.events, UTC starts and price texts as written', () => {
    expect(rows).toEqual([
      [
        '100231',
        'Berliner Philharmoniker - Mahler Symphony No. 5',
        '2027-03-28T18:00:00Z',
        '35-120 EUR',
        ['Classical'],
        'Berlin',
        'DE',
      ],
      [
        '100987',
        'Trio Nocturne live at A-Trane',
        '2027-03-27T20:30:00Z',
        '19-25 EUR',
        ['Jazz'],
        'Berlin',
        'DE',
      ],
      ['101502', 'Le Misanthrope (Molière)', '2027-04-02T18:30:00Z', '15-45 EUR', ['Theatre'], 'Paris', 'FR'],
      [
        '102210',
        'Carmen (Bizet) – Teatro Real',
        '2027-04-15T17:30:00Z',
        '15.50-120 EUR',
        ['Opera'],
        'Madrid',
        'ES',
      ],
      ['103044', 'Stand-up Showcase', '2027-04-03T19:00:00Z', '£12.50', ['Comedy'], null, 'GB'],
      [
        '103377',
        'Beneath the Thames: An Immersive Journey',
        '2027-05-14T18:00:00Z',
        '£35',
        ['Immersive experience'],
        'London',
        'GB',
      ],
    ]);
    expect(result.rejected).toEqual([]);
  });

  it('reads B1 in full: nested venue, geo, lineup names, no zone (the times are UTC)', () => {
    expect(result.listings[0]!.draft).toEqual({
      title: 'Berliner Philharmoniker - Mahler Symphony No. 5',
      description: "Mahler's Fifth Symphony, with the famous Adagietto.",
      start: '2027-03-28T18:00:00Z',
      end: '2027-03-28T20:00:00Z',
      allDay: false,
      timezone: null,
      venue: {
        name: 'Philharmonie',
        address: 'Herbert-von-Karajan-Strasse 1',
        postalCode: '10785',
        city: 'Berlin',
        country: 'DE',
        lat: 52.5096,
        lon: 13.3703,
      },
      categories: ['Classical'],
      priceText: '35-120 EUR',
      offers: [],
      status: 'onsale',
      url: 'https://tickets.example.com/events/100231',
      performers: ['Berliner Philharmoniker'],
      language: 'en',
    });
  });

  it('reads L1 without a city but with its coordinates, and P1 at "Comedie Francaise"', () => {
    expect(result.listings[4]!.draft.venue).toEqual({
      name: 'The Comedy Store',
      address: '1a Oxendon St',
      postalCode: 'SW1Y 4EE',
      city: null,
      country: 'GB',
      lat: 51.5099,
      lon: -0.1318,
    });
    expect(result.listings[2]!.draft.venue.name).toBe('Comedie Francaise');
  });
});

describe('madrid-export.csv with its sources.yaml mapping', () => {
  const result = parseFixture(csvAdapter, 'madrid-export');
  const byId = new Map(result.listings.map((l) => [l.sourceId, l.draft]));

  it('reads four rows and rejects the one dated 32/13/2027, naming the column', () => {
    expect([...byId.keys()]).toEqual(['MAD-0412', 'MAD-0388', 'MAD-0530', 'MAD-0471']);
    expect(result.rejected).toEqual([
      {
        sourceId: 'MAD-0502',
        reason: 'start (fecha): "32/13/2027" is not a date in the format dd/MM/yyyy',
      },
    ]);
  });

  it('reads M1 in full: date and time joined as a local time, comma-decimal coordinates', () => {
    expect(byId.get('MAD-0412')).toEqual({
      title: 'Carmen, de Georges Bizet',
      description: 'Ópera en cuatro actos; libreto de Meilhac y Halévy.\r\nDuración aproximada: 3 h 15 min.',
      start: '2027-04-15T19:30:00',
      end: null,
      allDay: false,
      timezone: 'Europe/Madrid',
      venue: {
        name: 'Teatro Real',
        address: 'Plaza de Isabel II s/n',
        postalCode: null,
        city: 'Madrid',
        country: 'ES',
        lat: 40.4185,
        lon: -3.7108,
      },
      categories: ['Ópera'],
      priceText: '15,50 - 120 €',
      offers: [],
      status: 'Confirmado',
      url: 'https://datos.madrid.example/agenda/MAD-0412',
      performers: [],
      language: 'es',
    });
  });

  it('reads M2 with a blank time as all day, with its end date', () => {
    expect(byId.get('MAD-0388')).toMatchObject({
      title: 'Exposición: Sorolla, luz del Mediterráneo',
      start: '2027-02-01',
      end: '2027-05-31',
      allDay: true,
      categories: ['Exposición'],
      priceText: '15 €',
    });
  });

  it('passes M4’s ambiguous autumn time on as local, and M5’s status as written', () => {
    expect(byId.get('MAD-0530')).toMatchObject({
      start: '2027-10-31T02:30:00',
      categories: ['Cine clásico'],
      priceText: '4,50 €',
      venue: { lat: 40.4116, lon: -3.699 },
    });
    expect(byId.get('MAD-0471')).toMatchObject({
      title: 'Flamenco en Casa Patas',
      start: '2027-04-16T22:00:00',
      status: 'Cancelado',
      categories: ['Flamenco'],
      priceText: '25 €',
    });
  });
});

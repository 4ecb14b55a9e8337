import { describe, expect, it } from 'vitest';
import type { SourceDefaults } from '../sources-config.ts';
import type { AdapterResult } from './adapter.ts';
import { jsonldAdapter } from './jsonld.ts';

const DEFAULTS: SourceDefaults = {
  timezone: 'Europe/Berlin',
  country: 'DE',
  city: 'Berlin',
  currency: 'EUR',
  language: 'de',
};

function parse(body: string, location: string | null = null, defaults = DEFAULTS): AdapterResult {
  return jsonldAdapter.parse(
    { body, contentType: 'text/html', location },
    { source: 'test', defaults, horizon: { fromMs: 0, toMs: 0 } },
  );
}

const script = (json: unknown, open = '<script type="application/ld+json">') =>
  `${open}${typeof json === 'string' ? json : JSON.stringify(json)}</script>`;

const event = (extra: Record<string, unknown> = {}) => ({
  '@context': 'https://schema.org',
  '@type': 'Event',
  '@id': 'e1',
  name: 'Konzert',
  startDate: '2027-05-01T20:00:00+02:00',
  ...extra,
});

const only = (r: AdapterResult) => {
  expect(r.rejected).toEqual([]);
  expect(r.listings).toHaveLength(1);
  return r.listings[0]!;
};

describe('finding JSON-LD blocks', () => {
  it.each([
    ['single quotes and other attributes first', `<script id="x" type='application/ld+json'>`],
    ['no quotes', '<script type=application/ld+json>'],
    ['upper case and a parameter', '<SCRIPT TYPE="Application/LD+JSON; charset=utf-8" async>'],
  ])('reads a script tag with %s', (_name, open) => {
    expect(only(parse(script(event(), open))).draft.title).toBe('Konzert');
  });

  it('ignores other scripts, and a data-type attribute that only looks like the type', () => {
    const html = `${script(event(), '<script data-type="application/ld+json">')}
      <script>var x = ${JSON.stringify(event())};</script>`;
    expect(parse(html)).toEqual({ listings: [], rejected: [] });
  });

  it.each([
    ['an HTML comment', (j: string) => `<!--\n${j}\n//-->`],
    ['a CDATA section behind line comments', (j: string) => `//<![CDATA[\n${j}\n//]]>`],
    ['a CDATA section in block comments', (j: string) => `/*<![CDATA[*/${j}/*]]>*/`],
    ['a CDATA section inside a comment', (j: string) => `<!--<![CDATA[${j}]]>-->`],
  ])('unwraps JSON from %s', (_name, wrap) => {
    expect(only(parse(script(wrap(JSON.stringify(event()))))).draft.title).toBe('Konzert');
  });

  it('rejects a block of invalid JSON by its number and still reads the other blocks', () => {
    const html = [
      script(event({ '@id': 'a' })),
      script('{"@type": "Event", "name": "Kaputt",'),
      script(event({ '@id': 'b' })),
    ].join('\n');
    const r = parse(html);
    expect(r.listings.map((l) => l.sourceId)).toEqual(['a', 'b']);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]!.sourceId).toBeNull();
    expect(r.rejected[0]!.reason).toMatch(/^JSON-LD block 2: invalid JSON: /);
  });

  it('accepts raw line breaks inside strings, which templates often leave', () => {
    const json = '{"@type":"Event","@id":"e","name":"Zwei\nZeilen","startDate":"2027-05-01"}';
    expect(only(parse(script(json))).draft.title).toBe('Zwei\nZeilen');
  });

  it('reads a bare JSON-LD document without any HTML around it', () => {
    expect(only(parse(JSON.stringify(event()))).sourceId).toBe('e1');
  });
});

describe('finding Events', () => {
  it('finds Events in a top-level array, an @graph and an ItemList, skipping other types', () => {
    const html = [
      script([event({ '@id': 'a' }), { '@type': 'Organization', name: 'Verlag' }]),
      script({ '@graph': [{ '@type': 'WebPage', mainEntity: event({ '@id': 'b' }) }] }),
      script({
        '@type': 'ItemList',
        itemListElement: [{ '@type': 'ListItem', position: 1, item: event({ '@id': 'c' }) }],
      }),
    ].join('');
    expect(parse(html).listings.map((l) => l.sourceId)).toEqual(['a', 'b', 'c']);
  });

  it('reads a Festival and its subEvents, but not an Event’s superEvent', () => {
    const festival = event({
      '@type': 'Festival',
      '@id': 'f',
      subEvent: [event({ '@id': 's1', superEvent: event({ '@id': 'parent' }) })],
    });
    expect(parse(script(festival)).listings.map((l) => l.sourceId)).toEqual(['f', 's1']);
  });

  it.each([
    ['a full URL', 'https://schema.org/TheaterEvent', ['TheaterEvent']],
    ['an http URL', 'http://schema.org/DanceEvent', ['DanceEvent']],
    ['a prefixed name', 'schema:ChildrensEvent', ['ChildrensEvent']],
    ['an array', ['VisualArtsEvent', 'Event'], ['VisualArtsEvent']],
    ['plain Event', 'Event', []],
  ])('accepts @type as %s and keeps the subtype as a category term', (_n, type, terms) => {
    expect(only(parse(script(event({ '@type': type })))).draft.categories).toEqual(terms);
  });
});

describe('reading an Event', () => {
  it('rejects an Event without name or startDate, naming both', () => {
    const r = parse(script({ '@type': 'MusicEvent', url: 'https://x.example/e' }));
    expect(r).toEqual({
      listings: [],
      rejected: [{ sourceId: 'https://x.example/e', reason: 'name: missing; startDate: missing' }],
    });
  });

  it('fills the defaults where the document is silent', () => {
    expect(only(parse(script(event({ location: 'Tempodrom' })))).draft).toEqual({
      title: 'Konzert',
      description: null,
      start: '2027-05-01T20:00:00+02:00',
      end: null,
      allDay: false,
      timezone: 'Europe/Berlin',
      venue: {
        name: 'Tempodrom',
        address: null,
        postalCode: null,
        city: 'Berlin',
        country: 'DE',
        lat: null,
        lon: null,
      },
      categories: [],
      priceText: null,
      offers: [],
      status: null,
      url: null,
      performers: [],
      language: 'de',
    });
  });

  it('marks a date-only start as all day and keeps the end date as given (inclusive)', () => {
    const d = only(parse(script(event({ startDate: '2027-06-01', endDate: '2027-06-03' })))).draft;
    expect([d.start, d.end, d.allDay]).toEqual(['2027-06-01', '2027-06-03', true]);
  });

  it('splits a plain-string location into name and address, as iCal LOCATION', () => {
    const d = only(parse(script(event({ location: 'SO36, Oranienstraße 190, 10999 Berlin' })))).draft;
    expect(d.venue).toMatchObject({ name: 'SO36', address: 'Oranienstraße 190, 10999 Berlin' });
  });

  it('takes the first physical Place of a location list, with geo given as strings', () => {
    const location = [
      { '@type': 'VirtualLocation', url: 'https://stream.example' },
      {
        '@type': 'Place',
        name: 'Tempodrom',
        address: {
          '@type': 'PostalAddress',
          addressLocality: 'Potsdam',
          addressCountry: { '@type': 'Country', name: 'Deutschland' },
        },
        geo: { '@type': 'GeoCoordinates', latitude: '52.5', longitude: '13.38' },
      },
    ];
    expect(only(parse(script(event({ location })))).draft.venue).toEqual({
      name: 'Tempodrom',
      address: null,
      postalCode: null,
      city: 'Potsdam',
      country: 'Deutschland',
      lat: 52.5,
      lon: 13.38,
    });
  });

  it('reads a PostalAddress given as the location, and drops out-of-range coordinates', () => {
    const a = { '@type': 'PostalAddress', streetAddress: 'Hauptstr. 1', postalCode: '10827' };
    expect(only(parse(script(event({ location: a })))).draft.venue).toMatchObject({
      name: null,
      address: 'Hauptstr. 1',
      postalCode: '10827',
    });
    const far = { '@type': 'Place', name: 'X', geo: { latitude: 152.5, longitude: 13.4 } };
    expect(only(parse(script(event({ location: far })))).draft.venue).toMatchObject({
      lat: null,
      lon: null,
    });
  });

  it('reads a list of offers, a price specification, and fills the default currency', () => {
    const offers = [
      { '@type': 'Offer', price: '25,00', priceCurrency: 'CHF' },
      { '@type': 'Offer', priceSpecification: { price: 12, priceCurrency: 'EUR' } },
      { '@type': 'AggregateOffer', lowPrice: '10', highPrice: '30' },
      { '@type': 'Offer', url: 'https://tickets.example' },
    ];
    expect(only(parse(script(event({ offers })))).draft.offers).toEqual([
      { price: '25,00', lowPrice: null, highPrice: null, currency: 'CHF' },
      { price: 12, lowPrice: null, highPrice: null, currency: 'EUR' },
      { price: null, lowPrice: '10', highPrice: '30', currency: 'EUR' },
    ]);
  });

  it('reads isAccessibleForFree without offers as an offer of 0, but not over a real price', () => {
    const free = only(parse(script(event({ isAccessibleForFree: 'True' })))).draft.offers;
    expect(free).toEqual([{ price: 0, lowPrice: null, highPrice: null, currency: 'EUR' }]);
    const priced = event({ isAccessibleForFree: true, offers: { price: 5, priceCurrency: 'EUR' } });
    expect(only(parse(script(priced))).draft.offers).toEqual([
      { price: 5, lowPrice: null, highPrice: null, currency: 'EUR' },
    ]);
  });

  it.each([
    ['a URL', 'https://schema.org/EventCancelled', 'EventCancelled'],
    ['a short name', 'EventRescheduled', 'EventRescheduled'],
    ['a node reference', { '@id': 'http://schema.org/EventMovedOnline' }, 'EventMovedOnline'],
  ])('reads eventStatus given as %s as its short name', (_n, eventStatus, status) => {
    expect(only(parse(script(event({ eventStatus })))).draft.status).toBe(status);
  });

  it('reads performers as strings, nodes, one or many, without repeats', () => {
    const performer = ['Anna', { '@type': 'Person', name: 'Ben' }, { '@type': 'MusicGroup', name: 'Anna' }];
    expect(only(parse(script(event({ performer })))).draft.performers).toEqual(['Anna', 'Ben']);
    const one = { '@type': 'Organization', name: 'Ensemble X' };
    expect(only(parse(script(event({ performer: one })))).draft.performers).toEqual(['Ensemble X']);
  });

  it('reads the subtype first, then genre and comma-separated keywords, as category terms, once each', () => {
    const e = event({ '@type': 'MusicEvent', genre: ['Jazz', 'Swing'], keywords: 'Konzert, Jazz ,Live' });
    expect(only(parse(script(e))).draft.categories).toEqual([
      'MusicEvent',
      'Jazz',
      'Swing',
      'Konzert',
      'Live',
    ]);
  });

  it('reads inLanguage as a two-letter code, else the default language', () => {
    expect(only(parse(script(event({ inLanguage: 'fr-FR' })))).draft.language).toBe('fr');
    const node = { '@type': 'Language', name: 'English', alternateName: 'en' };
    expect(only(parse(script(event({ inLanguage: node })))).draft.language).toBe('en');
    expect(only(parse(script(event({ inLanguage: 'English' })))).draft.language).toBe('de');
  });

  it('decodes HTML entities a template left in the strings', () => {
    const e = event({ name: 'Kunst &amp; Musik &#8211; L&#039;Été', location: { name: 'Caf&eacute;' } });
    const d = only(parse(script(e))).draft;
    expect(d.title).toBe("Kunst & Musik – L'Été");
    expect(d.venue.name).toBe('Caf&eacute;');
  });
});

describe('source ids', () => {
  it('uses @id, else url, made absolute against an http page', () => {
    const html = script([event({ '@id': '#e1' }), event({ '@id': '_:b0', url: '/termine/2' })]);
    expect(parse(html, 'https://kk.example/tipps').listings.map((l) => l.sourceId)).toEqual([
      'https://kk.example/tipps#e1',
      'https://kk.example/termine/2',
    ]);
  });

  it('hashes name, start and location name when the Event has no id, stably', () => {
    const noId = (startDate: string) =>
      event({ '@id': undefined, startDate, location: { '@type': 'Place', name: 'SO36' } });
    const a = only(parse(script(noId('2027-05-01')))).sourceId;
    expect(a).toMatch(/^h-[0-9a-f]{20}$/);
    expect(only(parse(script(noId('2027-05-01')))).sourceId).toBe(a);
    expect(only(parse(script(noId('2027-05-02')))).sourceId).not.toBe(a);
  });

  it('appends the start to an id shared by several dates, and keeps an exact repeat once', () => {
    const html = script([
      event({ '@id': undefined, url: 'https://x.example/trio', startDate: '2027-03-27T21:30' }),
      event({ '@id': undefined, url: 'https://x.example/trio', startDate: '2027-03-28T21:30' }),
      event({ '@id': undefined, url: 'https://x.example/trio', startDate: '2027-03-28T21:30' }),
    ]);
    expect(parse(html).listings.map((l) => l.sourceId)).toEqual([
      'https://x.example/trio@2027-03-27T21:30',
      'https://x.example/trio@2027-03-28T21:30',
    ]);
  });
});

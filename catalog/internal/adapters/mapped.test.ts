import { describe, expect, it } from 'vitest';
import { FieldMapping, type SourceDefaults } from '../sources-config.ts';
import type { AdapterResult, SourceAdapter } from './adapter.ts';
import { csvAdapter, jsonAdapter } from './mapped.ts';

const DEFAULTS: SourceDefaults = { timezone: 'Europe/Madrid', country: 'ES', currency: 'EUR' };

function run(
  adapter: SourceAdapter,
  body: string,
  mapping: unknown,
  defaults: SourceDefaults = DEFAULTS,
): AdapterResult {
  return adapter.parse(
    { body, contentType: null, location: null },
    {
      source: 'test',
      defaults,
      horizon: { fromMs: 0, toMs: 0 },
      mapping: FieldMapping.parse(mapping),
    },
  );
}

const json = (records: unknown, mapping: unknown, defaults?: SourceDefaults) =>
  run(jsonAdapter, JSON.stringify(records), mapping, defaults);
const csv = (text: string, mapping: unknown) => run(csvAdapter, text, mapping);

const only = (r: AdapterResult) => {
  expect(r.rejected).toEqual([]);
  expect(r.listings).toHaveLength(1);
  return r.listings[0]!;
};

describe('jsonAdapter', () => {
  const basic = { fields: { sourceId: 'id', title: 'name', start: 'when' } };

  it('reads records at the document root when no records path is given', () => {
    const r = json([{ id: 1, name: 'A', when: '2027-05-01T20:00:00Z' }], basic);
    expect(only(r)).toEqual({
      sourceId: '1',
      draft: {
        title: 'A',
        description: null,
        start: '2027-05-01T20:00:00Z',
        end: null,
        allDay: false,
        timezone: 'Europe/Madrid',
        venue: {
          name: null,
          address: null,
          postalCode: null,
          city: null,
          country: 'ES',
          lat: null,
          lon: null,
        },
        categories: [],
        priceText: null,
        offers: [],
        status: null,
        url: null,
        performers: [],
        language: null,
      },
    });
  });

  it('rejects a record without title or start by its field, and keeps the others', () => {
    const r = json(
      {
        items: [
          { id: 'a', when: '2027-05-01' },
          { name: 'B', when: ' ' },
          { id: 'c', name: 'C', when: '2027-05-03' },
        ],
      },
      { ...basic, records: 'items' },
    );
    expect(r.listings.map((l) => l.sourceId)).toEqual(['c']);
    expect(r.rejected).toEqual([
      { sourceId: 'a', reason: 'title (name): missing' },
      { sourceId: null, reason: 'start (when): missing (items[1])' },
    ]);
  });

  it('rejects the document when it is not JSON or its records are not an array', () => {
    expect(run(jsonAdapter, '{"a":', basic).rejected[0]!.reason).toMatch(/^invalid JSON: /);
    expect(json({ data: { events: {} } }, { ...basic, records: 'data.events' })).toEqual({
      listings: [],
      rejected: [{ sourceId: null, reason: 'records (data.events): not an array' }],
    });
  });

  it('reads indexed, every-element and dotted-key paths', () => {
    const record = {
      name: 'A',
      dates: [{ start: '2027-05-01' }],
      lineup: [{ name: 'X' }, { name: 'Y' }, { role: 'crew' }],
      'venue.name': 'Sala Clamores',
    };
    const mapping = {
      fields: {
        title: 'name',
        start: 'dates[0].start',
        performers: 'lineup[].name',
        'venue.name': 'venue.name',
      },
    };
    const d = only(json([record], mapping)).draft;
    expect([d.start, d.allDay, d.performers, d.venue.name]).toEqual([
      '2027-05-01',
      true,
      ['X', 'Y'],
      'Sala Clamores',
    ]);
  });

  it('builds one offer from structured prices, in the record’s currency or the default', () => {
    const mapping = {
      fields: { title: 'n', start: 's', lowPrice: 'p.min', highPrice: 'p.max', currency: 'p.cur' },
    };
    const withCur = json([{ n: 'A', s: '2027-05-01', p: { min: 10, max: '20', cur: 'GBP' } }], mapping);
    expect(only(withCur).draft.offers).toEqual([
      { price: null, lowPrice: 10, highPrice: '20', currency: 'GBP' },
    ]);
    const noCur = json([{ n: 'A', s: '2027-05-01', p: { min: 10 } }], mapping);
    expect(only(noCur).draft.offers).toEqual([
      { price: null, lowPrice: 10, highPrice: null, currency: 'EUR' },
    ]);
    expect(only(json([{ n: 'A', s: '2027-05-01' }], mapping)).draft.offers).toEqual([]);
  });

  it('reads categories from an array, or from a string split on the list separator', () => {
    const mapping = { listSeparator: '|', fields: { title: 'n', start: 's', categories: 'c' } };
    expect(
      only(json([{ n: 'A', s: '2027-05-01', c: ['Rock', ' Pop ', 'Rock'] }], mapping)).draft.categories,
    ).toEqual(['Rock', 'Pop']);
    expect(only(json([{ n: 'A', s: '2027-05-01', c: 'Rock | Indie' }], mapping)).draft.categories).toEqual([
      'Rock',
      'Indie',
    ]);
  });

  it('keeps both coordinates or neither, and drops ones out of range', () => {
    const mapping = { fields: { title: 'n', start: 's', 'venue.lat': 'lat', 'venue.lon': 'lon' } };
    const venue = (lat: unknown, lon: unknown) =>
      only(json([{ n: 'A', s: '2027-05-01', lat, lon }], mapping)).draft.venue;
    expect(venue('40.41', -3.7)).toMatchObject({ lat: 40.41, lon: -3.7 });
    expect(venue(40.41, null)).toMatchObject({ lat: null, lon: null });
    expect(venue(91, -3.7)).toMatchObject({ lat: null, lon: null });
    expect(venue('north', -3.7)).toMatchObject({ lat: null, lon: null });
  });

  it('gives a record without an id a stable hash of title, start and venue', () => {
    const mapping = { fields: { title: 'n', start: 's', 'venue.name': 'v' } };
    const id = (s: string) => only(json([{ n: 'A', s, v: 'Sala' }], mapping)).sourceId;
    expect(id('2027-05-01')).toMatch(/^h-[0-9a-f]{20}$/);
    expect(id('2027-05-01')).toBe(id('2027-05-01'));
    expect(id('2027-05-02')).not.toBe(id('2027-05-01'));
  });

  it('rejects the document when the source has no mapping', () => {
    const r = jsonAdapter.parse(
      { body: '[]', contentType: null, location: null },
      { source: 'x', defaults: {}, horizon: { fromMs: 0, toMs: 0 } },
    );
    expect(r.rejected).toEqual([{ sourceId: null, reason: 'json sources need a field mapping' }]);
  });
});

describe('csvAdapter', () => {
  const madrid = {
    delimiter: ';',
    dateFormat: 'dd/MM/yyyy',
    timeFormat: 'HH:mm',
    decimalSeparator: ',',
    fields: {
      sourceId: 'id',
      title: 'titulo',
      start: 'fecha',
      startTime: 'hora',
      end: 'fin',
      'venue.lat': 'lat',
      'venue.lon': 'lon',
    },
  };
  const header = 'id;titulo;fecha;hora;fin;lat;lon';

  it('ignores a byte order mark and reads quoted fields with delimiters and line breaks', () => {
    const text = `\uFEFF${header}\r\n1;"Uno; dos\r\ny tres";01/05/2027;20:00;;40,41;-3,70\r\n`;
    const d = only(csv(text, madrid)).draft;
    expect([d.title, d.start, d.venue.lat, d.venue.lon]).toEqual([
      'Uno; dos\r\ny tres',
      '2027-05-01T20:00:00',
      40.41,
      -3.7,
    ]);
  });

  it('joins date and time as a local time, and reads a blank time as all day', () => {
    const text = `${header}\n1;A;01/05/2027;;03/05/2027;;\n2;B;01/05/2027;09:05;01/05/2027;;`;
    const [a, b] = csv(text, { ...madrid, fields: { ...madrid.fields, endTime: 'hora' } }).listings;
    expect([a!.draft.start, a!.draft.end, a!.draft.allDay]).toEqual(['2027-05-01', '2027-05-03', true]);
    expect([b!.draft.start, b!.draft.end, b!.draft.allDay]).toEqual([
      '2027-05-01T09:05:00',
      '2027-05-01T09:05:00',
      false,
    ]);
  });

  it('rejects an invalid date or time naming its column, and still returns the other rows', () => {
    const text = `${header}\n1;A;32/13/2027;20:00;;;\n2;B;01/05/2027;25:99;;;\n3;C;01/05/2027;20:00;31/02/2027;;\n4;D;2/5/2027;20:00;;;\n5;E;01/05/2027;20:00;;;`;
    const r = csv(text, madrid);
    expect(r.listings.map((l) => l.sourceId)).toEqual(['5']);
    expect(r.rejected).toEqual([
      { sourceId: '1', reason: 'start (fecha): "32/13/2027" is not a date in the format dd/MM/yyyy' },
      { sourceId: '2', reason: 'start (hora): "25:99" is not a time in the format HH:mm' },
      { sourceId: '3', reason: 'end (fin): "31/02/2027" is not a date in the format dd/MM/yyyy' },
      { sourceId: '4', reason: 'start (fecha): "2/5/2027" is not a date in the format dd/MM/yyyy' },
    ]);
  });

  it('reads a date format with a time in it as a local time, and one with an offset as an instant', () => {
    const fields = { title: 'title', start: 'start' };
    const local = csv('title,start\nA,01.05.2027 20:15', { dateFormat: 'dd.MM.yyyy HH:mm', fields });
    expect(only(local).draft.start).toBe('2027-05-01T20:15:00');
    const offset = csv('title,start\nA,01.05.2027 20:15 +02:00', {
      dateFormat: 'dd.MM.yyyy HH:mm ZZ',
      fields,
    });
    expect(only(offset).draft.start).toBe('2027-05-01T20:15:00+02:00');
  });

  it('passes ISO values on unchanged without a date format, and joins an ISO date with a time', () => {
    const plain = csv('title,start\nA,2027-05-01T20:00:00+02:00', {
      fields: { title: 'title', start: 'start' },
    });
    expect(only(plain).draft.start).toBe('2027-05-01T20:00:00+02:00');
    const split = csv('title,day,time\nA,2027-05-01,20:00', {
      fields: { title: 'title', start: 'day', startTime: 'time' },
    });
    expect(only(split).draft.start).toBe('2027-05-01T20:00:00');
  });

  it('reads rows with missing trailing cells as blank, rejecting those left without a title', () => {
    const r = csv('fecha;titulo\n01/05/2027;A\n02/05/2027', {
      ...madrid,
      fields: { title: 'titulo', start: 'fecha' },
    });
    expect(r.listings.map((l) => l.draft.title)).toEqual(['A']);
    expect(r.rejected).toEqual([{ sourceId: null, reason: 'title (titulo): missing (row 2)' }]);
  });

  it('rejects a document with broken quoting as a whole', () => {
    const r = csv('titulo;fecha\n"A;01/05/2027\n', madrid);
    expect(r.listings).toEqual([]);
    expect(r.rejected[0]!.reason).toMatch(/^unreadable CSV: /);
  });
});

import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { ListingDraftInput } from '../listing.ts';
import { ListingDraft } from '../listing.ts';
import type { AdapterContext, AdapterResult } from './adapter.ts';
import { icalAdapter } from './ical.ts';

const YEAR_2027 = { fromMs: Date.UTC(2027, 0, 1), toMs: Date.UTC(2028, 0, 1) };

function parseFixture(name: string, ctx: Partial<AdapterContext> = {}): AdapterResult {
  const body = readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
  return icalAdapter.parse(
    { body, contentType: 'text/calendar', location: name },
    { source: name, defaults: {}, horizon: YEAR_2027, ...ctx },
  );
}

/** A draft's start and end as UTC instants, resolved in its zone as normalisation does. */
function instants(draft: ListingDraftInput): [string | null, string | null] {
  const utc = (value: string | null | undefined) =>
    value === null || value === undefined
      ? null
      : DateTime.fromISO(value, { zone: draft.timezone ?? 'UTC' })
          .toUTC()
          .toISO({ suppressMilliseconds: true });
  return [utc(draft.start), utc(draft.end)];
}

function byId(result: AdapterResult, sourceId: string) {
  const found = result.listings.find((l) => l.sourceId === sourceId);
  if (found === undefined) throw new Error(`no listing ${sourceId}`);
  return found.draft;
}

describe('the iCal fixtures', () => {
  it.each(['berlin-buehnen.ics', 'berlin-museen.ics', 'paris-agenda.ics'])(
    '%s uses CRLF, folds long lines and escapes commas in LOCATION',
    (name) => {
      const raw = readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
      expect(raw.replaceAll('\r\n', '')).not.toContain('\n');
      expect(raw).toMatch(/\r\n [^\r]/);
      expect(raw).toMatch(/^LOCATION:[^\r]*\\,/m);
    },
  );
});

describe('icalAdapter on berlin-buehnen.ics (VTIMEZONE Europe/Berlin)', () => {
  const result = parseFixture('berlin-buehnen.ics', {
    defaults: { country: 'DE', city: 'Berlin', currency: 'EUR', language: 'de' },
  });

  it('reads every event and rejects none', () => {
    expect(result.rejected).toEqual([]);
    expect(result.listings.map((l) => l.sourceId)).toEqual([
      'b1-mahler5@berlin-buehnen.example',
      'b2-schubert-quintett@berlin-buehnen.example',
      'b3-schwanensee@berlin-buehnen.example',
    ]);
  });

  it('keeps a TZID time on the DST-switch day local in its IANA zone (18:00Z), unfolding and unescaping text', () => {
    const b1 = byId(result, 'b1-mahler5@berlin-buehnen.example');
    expect(instants(b1)).toEqual(['2027-03-28T18:00:00Z', '2027-03-28T20:00:00Z']);
    expect(b1).toEqual({
      title: 'Berliner Philharmoniker: Mahler 5',
      description:
        'Gustav Mahler: Sinfonie Nr. 5 cis-Moll\nBerliner Philharmoniker\n\nBitte beachten Sie: In der ' +
        'Nacht zum Konzerttag beginnt die Sommerzeit. Einführung um 19:00 Uhr im Foyer, Beginn 20:00 ' +
        'Uhr.\nKarten: 35–120 €',
      start: '2027-03-28T20:00:00',
      end: '2027-03-28T22:00:00',
      allDay: false,
      timezone: 'Europe/Berlin',
      venue: {
        name: 'Philharmonie Berlin',
        address: 'Herbert-von-Karajan-Str. 1, 10785 Berlin',
        city: 'Berlin',
        postalCode: null,
        country: 'DE',
        lat: 52.5098,
        lon: 13.37,
      },
      categories: ['Konzert', 'Klassik'],
      priceText: '35-120 EUR',
      status: 'CONFIRMED',
      url: 'https://www.berlin-buehnen.example/spielplan/2027-03-28/mahler-5',
      language: 'de',
    });
  });

  it('ends a DURATION event at start + duration and collects CATEGORIES from several properties', () => {
    const b2 = byId(result, 'b2-schubert-quintett@berlin-buehnen.example');
    expect([b2.start, b2.end, b2.timezone]).toEqual([
      '2027-03-28T11:00:00',
      '2027-03-28T12:30:00',
      'Europe/Berlin',
    ]);
    expect(instants(b2)).toEqual(['2027-03-28T09:00:00Z', '2027-03-28T10:30:00Z']);
    expect(b2.categories).toEqual(['Konzert', 'Kammermusik']);
    expect(b2.description).toBe(
      'Franz Schubert: Streichquintett C-Dur D 956\nMitglieder der Berliner Philharmoniker; ' +
        'Matinee im Kammermusiksaal.\nKarten: 25 €',
    );
  });

  it('passes STATUS through as written', () => {
    const b3 = byId(result, 'b3-schwanensee@berlin-buehnen.example');
    expect([b3.status, b3.start, b3.timezone, b3.priceText]).toEqual([
      'CANCELLED',
      '2027-03-30T19:30:00',
      'Europe/Berlin',
      '40-150 EUR',
    ]);
    expect(instants(b3)[0]).toBe('2027-03-30T17:30:00Z');
  });

  it('produces drafts that satisfy the ListingDraft schema', () => {
    for (const l of result.listings) expect(ListingDraft.safeParse(l.draft).success).toBe(true);
  });
});

describe('icalAdapter on berlin-museen.ics (RRULE with EXDATE, all-day)', () => {
  const tour = 'b4-fuehrung-romantik@berlin-museen.example';

  it('expands the weekly tour to its occurrences without the EXDATE, across the DST switch', () => {
    const occurrences = parseFixture('berlin-museen.ics').listings.filter((l) => l.sourceId.startsWith(tour));
    expect(occurrences.map((o) => [o.sourceId, o.draft.start, o.draft.end, o.draft.timezone])).toEqual([
      [`${tour}#20270321T100000Z`, '2027-03-21T11:00:00', '2027-03-21T12:00:00', 'Europe/Berlin'],
      [`${tour}#20270328T090000Z`, '2027-03-28T11:00:00', '2027-03-28T12:00:00', 'Europe/Berlin'],
      [`${tour}#20270411T090000Z`, '2027-04-11T11:00:00', '2027-04-11T12:00:00', 'Europe/Berlin'],
    ]);
    // Each occurrence id names the UTC instant its start resolves to.
    expect(occurrences.map((o) => [o.sourceId.split('#')[1], ...instants(o.draft)])).toEqual([
      ['20270321T100000Z', '2027-03-21T10:00:00Z', '2027-03-21T11:00:00Z'],
      ['20270328T090000Z', '2027-03-28T09:00:00Z', '2027-03-28T10:00:00Z'],
      ['20270411T090000Z', '2027-04-11T09:00:00Z', '2027-04-11T10:00:00Z'],
    ]);
    expect(occurrences.every((o) => o.draft.priceText === 'kostenlos')).toBe(true);
  });

  it('gives the same source ids on every import', () => {
    const ids = () => parseFixture('berlin-museen.ics').listings.map((l) => l.sourceId);
    expect(ids()).toEqual(ids());
  });

  it('keeps only the occurrences starting inside the horizon [from, to)', () => {
    const until = parseFixture('berlin-museen.ics', {
      horizon: { fromMs: YEAR_2027.fromMs, toMs: Date.parse('2027-03-28T09:00:00Z') },
    });
    expect(until.listings.map((l) => l.sourceId)).toEqual([
      `${tour}#20270321T100000Z`,
      'b5-friedrich-ausstellung@berlin-museen.example',
    ]);
    const from = parseFixture('berlin-museen.ics', {
      horizon: { fromMs: Date.parse('2027-04-01T00:00:00Z'), toMs: YEAR_2027.toMs },
    });
    expect(from.listings.map((l) => l.sourceId)).toEqual([
      `${tour}#20270411T090000Z`,
      'b5-friedrich-ausstellung@berlin-museen.example',
    ]);
    // A one-second horizon at 09:00Z (11:00 CEST) holds exactly that occurrence.
    const second = parseFixture('berlin-museen.ics', {
      horizon: { fromMs: Date.parse('2027-03-28T09:00:00Z'), toMs: Date.parse('2027-03-28T09:00:01Z') },
    });
    expect(second.listings.map((l) => l.sourceId)).toEqual([
      `${tour}#20270328T090000Z`,
      'b5-friedrich-ausstellung@berlin-museen.example',
    ]);
  });

  it('reads an all-day exhibition with its last day inclusive', () => {
    const b5 = byId(parseFixture('berlin-museen.ics'), 'b5-friedrich-ausstellung@berlin-museen.example');
    expect([b5.start, b5.end, b5.allDay, b5.timezone]).toEqual([
      '2027-03-01',
      '2027-08-01',
      true,
      'Europe/Berlin',
    ]);
    expect(b5.title).toBe('Caspar David Friedrich – Unendliche Landschaften');
  });
});

describe('icalAdapter on paris-agenda.ics (floating times, X-WR-TIMEZONE)', () => {
  const result = parseFixture('paris-agenda.ics', {
    defaults: { country: 'FR', city: 'Paris', language: 'fr', timezone: 'Europe/London' },
  });

  it('keeps a floating time local and states the X-WR-TIMEZONE zone over the source default', () => {
    const p1 = byId(result, 'p1-misanthrope@paris-agenda.example');
    expect([p1.start, p1.end, p1.timezone]).toEqual([
      '2027-04-02T20:30:00',
      '2027-04-02T23:00:00',
      'Europe/Paris',
    ]);
    expect(p1.venue).toEqual({
      name: 'Comédie-Française – Salle Richelieu',
      address: '1 Place Colette, 75001 Paris',
      city: 'Paris',
      postalCode: null,
      country: 'FR',
      lat: 48.8634,
      lon: 2.3364,
    });
    expect([p1.categories, p1.language, p1.priceText]).toEqual([['Théâtre'], 'fr', '15-45 EUR']);
  });

  it('unescapes a comma in SUMMARY and reads the all-day exhibition', () => {
    const p2 = byId(result, 'p2-matisse-atelier-rouge@paris-agenda.example');
    expect([p2.title, p2.start, p2.end, p2.allDay]).toEqual([
      "Matisse, l'atelier rouge",
      '2027-03-10',
      '2027-06-20',
      true,
    ]);
  });

  it('leaves a cancellation stated only in the title to normalisation (no STATUS)', () => {
    const p5 = byId(result, 'p5-orchestre-ravel@paris-agenda.example');
    expect([p5.title, p5.status, p5.categories]).toEqual([
      'ANNULÉ : Orchestre de Paris – Ravel',
      null,
      ['Concert classique'],
    ]);
  });
});

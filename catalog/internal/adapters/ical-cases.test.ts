import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { resolveTimes } from '../normalise/time.ts';
import type { SourceDefaults } from '../sources-config.ts';
import type { AdapterResult } from './adapter.ts';
import { icalAdapter } from './ical.ts';

const BERLIN_TZ = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

/** A VCALENDAR around the given lines (VTIMEZONEs, X-WR-* and VEVENTs), CRLF-separated. */
function ics(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}

function vevent(...lines: string[]): string[] {
  return ['BEGIN:VEVENT', ...lines, 'END:VEVENT'];
}

function parse(body: string, defaults: SourceDefaults = {}, to = '2028-01-01T00:00:00Z'): AdapterResult {
  return icalAdapter.parse(
    { body, contentType: null, location: null },
    {
      source: 'test',
      defaults,
      horizon: { fromMs: Date.parse('2027-01-01T00:00:00Z'), toMs: Date.parse(to) },
    },
  );
}

const starts = (r: AdapterResult) => r.listings.map((l) => [l.sourceId, l.draft.start, l.draft.timezone]);

/** The listings' starts as UTC instants, each read in its draft's zone with luxon. */
const utcStarts = (r: AdapterResult) =>
  r.listings.map((l) =>
    DateTime.fromISO(l.draft.start, { zone: l.draft.timezone ?? 'UTC' })
      .toUTC()
      .toISO({ suppressMilliseconds: true }),
  );

/** The same VTIMEZONE under an Outlook name, which is not an IANA zone. */
const OUTLOOK_TZ = BERLIN_TZ.map((l) => (l === 'TZID:Europe/Berlin' ? 'TZID:W. Europe Standard Time' : l));

/** A weekly 02:30 event in Berlin from `first` (YYYYMMDD). */
const weekly0230 = (first: string) =>
  ics(
    ...BERLIN_TZ,
    ...vevent(
      'UID:n',
      'SUMMARY:N',
      `DTSTART;TZID=Europe/Berlin:${first}T023000`,
      'RRULE:FREQ=WEEKLY;COUNT=3',
    ),
  );

describe('icalAdapter times', () => {
  it('keeps a TZID without VTIMEZONE as a local time in that zone', () => {
    const r = parse(ics(...vevent('UID:a', 'SUMMARY:A', 'DTSTART;TZID=Europe/Madrid:20270415T193000')));
    expect(starts(r)).toEqual([['a', '2027-04-15T19:30:00', 'Europe/Madrid']]);
  });

  it('reads a non-IANA TZID without VTIMEZONE in the source default zone', () => {
    const r = parse(
      ics(...vevent('UID:a', 'SUMMARY:A', 'DTSTART;TZID=W. Europe Standard Time:20270415T193000')),
      {
        timezone: 'Europe/Berlin',
      },
    );
    expect(starts(r)).toEqual([['a', '2027-04-15T19:30:00', 'Europe/Berlin']]);
  });

  it('reads a floating time in the source default zone without X-WR-TIMEZONE, or in none', () => {
    const body = ics(...vevent('UID:a', 'SUMMARY:A', 'DTSTART:20270415T193000'));
    expect(starts(parse(body, { timezone: 'Europe/Madrid' }))).toEqual([
      ['a', '2027-04-15T19:30:00', 'Europe/Madrid'],
    ]);
    expect(starts(parse(body))).toEqual([['a', '2027-04-15T19:30:00', null]]);
  });

  it('passes a UTC time as an instant', () => {
    const r = parse(
      ics(...vevent('UID:a', 'SUMMARY:A', 'DTSTART:20270415T173000Z', 'DTEND:20270415T190000Z')),
    );
    expect([r.listings[0]!.draft.start, r.listings[0]!.draft.end]).toEqual([
      '2027-04-15T17:30:00Z',
      '2027-04-15T19:00:00Z',
    ]);
  });

  it('leaves the end of a timed event without DTEND or DURATION unknown', () => {
    const r = parse(ics(...vevent('UID:a', 'SUMMARY:A', 'DTSTART:20270415T173000Z')));
    expect(r.listings[0]!.draft.end).toBeNull();
  });

  it('ends an all-day event without DTEND, or with DTEND = DTSTART, on its first day', () => {
    const r = parse(
      ics(
        ...vevent('UID:a', 'SUMMARY:A', 'DTSTART;VALUE=DATE:20270310'),
        ...vevent('UID:b', 'SUMMARY:B', 'DTSTART;VALUE=DATE:20270310', 'DTEND;VALUE=DATE:20270310'),
        ...vevent('UID:c', 'SUMMARY:C', 'DTSTART;VALUE=DATE:20270310', 'DURATION:P3D'),
      ),
    );
    expect(r.listings.map((l) => [l.draft.start, l.draft.end, l.draft.allDay])).toEqual([
      ['2027-03-10', '2027-03-10', true],
      ['2027-03-10', '2027-03-10', true],
      ['2027-03-10', '2027-03-12', true],
    ]);
  });

  it('converts a non-IANA TZID with its embedded VTIMEZONE to the UTC instant', () => {
    const r = parse(
      ics(
        ...OUTLOOK_TZ,
        ...vevent(
          'UID:a',
          'SUMMARY:A',
          'DTSTART;TZID=W. Europe Standard Time:20270415T193000',
          'DTEND;TZID=W. Europe Standard Time:20270415T213000',
        ),
      ),
      { timezone: 'Europe/Berlin' },
    );
    const d = r.listings[0]!.draft;
    expect([d.start, d.end, d.timezone]).toEqual([
      '2027-04-15T17:30:00Z',
      '2027-04-15T19:30:00Z',
      'Europe/Berlin',
    ]);
  });

  // 02:30 on 2027-03-28 does not exist in Berlin. RFC 5545 reads it with the offset before the gap,
  // +01:00: 01:30Z (03:30 CEST), which is also normalisation's rule. (ical.js would say 00:30Z.)
  it('names an RRULE occurrence in the DST gap by the instant RFC 5545 gives it (01:30Z)', () => {
    const r = parse(weekly0230('20270321'));
    expect(starts(r)).toEqual([
      ['n#20270321T013000Z', '2027-03-21T02:30:00', 'Europe/Berlin'],
      ['n#20270328T013000Z', '2027-03-28T02:30:00', 'Europe/Berlin'],
      ['n#20270404T003000Z', '2027-04-04T02:30:00', 'Europe/Berlin'],
    ]);
    expect(utcStarts(r)).toEqual(['2027-03-21T01:30:00Z', '2027-03-28T01:30:00Z', '2027-04-04T00:30:00Z']);
  });

  it('cuts the horizon at the instant of an occurrence in the DST gap', () => {
    const ids = (to: string) => parse(weekly0230('20270321'), {}, to).listings.map((l) => l.sourceId);
    expect(ids('2027-03-28T01:30:00Z')).toEqual(['n#20270321T013000Z']);
    expect(ids('2027-03-28T01:30:01Z')).toEqual(['n#20270321T013000Z', 'n#20270328T013000Z']);
  });

  // 02:30 on 2027-10-31 happens twice in Berlin (00:30Z in CEST, 01:30Z in CET): the catalogue takes
  // the earlier. luxon's fromISO would take the later here, so normalisation's resolveTimes checks it.
  it('names an RRULE occurrence in the autumn overlap by the earlier instant, as normalisation resolves it', () => {
    const r = parse(weekly0230('20271024'));
    expect(starts(r)).toEqual([
      ['n#20271024T003000Z', '2027-10-24T02:30:00', 'Europe/Berlin'],
      ['n#20271031T003000Z', '2027-10-31T02:30:00', 'Europe/Berlin'],
      ['n#20271107T013000Z', '2027-11-07T02:30:00', 'Europe/Berlin'],
    ]);
    const { start, end = null, allDay = false } = r.listings[1]!.draft;
    expect(resolveTimes({ start, end, allDay }, 'Europe/Berlin')).toMatchObject({
      ok: true,
      startsAt: '2027-10-31T00:30:00.000Z',
    });
  });

  it('names all-day occurrences by date', () => {
    const r = parse(
      ics(...vevent('UID:d', 'SUMMARY:D', 'DTSTART;VALUE=DATE:20270301', 'RRULE:FREQ=MONTHLY;COUNT=2')),
    );
    expect(r.listings.map((l) => [l.sourceId, l.draft.start, l.draft.end])).toEqual([
      ['d#20270301', '2027-03-01', '2027-03-01'],
      ['d#20270401', '2027-04-01', '2027-04-01'],
    ]);
  });
});

describe('icalAdapter recurrence overrides', () => {
  const series = vevent(
    'UID:tour',
    'SUMMARY:Führung',
    'DTSTART;TZID=Europe/Berlin:20270321T110000',
    'DURATION:PT1H',
    'RRULE:FREQ=WEEKLY;COUNT=3',
  );
  const moved = vevent(
    'UID:tour',
    'RECURRENCE-ID;TZID=Europe/Berlin:20270328T110000',
    'SUMMARY:Führung (verlegt)',
    'DTSTART;TZID=Europe/Berlin:20270328T150000',
    'DTEND;TZID=Europe/Berlin:20270328T163000',
    'STATUS:CONFIRMED',
  );

  it('replaces the occurrence a RECURRENCE-ID names, keeping the original occurrence id', () => {
    const r = parse(ics(...BERLIN_TZ, ...series, ...moved));
    expect(
      r.listings.map((l) => [l.sourceId, l.draft.title, l.draft.start, l.draft.end, l.draft.status]),
    ).toEqual([
      ['tour#20270321T100000Z', 'Führung', '2027-03-21T11:00:00', '2027-03-21T12:00:00', null],
      [
        'tour#20270328T090000Z',
        'Führung (verlegt)',
        '2027-03-28T15:00:00',
        '2027-03-28T16:30:00',
        'CONFIRMED',
      ],
      ['tour#20270404T090000Z', 'Führung', '2027-04-04T11:00:00', '2027-04-04T12:00:00', null],
    ]);
    expect(r.listings.map((l) => l.draft.timezone)).toEqual([
      'Europe/Berlin',
      'Europe/Berlin',
      'Europe/Berlin',
    ]);
    expect(utcStarts(r)).toEqual(['2027-03-21T10:00:00Z', '2027-03-28T13:00:00Z', '2027-04-04T09:00:00Z']);
  });

  it('lists an override whose series is absent as a listing of its own', () => {
    const r = parse(ics(...BERLIN_TZ, ...moved));
    expect(starts(r)).toEqual([['tour#20270328T090000Z', '2027-03-28T15:00:00', 'Europe/Berlin']]);
    expect(utcStarts(r)).toEqual(['2027-03-28T13:00:00Z']);
  });
});

describe('icalAdapter text and rejections', () => {
  it('unfolds lines and unescapes \\\\, \\; \\, and \\n, in X-PRICE too', () => {
    const r = parse(
      ics(
        ...vevent(
          'UID:t',
          'SUMMARY:Lesung: Pfad C:\\\\Texte\\; zweiter Teil',
          'DTSTART:20270415T173000Z',
          'DESCRIPTION:Erste Zeile\\nzweite Zeile mit Komma\\, und ein sehr langer Text, der gefalt',
          ' et wurde.',
          'LOCATION:Literaturhaus',
          'CATEGORIES:Lesung,Literatur',
          'CATEGORIES:Lesung',
          'X-PRICE:12\\,50 € / ermäßigt 8 €',
        ),
      ),
    );
    const d = r.listings[0]!.draft;
    expect(d.title).toBe('Lesung: Pfad C:\\Texte; zweiter Teil');
    expect(d.description).toBe(
      'Erste Zeile\nzweite Zeile mit Komma, und ein sehr langer Text, der gefaltet wurde.',
    );
    expect([d.venue.name, d.venue.address, d.venue.lat]).toEqual(['Literaturhaus', null, null]);
    expect([d.categories, d.priceText]).toEqual([['Lesung', 'Literatur'], '12,50 € / ermäßigt 8 €']);
  });

  it('rejects unparsable input with the parser message instead of throwing', () => {
    expect(parse('this is not a calendar')).toEqual({
      listings: [],
      rejected: [
        {
          sourceId: null,
          reason: 'unparsable iCalendar: invalid line (no token ";" or ":") "this is not a calendar"',
        },
      ],
    });
    expect(parse('').rejected).toEqual([
      { sourceId: null, reason: 'not an iCalendar document: no VCALENDAR' },
    ]);
  });

  it('rejects a VEVENT without DTSTART or SUMMARY, naming what is missing, and keeps its siblings', () => {
    const r = parse(
      ics(
        ...vevent('UID:ok', 'SUMMARY:OK', 'DTSTART:20270415T173000Z'),
        ...vevent('UID:nostart', 'SUMMARY:No start'),
        ...vevent('DESCRIPTION:nothing'),
        ...vevent('UID:bad', 'SUMMARY:Bad', 'DTSTART:2027-garbage'),
      ),
    );
    expect(r.listings.map((l) => l.sourceId)).toEqual(['ok']);
    expect(r.rejected.map((x) => x.sourceId)).toEqual(['nostart', null, 'bad']);
    expect(r.rejected[0]!.reason).toBe('VEVENT nostart: missing DTSTART');
    expect(r.rejected[1]!.reason).toBe('VEVENT (no UID): missing DTSTART and SUMMARY');
    expect(r.rejected[2]!.reason).toMatch(/^VEVENT bad: invalid date-time value: /);
  });

  it('keeps the first of two VEVENTs with one UID and rejects the other', () => {
    const r = parse(
      ics(
        ...vevent('UID:twice', 'SUMMARY:Erste', 'DTSTART:20270415T173000Z'),
        ...vevent('UID:twice', 'SUMMARY:Zweite', 'DTSTART:20270416T173000Z'),
      ),
    );
    expect(r.listings.map((l) => [l.sourceId, l.draft.title])).toEqual([['twice', 'Erste']]);
    expect(r.rejected).toEqual([
      { sourceId: 'twice', reason: 'VEVENT twice: duplicate UID, the first is kept' },
    ]);
  });

  it('gives a VEVENT without UID a stable id from its start and summary', () => {
    const body = ics(...vevent('SUMMARY:Ohne UID', 'DTSTART:20270415T173000Z'));
    const id = parse(body).listings[0]!.sourceId;
    expect(id).toMatch(/^nouid-[0-9a-f]{16}$/);
    expect(parse(body).listings[0]!.sourceId).toBe(id);
  });
});

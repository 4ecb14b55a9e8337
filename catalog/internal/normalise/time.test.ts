import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { resolveTimes } from './time.ts';

const draft = (start: string, end: string | null = null, allDay = false) => ({ start, end, allDay });

describe('resolveTimes', () => {
  it('passes an instant with Z or an offset through, in toISOString form', () => {
    expect(resolveTimes(draft('2027-03-28T18:00:00Z'), 'Europe/Berlin')).toEqual({
      ok: true,
      startsAt: '2027-03-28T18:00:00.000Z',
      endsAt: null,
      localDate: '2027-03-28',
    });
    const p4 = resolveTimes(draft('2027-04-09T21:00:00+02:00'), 'Europe/Paris');
    expect(p4).toMatchObject({ startsAt: '2027-04-09T19:00:00.000Z', localDate: '2027-04-09' });
    expect(resolveTimes(draft('2027-04-09T21:00+0200'), null)).toMatchObject({
      startsAt: '2027-04-09T19:00:00.000Z',
      localDate: null,
    });
  });

  it('reads local times in the zone across the Berlin DST switch (B1, B2, B6, B7)', () => {
    expect(resolveTimes(draft('2027-03-28T20:00:00', '2027-03-28T22:00:00'), 'Europe/Berlin')).toEqual({
      ok: true,
      startsAt: '2027-03-28T18:00:00.000Z',
      endsAt: '2027-03-28T20:00:00.000Z',
      localDate: '2027-03-28',
    });
    expect(resolveTimes(draft('2027-03-28T11:00:00'), 'Europe/Berlin')).toMatchObject({
      startsAt: '2027-03-28T09:00:00.000Z',
    });
    expect(resolveTimes(draft('2027-03-27T21:30'), 'Europe/Berlin')).toMatchObject({
      startsAt: '2027-03-27T20:30:00.000Z',
    });
    expect(resolveTimes(draft('2027-03-28T21:30'), 'Europe/Berlin')).toMatchObject({
      startsAt: '2027-03-28T19:30:00.000Z',
    });
  });

  it('reads the weekly Führung occurrences on both sides of the switch (B4)', () => {
    const at = (s: string) => resolveTimes(draft(s), 'Europe/Berlin');
    expect(at('2027-03-21T11:00:00')).toMatchObject({ startsAt: '2027-03-21T10:00:00.000Z' });
    expect(at('2027-03-28T11:00:00')).toMatchObject({ startsAt: '2027-03-28T09:00:00.000Z' });
    expect(at('2027-04-11T11:00:00')).toMatchObject({ startsAt: '2027-04-11T09:00:00.000Z' });
  });

  it('reads Paris, Madrid and London local times (P1, P5, M1, M5, L1)', () => {
    const cases: [string, string, string][] = [
      ['2027-04-02T20:30:00', 'Europe/Paris', '2027-04-02T18:30:00.000Z'],
      ['2027-04-20T20:00:00', 'Europe/Paris', '2027-04-20T18:00:00.000Z'],
      ['2027-04-15T19:30:00', 'Europe/Madrid', '2027-04-15T17:30:00.000Z'],
      ['2027-04-16T22:00:00', 'Europe/Madrid', '2027-04-16T20:00:00.000Z'],
      ['2027-04-03T20:00:00', 'Europe/London', '2027-04-03T19:00:00.000Z'],
    ];
    for (const [local, zone, utc] of cases) {
      expect(resolveTimes(draft(local), zone)).toMatchObject({ ok: true, startsAt: utc });
    }
  });

  it('moves a local time in the spring gap forward by the gap (M3)', () => {
    expect(resolveTimes(draft('2027-03-28T02:30:00'), 'Europe/Madrid')).toMatchObject({
      startsAt: '2027-03-28T01:30:00.000Z',
      localDate: '2027-03-28',
    });
    // A 30-minute gap moves it by 30 minutes: 02:15 on Lord Howe reads as 02:45 (+11:00).
    expect(resolveTimes(draft('2027-10-03T02:15:00'), 'Australia/Lord_Howe')).toMatchObject({
      startsAt: '2027-10-02T15:45:00.000Z',
    });
  });

  it('takes the earlier instant of an autumn time that happens twice (M4), where luxon takes the later', () => {
    expect(resolveTimes(draft('2027-10-31T02:30:00'), 'Europe/Madrid')).toMatchObject({
      startsAt: '2027-10-31T00:30:00.000Z',
      localDate: '2027-10-31',
    });
    expect(DateTime.fromISO('2027-10-31T02:30:00', { zone: 'Europe/Madrid' }).toUTC().toISO()).toBe(
      '2027-10-31T01:30:00.000Z',
    );
    expect(resolveTimes(draft('2027-11-07T01:30:00'), 'America/New_York')).toMatchObject({
      startsAt: '2027-11-07T05:30:00.000Z',
    });
    // Just after the overlap there is one reading again.
    expect(resolveTimes(draft('2027-10-31T03:00:00'), 'Europe/Madrid')).toMatchObject({
      startsAt: '2027-10-31T02:00:00.000Z',
    });
  });

  it('spans an all-day range from the first local midnight to the midnight ending the last day (B5, P2, P3, M2)', () => {
    const cases: [string, string, string, string, string][] = [
      ['2027-03-01', '2027-08-01', 'Europe/Berlin', '2027-02-28T23:00:00.000Z', '2027-08-01T22:00:00.000Z'],
      ['2027-03-10', '2027-06-20', 'Europe/Paris', '2027-03-09T23:00:00.000Z', '2027-06-20T22:00:00.000Z'],
      ['2027-03-13', '2027-03-15', 'Europe/Paris', '2027-03-12T23:00:00.000Z', '2027-03-15T23:00:00.000Z'],
      ['2027-02-01', '2027-05-31', 'Europe/Madrid', '2027-01-31T23:00:00.000Z', '2027-05-31T22:00:00.000Z'],
    ];
    for (const [s, e, zone, startsAt, endsAt] of cases) {
      expect(resolveTimes(draft(s, e, true), zone)).toEqual({ ok: true, startsAt, endsAt, localDate: s });
    }
  });

  it('makes a date-only start without an end one day long', () => {
    expect(resolveTimes(draft('2027-03-28'), 'Europe/Berlin')).toEqual({
      ok: true,
      startsAt: '2027-03-27T23:00:00.000Z',
      endsAt: '2027-03-28T22:00:00.000Z',
      localDate: '2027-03-28',
    });
  });

  it('treats local date-times of an allDay draft as their dates', () => {
    expect(resolveTimes(draft('2027-03-13T10:00:00', '2027-03-15T00:00:00', true), 'Europe/Paris')).toEqual({
      ok: true,
      startsAt: '2027-03-12T23:00:00.000Z',
      endsAt: '2027-03-15T23:00:00.000Z',
      localDate: '2027-03-13',
    });
  });

  it('gives the local date of an instant in the zone, not in UTC', () => {
    expect(resolveTimes(draft('2027-03-27T23:30:00Z'), 'Europe/Berlin')).toMatchObject({
      localDate: '2027-03-28',
    });
  });

  it('refuses a local time or a date without a valid zone', () => {
    const err = { ok: false, errors: [{ path: 'timezone', message: 'unknown for a local time' }] };
    expect(resolveTimes(draft('2027-04-02T20:30:00'), null)).toEqual(err);
    expect(resolveTimes(draft('2027-04-02'), 'W. Europe Standard Time')).toEqual(err);
    expect(resolveTimes(draft('2027-04-02T20:30:00Z', '2027-04-02T22:00:00'), null)).toEqual(err);
  });

  it('refuses unreadable or impossible dates, naming the field', () => {
    expect(resolveTimes(draft('32/13/2027'), 'Europe/Madrid')).toEqual({
      ok: false,
      errors: [{ path: 'start', message: "not a date or date-time: '32/13/2027'" }],
    });
    expect(resolveTimes(draft('2027-02-29T20:00:00'), 'Europe/Madrid')).toMatchObject({ ok: false });
    expect(resolveTimes(draft('2027-04-02T25:00:00'), 'Europe/Madrid')).toMatchObject({ ok: false });
    expect(resolveTimes(draft('2027-04-02T20:00', 'tomorrow'), 'Europe/Madrid')).toEqual({
      ok: false,
      errors: [{ path: 'end', message: "not a date or date-time: 'tomorrow'" }],
    });
  });

  it('refuses an end before the start', () => {
    expect(resolveTimes(draft('2027-04-02T20:00:00', '2027-04-02T19:00:00'), 'Europe/Paris')).toEqual({
      ok: false,
      errors: [{ path: 'end', message: "before the start ('2027-04-02T20:00:00')" }],
    });
    expect(resolveTimes(draft('2027-04-02', '2027-04-01'), 'Europe/Paris')).toMatchObject({ ok: false });
  });

  it('reads 24:00 as the midnight ending the day', () => {
    expect(resolveTimes(draft('2027-04-02T20:00:00', '2027-04-02T24:00:00'), 'Europe/Paris')).toMatchObject({
      endsAt: '2027-04-02T22:00:00.000Z',
    });
  });

  it('reads any wall-clock time back to the earliest instant that shows it (property, against luxon)', () => {
    const zones = [
      'Europe/Madrid',
      'America/New_York',
      'Australia/Lord_Howe',
      'America/Santiago',
      'Asia/Kolkata',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2020, 0, 1) / 1000, max: Date.UTC(2031, 0, 1) / 1000 }),
        (zone, seconds) => {
          const ms = seconds * 1000;
          const wall = DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
          const r = resolveTimes(draft(wall), zone);
          if (!r.ok) throw new Error(JSON.stringify(r.errors));
          const back = Date.parse(r.startsAt);
          expect(DateTime.fromMillis(back, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss")).toBe(wall);
          expect(back).toBeLessThanOrEqual(ms);
          // Earliest: no instant a shift earlier (an hour, or Lord Howe's half hour) shows it too.
          for (const shift of [3_600_000, 1_800_000]) {
            expect(DateTime.fromMillis(back - shift, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss")).not.toBe(
              wall,
            );
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

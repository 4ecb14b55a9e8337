import { describe, expect, it } from 'vitest';
import { startInfo, startsAtLocalMidnight, timePart, timeSimilarity } from './start-time.ts';

const MIN = 60_000;

describe('timeSimilarity', () => {
  it('is 1 for equal starts, 0.8 within 30 min, linear to 0 at 2 h', () => {
    const t = (min: number) => timeSimilarity(0, min * MIN);
    expect([t(0), t(1), t(30), t(75), t(120), t(300)]).toEqual([1, 0.8, 0.8, 0.4, 0, 0]);
    expect(timeSimilarity(NaN, 0)).toBe(0);
  });
});

describe('startsAtLocalMidnight', () => {
  it('reads the local time in the zone, across the DST switch', () => {
    expect(startsAtLocalMidnight('2027-02-28T23:00:00Z', 'Europe/Berlin')).toBe(true);
    expect(startsAtLocalMidnight('2027-07-31T22:00:00Z', 'Europe/Berlin')).toBe(true);
    expect(startsAtLocalMidnight('2027-07-31T23:00:00Z', 'Europe/Berlin')).toBe(false);
    expect(startsAtLocalMidnight('2027-04-02T23:00:00Z', 'Europe/London')).toBe(true);
    expect(startsAtLocalMidnight('2027-04-02T23:00:00Z', 'Not/AZone')).toBe(false);
  });
});

describe('timePart', () => {
  it('is unknown when exactly one start is date-only', () => {
    const allDay = startInfo('2027-02-28T23:00:00Z', 'Europe/Berlin');
    const opening = startInfo('2027-03-01T09:00:00Z', 'Europe/Berlin');
    expect(timePart(allDay, opening)).toBeNull();
    expect(timePart(allDay, allDay)).toBe(1);
    expect(timePart(opening, startInfo('2027-03-01T09:45:00Z', 'Europe/Berlin'))).toBeCloseTo(
      0.8 * (75 / 90),
      12,
    );
  });

  it('reads an offset start as the same instant as its UTC form', () => {
    expect(startInfo('2027-03-28T20:00:00+02:00', 'Europe/Berlin')).toEqual(
      startInfo('2027-03-28T18:00:00Z', 'Europe/Berlin'),
    );
  });
});

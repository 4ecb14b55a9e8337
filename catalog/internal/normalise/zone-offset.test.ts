import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { offsetMinutes } from './zone-offset.ts';

const ZONES = [
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'America/Santiago',
];
const from = Date.UTC(2020, 0, 1);
const to = Date.UTC(2031, 0, 1);

describe('offsetMinutes', () => {
  it('agrees with luxon at any instant, across transitions', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: from, max: to }), (name, ms) => {
        const zone = IANAZone.create(name);
        expect(offsetMinutes(zone, ms)).toBe(zone.offset(ms));
      }),
      { numRuns: 3000 },
    );
  });

  it('switches at the exact millisecond of a transition', () => {
    const berlin = IANAZone.create('Europe/Berlin');
    const switchMs = Date.parse('2027-03-28T01:00:00Z');
    expect(offsetMinutes(berlin, switchMs - 1)).toBe(60);
    expect(offsetMinutes(berlin, switchMs)).toBe(120);
    const back = Date.parse('2027-10-31T01:00:00Z');
    expect(offsetMinutes(berlin, back - 1)).toBe(120);
    expect(offsetMinutes(berlin, back)).toBe(60);
  });
});

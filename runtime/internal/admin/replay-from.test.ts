import { describe, expect, it } from 'vitest';
import { describeReplayFrom, JobAdminError, parseClientId, parseReplayFrom } from './job-admin.ts';

const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);
const parse = (s: string) => parseReplayFrom(s, NOW);

describe('parseReplayFrom', () => {
  it('accepts earliest (any case, surrounding spaces)', () => {
    expect(parse('earliest')).toEqual({ kind: 'earliest' });
    expect(parse('  EARLIEST ')).toEqual({ kind: 'earliest' });
  });

  it('accepts ISO-8601 dates (UTC midnight) and date-times with a zone', () => {
    expect(parse('2025-06-01')).toEqual({ kind: 'time', ms: Date.UTC(2025, 5, 1) });
    expect(parse('2025-06-01T08:30:00Z')).toEqual({ kind: 'time', ms: Date.UTC(2025, 5, 1, 8, 30) });
    expect(parse('2025-06-01T10:30+02:00')).toEqual({ kind: 'time', ms: Date.UTC(2025, 5, 1, 8, 30) });
    expect(parse('2025-06-01T03:30:00-0500')).toEqual({ kind: 'time', ms: Date.UTC(2025, 5, 1, 8, 30) });
    expect(parse('2025-06-01T08:30:00.250Z')).toEqual({
      kind: 'time',
      ms: Date.UTC(2025, 5, 1, 8, 30, 0, 250),
    });
    expect(parse('2024-02-29T00:00:00Z')).toEqual({ kind: 'time', ms: Date.UTC(2024, 1, 29) });
  });

  it('accepts partition:offset lists', () => {
    const r = parse('0:1200, 3:0,11:5');
    expect(r.kind).toBe('offsets');
    if (r.kind !== 'offsets') return;
    expect([...r.offsets]).toEqual([
      [0, 1200],
      [3, 0],
      [11, 5],
    ]);
    expect(describeReplayFrom(r)).toBe('0:1200,3:0,11:5');
  });

  it.each([
    ['', /empty/],
    ['latest', /not understood/],
    ['2025-06-01T08:30:00', /needs a zone/],
    ['2025-02-30', /no such date/],
    ['2025-13-01', /no such date/],
    ['2025-06-01T25:00Z', /no such time/],
    ['2025-06-01T08:00+19:00', /no such zone/],
    ['2025/06/01', /not understood/],
    ['2025-06-01Tfoo', /not an ISO-8601 time/],
    ['2030-01-01T00:00:00Z', /in the future/],
    ['0:10,x:4', /"x:4" is not partition:offset/],
    ['0:-1', /"0:-1" is not partition:offset/],
    ['0:10,', /"" is not partition:offset/],
    ['1:10,1:20', /partition 1 is named twice/],
    ['0:99999999999999999999', /out of range/],
  ])('rejects %j with a clear message', (input, message) => {
    expect(() => parse(input)).toThrow(JobAdminError);
    expect(() => parse(input)).toThrow(message);
    expect(() => parse(input)).toThrow(/use "earliest"/);
  });
});

describe('parseClientId', () => {
  it('splits <job>.<worker>@<port>', () => {
    expect(parseClientId('count-by-key', 'count-by-key.host-1.a@9464')).toEqual({
      workerId: 'host-1.a',
      port: 9464,
    });
  });
  it('keeps the worker id when there is no (valid) port', () => {
    expect(parseClientId('count-by-key', 'count-by-key.w1')).toEqual({ workerId: 'w1' });
    expect(parseClientId('count-by-key', 'count-by-key.w1@x')).toEqual({ workerId: 'w1@x' });
    expect(parseClientId('count-by-key', 'count-by-key.w1@0')).toEqual({ workerId: 'w1@0' });
  });
  it('does not claim other clients', () => {
    expect(parseClientId('count-by-key', 'other.w1@9464')).toBeUndefined();
    expect(parseClientId('count-by-key', 'count-by-key-eos.w1@9464')).toBeUndefined();
  });
});

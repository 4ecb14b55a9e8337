import { describe, expect, it } from 'vitest';
import { decodeSearchCursor, encodeSearchCursor, searchFilterHash } from './event-search-cursor.ts';
import { InvalidSearchCursorError } from './event-search.ts';

describe('search cursors', () => {
  const q = { city: 'Paris', categories: ['music', 'theatre'] as const };

  it('round-trip for the same filters, written differently, and any limit', () => {
    const c = encodeSearchCursor({
      f: searchFilterHash(q),
      k: 'time',
      s: '2027-04-02T18:30:00.000000Z',
      id: 'p1',
    });
    const same = { city: ' PARIS ', categories: ['theatre', 'music', 'music'] as const, limit: 5 };
    expect(decodeSearchCursor(c, same)).toEqual({
      f: searchFilterHash(q),
      k: 'time',
      s: '2027-04-02T18:30:00.000000Z',
      id: 'p1',
    });
  });

  it('are refused for other filters, another order, or a malformed key', () => {
    const c = encodeSearchCursor({
      f: searchFilterHash(q),
      k: 'time',
      s: '2027-04-02T18:30:00.000000Z',
      id: 'p1',
    });
    expect(() => decodeSearchCursor(c, { ...q, maxPrice: 10 })).toThrow(InvalidSearchCursorError);
    expect(() => decodeSearchCursor(c, { ...q, statuses: ['cancelled'] })).toThrow(/other filters/);
    const rank = encodeSearchCursor({ f: searchFilterHash(q), k: 'rank', s: '2027-04-02', id: 'p1' });
    expect(() => decodeSearchCursor(rank, q)).toThrow('cursor is not a cursor of this API');
    expect(() => decodeSearchCursor('e30', q)).toThrow('cursor is not a cursor of this API'); // {}
    expect(() => decodeSearchCursor('!!', q)).toThrow(InvalidSearchCursorError);
  });
});

import { describe, expect, it } from 'vitest';
import { buildSearchSql } from './event-search-sql.ts';

const HOSTILE = `'; drop table events; -- $1 \\ % _ "x"`;

describe('buildSearchSql', () => {
  it('passes every value of the query as a parameter, never as SQL text', () => {
    const sql = buildSearchSql(
      HOSTILE,
      {
        q: HOSTILE,
        city: HOSTILE,
        lat: 52.5,
        lon: 13.4,
        radiusKm: 7,
        categories: ['music'],
        fromMs: 0,
        toMs: 1000,
        maxPrice: 9,
      },
      10,
      { f: 'x', k: 'rank', s: '0.5', id: HOSTILE },
    );
    expect(sql.text).not.toContain('drop table');
    expect(sql.text).not.toContain('music');
    expect(sql.values.filter((v) => v === HOSTILE)).toHaveLength(4); // namespace, q, city, cursor id
    expect(sql.values).toEqual(expect.arrayContaining([['scheduled'], 7000, ['music'], 9, 11, '0.5']));
    // Placeholders are numbered up to the number of values and no further.
    const used = [...sql.text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    expect(Math.max(...used)).toBe(sql.values.length);
  });
});

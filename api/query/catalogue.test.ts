import { describe, expect, it } from 'vitest';
import { applyCatalogueRecord, CatalogueIndex, haversineKm, type CatalogueQuery } from './catalogue.ts';
import { BERLIN, catalogEvent, PARIS } from './test-events.ts';
import type { CatalogEvent } from '../../model/index.ts';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const H = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();
const ids = (rows: Array<{ event: { id: string } }>) => rows.map((r) => r.event.id);
const all = { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER };

function collectingLog() {
  const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  return {
    warnings,
    log: {
      info: () => undefined,
      warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push({ msg, fields }),
      error: () => undefined,
    },
  };
}

describe('haversineKm', () => {
  it('measures great-circle distances', () => {
    expect(haversineKm(BERLIN, BERLIN)).toBe(0);
    expect(haversineKm(BERLIN, PARIS)).toBeGreaterThan(875);
    expect(haversineKm(BERLIN, PARIS)).toBeLessThan(882);
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(111.2, 1);
    expect(haversineKm({ lat: 0, lon: 179.5 }, { lat: 0, lon: -179.5 })).toBeCloseTo(111.2, 1);
  });
});

describe('CatalogueIndex', () => {
  it('keeps events ordered by startsAt then id, across upserts, replacements and deletes', () => {
    const index = new CatalogueIndex();
    index.upsert(catalogEvent('c', at(T0 + 2 * H)));
    index.upsert(catalogEvent('b', at(T0 + H)));
    index.upsert(catalogEvent('a', at(T0 + H)));
    expect(ids(index.query(all))).toEqual(['a', 'b', 'c']);
    index.upsert(catalogEvent('a', at(T0 + 3 * H))); // moved later
    expect(ids(index.query(all))).toEqual(['b', 'c', 'a']);
    expect(index.delete('c')).toBe(true);
    expect(index.delete('c')).toBe(false);
    index.upsert(catalogEvent('d', at(T0)));
    index.delete('d'); // added and deleted between two queries
    expect(ids(index.query(all))).toEqual(['b', 'a']);
    expect(index.size).toBe(2);
    expect(index.get('a')!.startsAt).toBe(at(T0 + 3 * H));
    expect(index.get('c')).toBeUndefined();
  });

  it('answers date windows as [from, to)', () => {
    const index = new CatalogueIndex();
    for (let i = 0; i < 10; i++) index.upsert(catalogEvent(`e${i}`, at(T0 + i * H)));
    expect(ids(index.query({ fromMs: T0 + 2 * H, toMs: T0 + 5 * H }))).toEqual(['e2', 'e3', 'e4']);
    expect(ids(index.query({ fromMs: T0 + 2.5 * H, toMs: T0 + 3.5 * H }))).toEqual(['e3']);
    expect(ids(index.query({ fromMs: T0 + 20 * H, toMs: T0 + 30 * H }))).toEqual([]);
  });

  it('filters by city, radius, category, price and status', () => {
    const index = new CatalogueIndex();
    index.upsert(catalogEvent('b1', at(T0)));
    index.upsert(catalogEvent('b2', at(T0), { category: 'theatre', venue: { lat: 52.6, lon: 13.405 } }));
    index.upsert(catalogEvent('b3', at(T0), { venue: { lat: null, lon: null }, price: null }));
    index.upsert(
      catalogEvent('b4', at(T0), {
        status: 'cancelled',
        price: { min: 0, max: 0, currency: 'EUR', isFree: true },
      }),
    );
    index.upsert(catalogEvent('p1', at(T0), { city: 'Paris', venue: PARIS }));
    const q = (extra: Partial<CatalogueQuery>) => ids(index.query({ ...all, ...extra })).sort();
    expect(q({ city: ' PARIS ' })).toEqual(['p1']);
    expect(q({ near: { ...BERLIN, radiusKm: 5 } })).toEqual(['b1', 'b4']);
    expect(q({ near: { ...BERLIN, radiusKm: 10 } })).toEqual(['b1', 'b2', 'b4']);
    expect(q({ categories: new Set(['theatre'] as const) })).toEqual(['b2']);
    expect(q({ maxPrice: 5 })).toEqual(['b4']);
    expect(q({ maxPrice: 10 })).toEqual(['b1', 'b2', 'b4', 'p1']);
    expect(q({ status: 'scheduled' })).toEqual(['b1', 'b2', 'b3', 'p1']);
    const near = index.query({ ...all, near: { ...BERLIN, radiusKm: 10 } });
    expect(near.find((r) => r.event.id === 'b2')!.distanceKm).toBeCloseTo(8.9, 1);
  });

  it('knows city centres (mean of located venues) and spellings, and forgets empty cities', () => {
    const index = new CatalogueIndex();
    index.upsert(catalogEvent('x', at(T0), { city: 'Lisbon', venue: { lat: 38, lon: -9 } }));
    index.upsert(catalogEvent('y', at(T0), { city: 'Lisbon', venue: { lat: 39, lon: -10 } }));
    index.upsert(catalogEvent('z', at(T0), { city: 'Lisbon', venue: { lat: null, lon: null } }));
    expect(index.cityCentre('lisbon')).toEqual({ lat: 38.5, lon: -9.5 });
    expect(index.cityName('LISBON')).toBe('Lisbon');
    index.upsert(catalogEvent('y', at(T0), { city: 'Porto', venue: { lat: 41, lon: -8 } })); // moved
    expect(index.cityCentre('Lisbon')).toEqual({ lat: 38, lon: -9 });
    expect(index.cityCentre('Porto')).toEqual({ lat: 41, lon: -8 });
    index.delete('x');
    expect(index.cityCentre('Lisbon')).toBeUndefined(); // only an unlocated venue left
    expect(index.cityName('Lisbon')).toBe('Lisbon');
    index.delete('z');
    expect(index.cityName('Lisbon')).toBeUndefined();
  });

  it('agrees with a brute-force scan after random changes, merged one by one or in bulk', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const index = new CatalogueIndex();
    const truth = new Map<string, CatalogEvent>();
    for (let round = 0; round < 40; round++) {
      // Rounds alternate between a few changes (insertion) and many (full sort).
      const changes = round % 4 === 0 ? 600 : 1 + Math.floor(rnd() * 20);
      for (let i = 0; i < changes; i++) {
        const id = `e${Math.floor(rnd() * 800)}`;
        if (rnd() < 0.2) {
          index.delete(id);
          truth.delete(id);
        } else {
          const e = catalogEvent(id, at(T0 + Math.floor(rnd() * 200) * H), {
            city: rnd() < 0.5 ? 'Berlin' : 'Paris',
          });
          index.upsert(e);
          truth.set(id, e);
        }
      }
      const fromMs = T0 + Math.floor(rnd() * 150) * H;
      const toMs = fromMs + Math.floor(rnd() * 80) * H;
      const expected = [...truth.values()]
        .filter(
          (e) => Date.parse(e.startsAt) >= fromMs && Date.parse(e.startsAt) < toMs && e.city === 'Paris',
        )
        .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || (a.id < b.id ? -1 : 1))
        .map((e) => e.id);
      expect(ids(index.query({ fromMs, toMs, city: 'paris' }))).toEqual(expected);
      expect(index.size).toBe(truth.size);
    }
  });

  it('is not loaded until told', () => {
    const index = new CatalogueIndex();
    expect(index.loaded).toBe(false);
    index.markLoaded();
    expect(index.loaded).toBe(true);
  });
});

describe('applyCatalogueRecord', () => {
  it('upserts valid events, deletes on null, skips invalid values with a warning', () => {
    const index = new CatalogueIndex();
    const { log, warnings } = collectingLog();
    const e = catalogEvent('ev-1', at(T0));
    expect(applyCatalogueRecord(index, 'ev-1', Buffer.from(JSON.stringify(e)), log)).toBe('upserted');
    expect(index.get('ev-1')).toEqual(e);
    expect(applyCatalogueRecord(index, 'ev-2', '{not json', log)).toBe('skipped');
    expect(
      applyCatalogueRecord(index, 'ev-3', JSON.stringify({ ...e, id: 'ev-3', category: 'nope' }), log),
    ).toBe('skipped');
    expect(warnings.map((w) => w.fields?.key)).toEqual(['ev-2', 'ev-3']);
    expect(String(warnings[1]!.fields?.error)).toContain('category');
    expect(index.size).toBe(1);
    expect(applyCatalogueRecord(index, 'ev-1', null, log)).toBe('deleted');
    expect(index.size).toBe(0);
    expect(applyCatalogueRecord(index, null, null, log)).toBe('skipped');
  });

  it('fills schema defaults and indexes by the event id', () => {
    const index = new CatalogueIndex();
    const { log } = collectingLog();
    const { performers: _p, ...withoutPerformers } = catalogEvent('ev-9', at(T0));
    applyCatalogueRecord(index, 'old-key', JSON.stringify(withoutPerformers), log);
    expect(index.get('ev-9')!.performers).toEqual([]);
    expect(index.get('old-key')).toBeUndefined();
  });
});

describe('CatalogueIndex and events already running', () => {
  it('offers multi-day events while they run, never ended ones or short ones that started', () => {
    const index = new CatalogueIndex();
    const D = 24 * H;
    index.upsert(
      catalogEvent('exhibition', at(T0 - 5 * D), { category: 'exhibition', endsAt: at(T0 + 10 * D) }),
    );
    index.upsert(
      catalogEvent('closed-show', at(T0 - 20 * D), { category: 'exhibition', endsAt: at(T0 - D) }),
    );
    index.upsert(catalogEvent('concert-started', at(T0 - H), { endsAt: at(T0 + H) }));
    index.upsert(catalogEvent('festival', at(T0 - 2 * D), { category: 'festival', endsAt: at(T0 + D) }));
    index.upsert(catalogEvent('tonight', at(T0 + 20 * H)));
    const window = { fromMs: T0, toMs: T0 + 7 * D };
    // Running ones first (by start), then the ones starting in the window.
    expect(ids(index.query(window))).toEqual(['exhibition', 'festival', 'tonight']);
    // Filters apply to them as to any event; a replaced or deleted one goes.
    expect(ids(index.query({ ...window, categories: new Set(['exhibition'] as const) }))).toEqual([
      'exhibition',
    ]);
    index.upsert(catalogEvent('festival', at(T0 - 2 * D), { category: 'festival', endsAt: at(T0 - H) }));
    index.delete('exhibition');
    expect(ids(index.query(window))).toEqual(['tonight']);
  });
});

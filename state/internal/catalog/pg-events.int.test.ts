import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../cli/config.ts';
import type { CatalogEvent } from '../../../model/index.ts';
import { migrate } from '../postgres/migrator.ts';
import { createPool } from '../postgres/pool.ts';
import type { EventSearchQuery } from './event-search.ts';
import { InvalidSearchCursorError } from './event-search.ts';
import { PgEventStore } from './pg-events.ts';
import { eur, ev, WORLD } from './test-catalog.ts';

const cfg = loadConfig();
const tag = `it-${Date.now().toString(36)}`;
// A namespace of our own: searches, totals and facets see only this file's events, whatever other
// tests put in the shared database.
const NS = `${tag}:`;

let store: PgEventStore;

const ms = (iso: string) => Date.parse(iso);

/** Ends before the 2028 events used for paging start. */
const IN_2027 = { fromMs: ms('2027-01-01T00:00:00Z'), toMs: ms('2028-01-01T00:00:00Z') };

const ids = async (q: EventSearchQuery) => (await store.search(q)).items.map((i) => i.event.id);

beforeAll(async () => {
  const c = new pg.Client({ connectionString: cfg.databaseUrl });
  await c.connect();
  await migrate(c);
  await c.end();
  store = new PgEventStore(createPool(cfg.databaseUrl, 2), NS);
  expect(await store.upsertMany(WORLD)).toBe(WORLD.length);
});

afterAll(async () => {
  await store?.close();
  const c = new pg.Client({ connectionString: cfg.databaseUrl });
  await c.connect();
  await c.query('delete from events where namespace like $1', [`${tag}%`]);
  await c.end();
});

describe('PgEventStore writes', () => {
  it('changes nothing when the same events (in any key order) are upserted again', async () => {
    expect(await store.upsertMany(WORLD)).toBe(0);
    const shuffled = WORLD.map((e) => Object.fromEntries(Object.entries(e).reverse()) as CatalogEvent);
    expect(await store.upsertMany(shuffled)).toBe(0);
  });

  it('rewrites a row whose event changed and reads the new event back', async () => {
    const moved = { ...WORLD[0]!, id: 'w1', price: eur(40, 130) };
    expect(await store.upsertMany([{ ...moved, price: eur(35, 120) }])).toBe(1);
    expect(await store.upsertMany([moved])).toBe(1);
    expect(await store.get('w1')).toEqual(moved);
    expect((await store.search({ q: 'Mahler', maxPrice: 39 })).items.map((i) => i.event.id)).toEqual(['b1']);
    expect(await store.deleteMany(['w1', 'never-there'])).toBe(1);
    expect(await store.get('w1')).toBeNull();
  });

  it('keeps namespaces apart: same id, separate rows, separate searches', async () => {
    const other = new PgEventStore(createPool(cfg.databaseUrl, 1), `${tag}-other:`);
    try {
      expect(await other.get('b1')).toBeNull();
      expect((await other.search({})).total).toBe(0);
      const mine = ev('b1', { title: 'Elsewhere' });
      expect(await other.upsertMany([mine])).toBe(1);
      expect(await other.get('b1')).toEqual(mine);
      expect((await store.get('b1'))?.title).toBe('Berliner Philharmoniker: Mahler 5');
      expect(await other.deleteMany(['b1'])).toBe(1);
      expect(await store.get('b1')).not.toBeNull();
    } finally {
      await other.close();
    }
  });

  it('keeps the last of several versions of one id in a batch', async () => {
    const a = ev('w2', { title: 'First' });
    const b = ev('w2', { title: 'Second' });
    expect(await store.upsertMany([a, b])).toBe(1);
    expect((await store.get('w2'))?.title).toBe('Second');
    expect(await store.deleteMany(['w2'])).toBe(1);
  });
});

describe('PgEventStore full-text search', () => {
  it('ranks the Mahler concert first for "philharmoniker mahler"', async () => {
    const r = await store.search({ q: 'philharmoniker mahler' });
    expect(r.items[0]?.event.id).toBe('b1');
    expect(r.items[0]?.score).toBeGreaterThan(0);
    expect(r.items[0]?.distanceKm).toBeNull();
  });

  it('stems German: "Landschaft" finds "Landschaften", "Nationalgalerien" the Nationalgalerie', async () => {
    expect(await ids({ q: 'Landschaft' })).toEqual(['b5']);
    // A venue word: no trigram help (titles only), so only the German stemmer can match it.
    expect((await ids({ q: 'Nationalgalerien' })).sort()).toEqual(['b4', 'b5']);
  });

  it('stems French and Spanish outside titles ("nationaux", "direcciones musicales")', async () => {
    // Neither English nor 'simple' reduces these to the performers' words; French and Spanish do.
    expect(await ids({ q: 'nationaux' })).toEqual(['p1']);
    expect(await ids({ q: 'direcciones musicales' })).toEqual(['m1']);
    expect(await ids({ q: 'teatros reales' })).toEqual(['m1']);
    expect(await ids({ q: 'maratones nocturnos' })).toEqual(['m3']);
  });

  it('ignores accents: "Comedie" finds the Comédie-Française, "Poetes" the Poètes', async () => {
    // (English stems "Comedy" and "Comedie" alike: The Comedy Store is a match too.)
    expect((await ids({ q: 'Comedie' })).sort()).toEqual(['l1', 'p1']);
    expect(await ids({ q: 'Poetes' })).toEqual(['p3']);
    expect(await ids({ q: 'Fuhrung' })).toEqual(['b4']);
  });

  it('tolerates typos in titles', async () => {
    expect(await ids({ q: 'Misantrope' })).toEqual(['p1']);
    expect(await ids({ q: 'Carmn' })).toEqual(['m1']);
    expect(await ids({ q: 'Schwanensse', statuses: ['cancelled'] })).toEqual(['b3']);
  });

  it('finds nothing for words that are nowhere', async () => {
    const r = await store.search({ q: 'Quantenchromodynamik' });
    expect(r).toEqual({ items: [], facets: { category: [], city: [] }, total: 0, nextCursor: null });
  });
});

describe('PgEventStore filters', () => {
  it('finds events within a radius, with their distances in km', async () => {
    const r = await store.search({ lat: 52.52, lon: 13.405, radiusKm: 3 });
    expect(r.items.map((i) => i.event.id)).toEqual(['b5', 'b4', 'b2', 'b1']);
    for (const i of r.items) {
      const expected = greatCircleKm(52.52, 13.405, i.event.venue.lat!, i.event.venue.lon!);
      expect(i.distanceKm).toBeCloseTo(expected, 2);
    }
    expect(r.items.find((i) => i.event.id === 'b1')?.distanceKm).toBeCloseTo(2.64, 1);
  });

  it('gives distances without a radius, null for a venue without coordinates', async () => {
    const r = await store.search({ lat: 40.4168, lon: -3.7038, city: 'Madrid' });
    expect(r.items.map((i) => [i.event.id, i.distanceKm === null])).toEqual([
      ['m2', true],
      ['m3', false],
      ['m1', false],
    ]);
  });

  it('matches cities without regard to case, spaces or accents', async () => {
    expect(await ids({ city: ' PARIS ' })).toEqual(['p2', 'p3', 'p1']);
    expect(await ids({ city: 'zurich' })).toEqual(['z1']);
  });

  it('keeps events overlapping the window, including those still running at its start', async () => {
    const window = { fromMs: ms('2027-04-01T00:00:00Z'), toMs: ms('2027-04-10T00:00:00Z') };
    expect(await ids(window)).toEqual(['m2', 'b5', 'p2', 'p1', 'l1']);
    // `to` is exclusive; an event that ended exactly at `from` is over.
    expect(await ids({ fromMs: ms('2027-03-21T11:00:00Z'), toMs: ms('2027-03-28T01:30:00Z') })).toEqual([
      'm2',
      'b5',
      'p2',
      'b6',
    ]);
  });

  it('filters by categories, price (free always qualifies) and status', async () => {
    expect(await ids({ ...IN_2027, categories: ['exhibition', 'cinema'] })).toEqual(['m2', 'b5', 'p2', 'm3']);
    expect(await ids({ ...IN_2027, maxPrice: 15 })).toEqual(['m2', 'b5', 'p3', 'b4', 'm3', 'p1', 'l1']);
    expect(await ids({ statuses: ['cancelled', 'postponed'] })).toEqual(['b3', 'p4']);
  });

  it('counts facets over all matches, each ignoring its own filter', async () => {
    const r = await store.search({ city: 'berlin', categories: ['music'], limit: 1 });
    expect(r.total).toBe(3);
    expect(r.items.map((i) => i.event.id)).toEqual(['b6']);
    expect(r.facets).toEqual({
      category: [
        { value: 'music', count: 3 },
        { value: 'exhibition', count: 1 },
        { value: 'talk', count: 1 },
      ],
      city: [
        { value: 'Berlin', count: 3 },
        { value: 'Madrid', count: 1 },
        { value: 'Zürich', count: 1 },
      ],
    });
  });
});

describe('PgEventStore paging', () => {
  const PAGED = Array.from({ length: 27 }, (_, i) =>
    ev(`page-${String(i).padStart(2, '0')}`, {
      title: `Seitenkonzert ${i % 3 === 0 ? 'Seitenkonzert ' : ''}Nummer ${i}`,
      category: 'other',
      city: 'Pagestadt',
      // Groups of three share a start, so the id decides their order.
      startsAt: new Date(Date.UTC(2028, 0, 1 + Math.floor((26 - i) / 3), 20)).toISOString(),
    }),
  );

  beforeAll(async () => {
    expect(await store.upsertMany(PAGED)).toBe(27);
  });

  async function walk(q: EventSearchQuery) {
    const seen: Array<{ id: string; score: number | null }> = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await store.search({ ...q, limit: 10, cursor });
      expect(r.total).toBe(27);
      expect(r.items.length).toBe(Math.min(10, 27 - seen.length));
      seen.push(...r.items.map((i) => ({ id: i.event.id, score: i.score })));
      if (r.nextCursor === null) return seen;
      cursor = r.nextCursor;
    }
    throw new Error('no last page after 10 pages');
  }

  it('returns every event exactly once, by (startsAt, id), over pages of 10', async () => {
    const seen = await walk({ city: 'Pagestadt' });
    const expected = [...PAGED]
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt) || (a.id < b.id ? -1 : 1))
      .map((e) => e.id);
    expect(seen.map((s) => s.id)).toEqual(expected);
    expect(expected.slice(0, 3)).toEqual(['page-24', 'page-25', 'page-26']);
  });

  it('returns every event exactly once, by relevance then id, over pages of 10', async () => {
    const seen = await walk({ q: 'Seitenkonzert', city: 'pagestadt' });
    expect(new Set(seen.map((s) => s.id)).size).toBe(27);
    const sorted = [...seen].sort((a, b) => b.score! - a.score! || (a.id < b.id ? -1 : 1));
    expect(seen).toEqual(sorted);
    expect(seen[0]!.score).toBeGreaterThan(seen[26]!.score!); // the doubled word ranks higher
  });

  it('rejects a cursor with other filters, of the other order, or malformed', async () => {
    const first = await store.search({ city: 'Pagestadt', limit: 10 });
    const cursor = first.nextCursor!;
    expect((await store.search({ city: ' pagestadt', limit: 5, cursor })).items).toHaveLength(5);
    await expect(store.search({ city: 'Berlin', cursor })).rejects.toBeInstanceOf(InvalidSearchCursorError);
    await expect(store.search({ city: 'Pagestadt', q: 'x', cursor })).rejects.toThrow(/other filters/);
    await expect(store.search({ city: 'Pagestadt', cursor: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(cursor, 'base64url').toString()),
        s: "'; drop table events; --",
      }),
    ).toString('base64url');
    await expect(store.search({ city: 'Pagestadt', cursor: forged })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });
});

describe('PgEventStore with hostile input', () => {
  const NASTY = `O'Brien "Live" \\ 100% _x_ ; DROP TABLE events; --`;

  it('treats injection strings and LIKE/regex characters as plain text', async () => {
    const e = ev('x1', { title: NASTY, city: "Saint-Jean-d'Angély", startsAt: '2029-01-01T20:00:00Z' });
    expect(await store.upsertMany([e])).toBe(1);
    expect(await store.get('x1')).toEqual(e);
    for (const q of ["'; DROP TABLE events; --", '%', '\\', '_', "''", '"', '%%; select 1; --', ')(*&^']) {
      const r = await store.search({ q, city: q, categories: ['music'] });
      expect(r.total).toBe(0);
    }
    expect(await ids({ q: "O'Brien" })).toEqual(['x1']);
    expect(await ids({ city: "saint-jean-d'angely" })).toEqual(['x1']);
    expect(await store.get("' or '1'='1")).toBeNull();
    expect(await store.deleteMany(["' or '1'='1", 'x1'])).toBe(1);
    expect((await store.search(IN_2027)).total).toBe(WORLD.length - 2); // intact (less b3 and p4: not scheduled)
  });
});

/** Great-circle distance on earthdistance's sphere (radius 6378.168 km). */
function greatCircleKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = (d: number) => (d * Math.PI) / 180;
  const h =
    Math.sin(r(lat2 - lat1) / 2) ** 2 +
    Math.cos(r(lat1)) * Math.cos(r(lat2)) * Math.sin(r(lon2 - lon1) / 2) ** 2;
  return 2 * 6378.168 * Math.asin(Math.sqrt(h));
}

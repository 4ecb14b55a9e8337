import { describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../../../model/index.ts';
import type { NormalisedListing } from '../listing.ts';
import { addListing, blockKey, removeListing, type BlockChange, type DedupBlock } from './block.ts';
import { canonicalEvent } from './canonical.ts';
import { evaluateMerge } from './evaluate.ts';
import { FIXTURE_WORLD, listing, truthListings } from './test-listings.ts';

const EMPTY: DedupBlock = { clusters: [] };
const key = (l: { source: string; sourceId: string }) => `${l.source}:${l.sourceId}`;
/** Ids of the block DE|berlin|2027-03-28: sha256(`DE|berlin|2027-03-28|source:sourceId`), see canonical.ts. */
const B1_ID = 'evt_ae614101ba13497e'; // founded by berlin-buehnen:mahler5@2027-03-28
const B1_SALTED_ID = 'evt_9d8469a6f39cdb37'; // the same founder, salt 2
const KK_4711_ID = 'evt_f966c03f7ac036bb';
const TK_1001_ID = 'evt_3890c11e0ef7f9f1';
const B2_ID = 'evt_2fa733c306880ae2';
/** The B1 cluster's id by the source of its first listing to arrive. */
const B1_FOUNDER_IDS: Record<string, string> = {
  'berlin-buehnen': B1_ID,
  'kulturkalender-berlin': KK_4711_ID,
  'ticketing-api': TK_1001_ID,
};
/** B2's founder in the block DE|berlin|2027-03-29. */
const B2_NEXT_DAY_ID = 'evt_ccfa57500122042a';

/** Adds listings in order, as the job does: one state per block, events applied as emitted. */
function load(listings: readonly NormalisedListing[]) {
  const blocks = new Map<string, DedupBlock>();
  const events = new Map<string, CatalogEvent>();
  for (const l of listings) {
    const k = blockKey(l);
    const change = addListing(blocks.get(k) ?? EMPTY, l);
    blocks.set(k, change.block);
    for (const e of change.upserted) events.set(e.id, e);
    for (const id of change.deleted) events.delete(id);
  }
  return { blocks, events, clusters: [...blocks.values()].flatMap((b) => b.clusters) };
}

const addAll = (listings: readonly NormalisedListing[], block = EMPTY) =>
  listings.reduce((b, l) => addListing(b, l).block, block);

/** The partition as sorted member keys, independent of cluster ids and order. */
const partition = (block: DedupBlock) => block.clusters.map((c) => c.members.map(key).join(' + ')).sort();

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

function expectDisjoint(change: BlockChange) {
  const up = change.upserted.map((e) => e.id);
  expect(change.deleted.filter((id) => up.includes(id))).toEqual([]);
}

describe('blockKey', () => {
  it('is country, folded city and local date', () => {
    const [b1] = truthListings('B1');
    expect(blockKey(b1!)).toBe('DE|berlin|2027-03-28');
    expect(blockKey({ ...b1!, event: { ...b1!.event, city: '  Zürich ', country: 'CH' } })).toBe(
      'CH|zurich|2027-03-28',
    );
  });
});

describe('the fixture world', () => {
  const world = load(FIXTURE_WORLD.map((f) => f.listing));
  const labels = Object.fromEntries(FIXTURE_WORLD.map((f) => [key(f.listing), f.truth]));

  it('merges every true duplicate and nothing else', () => {
    const r = evaluateMerge(world.clusters, labels);
    expect([r.precision, r.recall, r.falsePairs, r.missedPairs]).toEqual([1, 1, [], []]);
    const sizes = Object.fromEntries(
      world.clusters.map((c) => [labels[key(c.members[0]!)], c.members.length]),
    );
    expect(world.clusters).toHaveLength(20);
    expect(sizes).toMatchObject({ B1: 3, B5: 2, B6: 2, B7: 1, P1: 2, P2: 2, M1: 3, M2: 2, B2: 1 });
  });

  it('keeps B1 and B2 apart in one block, and B6 and B7 in different blocks', () => {
    const berlin = world.blocks.get('DE|berlin|2027-03-28')!;
    expect(partition(berlin)).toEqual([
      'berlin-buehnen:mahler5@2027-03-28 + kulturkalender-berlin:kk-4711 + ticketing-api:tk-1001',
      'berlin-buehnen:schubert@2027-03-28',
      'berlin-museen:fuehrung-romantik@2027-03-28T09:00:00Z',
      'kulturkalender-berlin:kk-trio-0328',
    ]);
    expect(world.blocks.get('DE|berlin|2027-03-27')!.clusters).toHaveLength(1);
  });

  it('emits exactly the canonical events of the final clusters', () => {
    expect([...world.events.values()].sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(
      world.clusters.map(canonicalEvent).sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    expect(world.events.get(B1_ID)?.sources.map((s) => s.source)).toEqual([
      'berlin-buehnen',
      'kulturkalender-berlin',
      'ticketing-api',
    ]);
  });

  it('changes nothing when every listing is imported again', () => {
    for (const { listing: l } of FIXTURE_WORLD) {
      const block = world.blocks.get(blockKey(l))!;
      const again = addListing(block, structuredClone(l));
      expect(again).toEqual({ block, upserted: [], deleted: [] });
      expect(again.block).toBe(block);
    }
  });
});

describe('arrival order', () => {
  it('gives the same B1 event in all six orders, its id from the first to arrive', () => {
    const reference = canonicalEvent(addAll(truthListings('B1')).clusters[0]!);
    for (const order of permutations(truthListings('B1'))) {
      const block = addAll(order);
      expect(block.clusters).toHaveLength(1);
      const id = B1_FOUNDER_IDS[order[0]!.source];
      expect(block.clusters[0]!.id).toBe(id);
      expect(JSON.stringify(canonicalEvent(block.clusters[0]!))).toBe(JSON.stringify({ ...reference, id }));
    }
  });

  it('gives the same partition of the busiest block in all 720 orders', () => {
    const busy = FIXTURE_WORLD.map((f) => f.listing).filter((l) => blockKey(l) === 'DE|berlin|2027-03-28');
    expect(busy).toHaveLength(6);
    const reference = partition(addAll(busy));
    for (const order of permutations(busy)) expect(partition(addAll(order))).toEqual(reference);
  });
});

describe('addListing', () => {
  const [buehnen, kk, ticketing] = truthListings('B1') as [
    NormalisedListing,
    NormalisedListing,
    NormalisedListing,
  ];
  const b1 = addAll([buehnen, kk, ticketing]);

  it('re-emits the cluster when a member changes but stays', () => {
    const changed = {
      ...kk,
      payloadHash: 'changed',
      event: { ...kk.event, performers: ['Kirill Petrenko', 'Anna Prohaska'] },
    };
    const change = addListing(b1, changed);
    expect(change.deleted).toEqual([]);
    expect(change.upserted.map((e) => [e.id, e.performers])).toEqual([
      [B1_ID, ['Berliner Philharmoniker', 'Kirill Petrenko', 'Anna Prohaska']],
    ]);
    expect(change.block.clusters[0]!.members).toContain(changed);
  });

  it('emits nothing when a member changes in a way the canonical event does not show', () => {
    const change = addListing(b1, { ...ticketing, payloadHash: 'other', unmappedTerms: ['Sinfoniekonzert'] });
    expect([change.upserted, change.deleted]).toEqual([[], []]);
    expect(change.block).not.toBe(b1);
  });

  it('moves a listing whose start moved far away out of its cluster', () => {
    const moved = {
      ...ticketing,
      payloadHash: 'moved',
      event: { ...ticketing.event, startsAt: '2027-03-28T12:00:00Z' },
    };
    const change = addListing(b1, moved);
    expect(partition(change.block)).toEqual([
      'berlin-buehnen:mahler5@2027-03-28 + kulturkalender-berlin:kk-4711',
      'ticketing-api:tk-1001',
    ]);
    expect(change.upserted.map((e) => [e.id, e.sources.length])).toEqual([
      [TK_1001_ID, 1],
      [B1_ID, 2],
    ]);
    expect(change.deleted).toEqual([]);
  });

  it('keeps the cluster id when the founder leaves, and salts the id of the cluster it founds', () => {
    const moved = {
      ...buehnen,
      payloadHash: 'moved',
      event: { ...buehnen.event, startsAt: '2027-03-28T12:00:00Z' },
    };
    const change = addListing(b1, moved);
    expectDisjoint(change);
    const ids = Object.fromEntries(change.block.clusters.map((c) => [c.members.map(key).join(' + '), c.id]));
    expect(ids).toEqual({
      'kulturkalender-berlin:kk-4711 + ticketing-api:tk-1001': B1_ID,
      'berlin-buehnen:mahler5@2027-03-28': B1_SALTED_ID,
    });
    const b1Event = change.upserted.find((e) => e.id === B1_ID)!;
    expect(b1Event.title).toBe('Mahler: Sinfonie Nr. 5 – Berliner Philharmoniker');
  });

  it('re-founds a changed single-member cluster under the same id, without a tombstone', () => {
    const [b2] = truthListings('B2');
    const block = addAll([b2!]);
    const change = addListing(block, {
      ...b2!,
      payloadHash: 'new',
      event: { ...b2!.event, title: 'Schubert: Forellenquintett' },
    });
    expect(change.deleted).toEqual([]);
    expect(change.upserted.map((e) => [e.id, e.title])).toEqual([[B2_ID, 'Schubert: Forellenquintett']]);
  });

  it('gives a single-listing event that moves to another day a new id there, and tombstones the old one', () => {
    const [b2] = truthListings('B2');
    const old = addAll([b2!]);
    const moved = {
      ...b2!,
      payloadHash: 'next-day',
      localDate: '2027-03-29',
      event: { ...b2!.event, startsAt: '2027-03-29T09:00:00Z' },
    };
    expect([blockKey(b2!), blockKey(moved)]).toEqual(['DE|berlin|2027-03-28', 'DE|berlin|2027-03-29']);
    // The job retracts it from its old block and adds it to its new one, in independent tasks.
    const leaving = removeListing(old, b2!.source, b2!.sourceId);
    const arriving = addListing(EMPTY, moved);
    expect(leaving).toEqual({ block: { clusters: [] }, upserted: [], deleted: [B2_ID] });
    expect(arriving.deleted).toEqual([]);
    expect(arriving.upserted.map((e) => [e.id, e.startsAt])).toEqual([
      [B2_NEXT_DAY_ID, '2027-03-29T09:00:00Z'],
    ]);
    // On the compacted topic the moved event survives the tombstone in either order.
    for (const changes of [
      [leaving, arriving],
      [arriving, leaving],
    ]) {
      const topic = new Map<string, CatalogEvent | null>([[B2_ID, canonicalEvent(old.clusters[0]!)]]);
      for (const c of changes) {
        for (const e of c.upserted) topic.set(e.id, e);
        for (const id of c.deleted) topic.set(id, null);
      }
      expect([...topic].map(([id, e]) => [id, e?.startsAt ?? null])).toEqual([
        [B2_ID, null],
        [B2_NEXT_DAY_ID, '2027-03-29T09:00:00Z'],
      ]);
    }
  });

  it('joins the cluster with the best score', () => {
    const carmen = (source: string, sourceId: string, startsAt: string) =>
      listing({
        source,
        sourceId,
        title: 'Carmen',
        venue: 'Teatro Real',
        startsAt,
        lat: 40.4184,
        lon: -3.7109,
        city: 'Madrid',
        country: 'ES',
        timezone: 'Europe/Madrid',
      });
    const block = addAll([
      carmen('a', 'early', '2027-04-15T17:00:00Z'),
      carmen('a', 'late', '2027-04-15T17:30:00Z'),
    ]);
    expect(block.clusters).toHaveLength(2);
    expect(partition(addListing(block, carmen('b', 'x', '2027-04-15T17:30:00Z')).block)).toEqual([
      'a:early',
      'a:late + b:x',
    ]);
  });

  it('does not merge Carmen at another venue and time', () => {
    const zarzuela = listing({
      source: 'madrid-agenda',
      sourceId: 'carmen-zarzuela',
      title: 'Carmen',
      venue: 'Teatro de la Zarzuela',
      startsAt: '2027-04-15T10:00:00Z',
      lat: 40.4176,
      lon: -3.6966,
      city: 'Madrid',
      country: 'ES',
      timezone: 'Europe/Madrid',
    });
    const block = addAll([...truthListings('M1'), zarzuela]);
    expect(block.clusters.map((c) => c.members.length)).toEqual([3, 1]);
  });

  it('merges one source listing an event twice at one start, never at two starts', () => {
    const trio = (sourceId: string, startsAt: string, title = 'Trio Nocturne – Jazz im A-Trane') =>
      listing({ source: 'kk', sourceId, title, venue: 'A-Trane', startsAt, lat: 52.5063, lon: 13.3185 });
    const twice = addAll([
      trio('1', '2027-03-27T20:30:00Z'),
      trio('2', '2027-03-27T20:30:00Z', 'Trio Nocturne'),
    ]);
    expect(partition(twice)).toEqual(['kk:1 + kk:2']);
    const twoSets = addAll([trio('1', '2027-03-27T20:30:00Z'), trio('2', '2027-03-27T21:00:00Z')]);
    expect(partition(twoSets)).toEqual(['kk:1', 'kk:2']);
  });
});

describe('removeListing', () => {
  const b1 = addAll(truthListings('B1'));

  it('re-emits the cluster without the member, keeping its id', () => {
    const change = removeListing(b1, 'berlin-buehnen', 'mahler5@2027-03-28');
    expect(change.deleted).toEqual([]);
    expect(change.upserted.map((e) => [e.id, e.sources.length, e.title])).toEqual([
      [B1_ID, 2, 'Mahler: Sinfonie Nr. 5 – Berliner Philharmoniker'],
    ]);
  });

  it('deletes the cluster with its last member', () => {
    const change = [
      'berlin-buehnen:mahler5@2027-03-28',
      'kulturkalender-berlin:kk-4711',
      'ticketing-api:tk-1001',
    ]
      .map((k) => k.split(':') as [string, string])
      .reduce<BlockChange>((c, [s, id]) => removeListing(c.block, s, id), {
        block: b1,
        upserted: [],
        deleted: [],
      });
    expect(change).toEqual({ block: { clusters: [] }, upserted: [], deleted: [B1_ID] });
  });

  it('changes nothing for a listing the block does not hold', () => {
    expect(removeListing(b1, 'nowhere', 'x')).toEqual({ block: b1, upserted: [], deleted: [] });
    expect(removeListing(b1, 'nowhere', 'x').block).toBe(b1);
  });

  it('leaves its input block untouched', () => {
    const before = JSON.stringify(b1);
    removeListing(b1, 'ticketing-api', 'tk-1001');
    addListing(b1, truthListings('B2')[0]!);
    expect(JSON.stringify(b1)).toBe(before);
  });
});

/**
 * The shipped fixtures (catalog/fixtures/README.md) through the whole catalogue path, offline:
 * every source of configs/sources.yaml, adapters, normalisation, dedup. Each true event must come
 * out exactly once with the expected instants, category, price and status; the known duplicates
 * merge and nothing else does; importing everything again changes nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../../model/index.ts';
import { importSources, OfflinePipeline } from './offline.ts';
import { loadSourcesFile } from './sources-config.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const configFile = path.join(root, 'configs/sources.yaml');
const sources = loadSourcesFile(configFile).sources;
const labels = JSON.parse(readFileSync(path.join(root, 'catalog/fixtures/labels.json'), 'utf8')) as Record<
  string,
  string
>;
const NOW = Date.parse('2027-01-01T00:00:00Z');

type Expected = [
  truth: string,
  startsAt: string,
  endsAt: string | null,
  category: string,
  price: string,
  status: CatalogEvent['status'],
  city: string,
  sources: number,
];

// From the fixture world's table (catalog/fixtures/README.md).
const EXPECTED: Expected[] = [
  [
    'B1',
    '2027-03-28T18:00:00.000Z',
    '2027-03-28T20:00:00.000Z',
    'music/classical',
    '35-120 EUR',
    'scheduled',
    'Berlin',
    3,
  ],
  [
    'B2',
    '2027-03-28T09:00:00.000Z',
    '2027-03-28T10:30:00.000Z',
    'music/classical',
    '25-25 EUR',
    'scheduled',
    'Berlin',
    1,
  ],
  [
    'B3',
    '2027-03-30T17:30:00.000Z',
    '2027-03-30T20:00:00.000Z',
    'dance/ballet',
    '40-150 EUR',
    'cancelled',
    'Berlin',
    1,
  ],
  [
    'B4-0321',
    '2027-03-21T10:00:00.000Z',
    '2027-03-21T11:00:00.000Z',
    'talk/tour',
    'free EUR',
    'scheduled',
    'Berlin',
    1,
  ],
  [
    'B4-0328',
    '2027-03-28T09:00:00.000Z',
    '2027-03-28T10:00:00.000Z',
    'talk/tour',
    'free EUR',
    'scheduled',
    'Berlin',
    1,
  ],
  [
    'B4-0411',
    '2027-04-11T09:00:00.000Z',
    '2027-04-11T10:00:00.000Z',
    'talk/tour',
    'free EUR',
    'scheduled',
    'Berlin',
    1,
  ],
  [
    'B5',
    '2027-02-28T23:00:00.000Z',
    '2027-08-01T22:00:00.000Z',
    'exhibition/art',
    '14-14 EUR',
    'scheduled',
    'Berlin',
    2,
  ],
  ['B6', '2027-03-27T20:30:00.000Z', null, 'music/jazz', '19-19 EUR', 'scheduled', 'Berlin', 2],
  ['B7', '2027-03-28T19:30:00.000Z', null, 'music/jazz', '19-19 EUR', 'scheduled', 'Berlin', 1],
  [
    'L1',
    '2027-04-03T19:00:00.000Z',
    '2027-04-03T21:00:00.000Z',
    'comedy/stand-up',
    '12.5-12.5 GBP',
    'scheduled',
    'London',
    1,
  ],
  [
    'L2',
    '2027-05-14T18:00:00.000Z',
    '2027-05-14T19:30:00.000Z',
    'other/-',
    '35-35 GBP',
    'scheduled',
    'London',
    1,
  ],
  [
    'M1',
    '2027-04-15T17:30:00.000Z',
    '2027-04-15T20:45:00.000Z',
    'music/opera',
    '15.5-120 EUR',
    'scheduled',
    'Madrid',
    3,
  ],
  [
    'M2',
    '2027-01-31T23:00:00.000Z',
    '2027-05-31T22:00:00.000Z',
    'exhibition/art',
    '15-15 EUR',
    'scheduled',
    'Madrid',
    2,
  ],
  ['M3', '2027-03-28T01:30:00.000Z', null, 'cinema/-', 'free EUR', 'scheduled', 'Madrid', 1],
  ['M4', '2027-10-31T00:30:00.000Z', null, 'cinema/classic', '4.5-4.5 EUR', 'scheduled', 'Madrid', 1],
  ['M5', '2027-04-16T20:00:00.000Z', null, 'dance/flamenco', '25-25 EUR', 'cancelled', 'Madrid', 1],
  [
    'P1',
    '2027-04-02T18:30:00.000Z',
    '2027-04-02T21:00:00.000Z',
    'theatre/drama',
    '15-45 EUR',
    'scheduled',
    'Paris',
    2,
  ],
  [
    'P2',
    '2027-03-09T23:00:00.000Z',
    '2027-06-20T22:00:00.000Z',
    'exhibition/art',
    '16-16 EUR',
    'scheduled',
    'Paris',
    2,
  ],
  [
    'P3',
    '2027-03-12T23:00:00.000Z',
    '2027-03-15T23:00:00.000Z',
    'festival/literature',
    'free EUR',
    'scheduled',
    'Paris',
    1,
  ],
  ['P4', '2027-04-09T19:00:00.000Z', null, 'comedy/stand-up', '20-20 EUR', 'postponed', 'Paris', 1],
  [
    'P5',
    '2027-04-20T18:00:00.000Z',
    '2027-04-20T20:00:00.000Z',
    'music/classical',
    '30-90 EUR',
    'cancelled',
    'Paris',
    1,
  ],
];

const priceOf = (p: CatalogEvent['price']) =>
  p === null ? 'null' : p.isFree ? `free ${p.currency}` : `${p.min}-${p.max} ${p.currency}`;

async function imported(): Promise<OfflinePipeline> {
  const pipeline = new OfflinePipeline();
  await importSources(pipeline, sources, path.dirname(configFile), NOW);
  return pipeline;
}

describe('the shipped fixtures', () => {
  it('give exactly the expected canonical events, each true event once', async () => {
    const { state } = await imported();
    const actual = [...state.events.values()].map((e): Expected => {
      const truths = [...new Set(e.sources.map((s) => labels[`${s.source}:${s.sourceId}`] ?? '?'))];
      // Duplicates merge and nothing else does: one truth per event.
      expect(truths).toHaveLength(1);
      return [
        truths[0]!,
        e.startsAt,
        e.endsAt,
        `${e.category}/${e.subcategory ?? '-'}`,
        priceOf(e.price),
        e.status,
        e.city,
        e.sources.length,
      ];
    });
    expect(actual.sort((a, b) => a[0].localeCompare(b[0]))).toEqual(EXPECTED);
  });

  it('name the cancelled concert without its "ANNULÉ :" prefix and keep every source of a merged event', async () => {
    const { state } = await imported();
    const events = [...state.events.values()];
    expect(events.map((e) => e.title)).toContain('Orchestre de Paris – Ravel');
    const carmen = events.find((e) => e.title === 'Carmen')!;
    expect(carmen.sources.map((s) => s.source).sort()).toEqual([
      'madrid-agenda',
      'madrid-export',
      'ticketing-api',
    ]);
    expect(carmen.venue.lat).toBeCloseTo(40.4184, 3);
    expect(carmen.timezone).toBe('Europe/Madrid');
  });

  it('reject exactly the two broken listings, with reasons', async () => {
    const { state } = await imported();
    expect(state.rejected.map((r) => `${r.source}: ${r.reason}`).sort()).toEqual([
      'kulturkalender-berlin: startDate: missing',
      'madrid-export: start (fecha): "32/13/2027" is not a date in the format dd/MM/yyyy',
    ]);
  });

  it('change nothing when every source is imported again', async () => {
    const pipeline = await imported();
    const before = JSON.stringify([...pipeline.state.events]);
    const applied = pipeline.state.applied;
    await importSources(pipeline, sources, path.dirname(configFile), NOW + 3_600_000);
    expect(pipeline.state.applied).toBe(applied);
    expect(JSON.stringify([...pipeline.state.events])).toBe(before);
  });
});

/**
 * `pulse bench catalog`: generated listings (a share of them the same events listed again by a
 * second source, the way an aggregator re-lists them) through normalisation and deduplication.
 *
 * - ceiling: what any job pays per listing before doing anything: JSON decode, schema validation
 *   of the raw listing, JSON encode of a result;
 * - functions: normalise + dedup as plain function calls (the offline pipeline);
 * - jobs: the real `normalise-listings` and `dedup-events` jobs on the runtime's test driver (their
 *   stores, JSON encoding and schema checks included; no broker).
 *
 * The merge is scored against the generator's truth (precision and recall of duplicate pairs).
 */
import cityTimezones from 'city-timezones';
import { DateTime } from 'luxon';
import {
  evaluateMerge,
  ListingDraft,
  OfflinePipeline,
  payloadHash,
  RawListing,
  type ListingDraftInput,
} from '../catalog/index.ts';
import { dedupEventsJob } from '../jobs/dedup-events/job.ts';
import { normaliseListingsJob } from '../jobs/normalise-listings/job.ts';
import { TestDriver } from '../runtime/testing/index.ts';
import { machineInfo, type MachineInfo } from './catalogue.ts';

export const CATALOG_TARGET_PER_SEC = 5000;
const BATCH = 500;
const COMMIT_EVERY = 5000;

export interface CatalogBenchOptions {
  listings: number;
  duplicateShare: number;
  cities: number;
  days: number;
  seed?: number;
  progress: (msg: string) => void;
}

export interface CatalogBenchRow {
  name: string;
  listingsPerSec: number;
  seconds: number;
}

export interface CatalogBenchReport {
  machine: MachineInfo;
  listings: number;
  duplicates: number;
  cities: number;
  days: number;
  rows: CatalogBenchRow[];
  events: number;
  precision: number;
  recall: number;
  peakRssMiB: number;
  target: number;
}

const PERFORMERS = ['Trio', 'Quartett', 'Ensemble', 'Orchestre', 'Banda', 'Choir', 'Collective', 'Duo'];
const NAMES = [
  'Nocturne',
  'Aurora',
  'Lumen',
  'Boreal',
  'Sirocco',
  'Marea',
  'Kestrel',
  'Velvet',
  'Quarz',
  'Solstice',
  'Cobalt',
  'Mistral',
  'Tundra',
  'Ember',
  'Halcyon',
  'Zephyr',
  'Obsidian',
  'Saffron',
  'Meridian',
  'Lyra',
];
const WORKS = [
  'Winterreise',
  'Goldberg Variations',
  'Carmina Burana',
  'Le Sacre',
  'Bolero',
  'Requiem',
  'Sinfonie Nr. 9',
  'Nuits d\u2019été',
  'El amor brujo',
  'Pierrot lunaire',
  'Tabula rasa',
  'Kind of Blue',
  'Live Session',
  'Night Songs',
  'Spring Gala',
  'Nordic Light',
  'Canciones',
  'Chansons',
  'Lieder',
  'Études',
];
const TERMS = [
  'Konzert',
  'Klassik',
  'Théâtre',
  'exposition',
  'Ballett',
  'Ópera',
  'Cine',
  'Comedy',
  'Lesung',
  'Jazz',
];
const VENUES = ['Halle', 'Theater', 'Salle', 'Teatro', 'Kulturhaus', 'Studio', 'Club', 'Galerie'];

/** European cities of the gazetteer, largest first. */
function cities(n: number) {
  return cityTimezones.cityMapping
    .filter((c) => c.timezone?.startsWith('Europe/') && c.iso2?.length === 2)
    .sort((a, b) => b.pop - a.pop)
    .slice(0, n);
}

/** The listings, with a truth key per listing (`source:sourceId` → event). */
export function generateListings(o: CatalogBenchOptions): {
  raw: RawListing[];
  truth: Record<string, string>;
} {
  let seed = o.seed ?? 7;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const places = cities(o.cities);
  const uniques = Math.round(o.listings * (1 - o.duplicateShare));
  const raw: RawListing[] = [];
  const truth: Record<string, string> = {};
  const start = DateTime.fromISO('2027-03-01T00:00:00', { zone: 'UTC' });
  const push = (source: string, sourceId: string, priority: number, draft: ListingDraftInput, t: string) => {
    const payload = ListingDraft.parse(draft);
    raw.push({ source, sourceId, fetchedAt: 0, payloadHash: payloadHash(payload), priority, payload });
    truth[`${source}:${sourceId}`] = t;
  };
  const originals: Array<{ draft: ListingDraftInput; zone: string; id: string }> = [];
  for (let i = 0; i < uniques; i++) {
    const city = pick(places);
    const zone = city.timezone;
    const local = start
      .plus({ days: Math.floor(rnd() * o.days) })
      .set({ hour: 17 + Math.floor(rnd() * 5), minute: pick([0, 15, 30, 45]) });
    const lat = city.lat + (rnd() - 0.5) * 0.1;
    const lon = city.lng + (rnd() - 0.5) * 0.1;
    const draft: ListingDraftInput = {
      title: `${pick(PERFORMERS)} ${pick(NAMES)} ${pick(NAMES)}: ${pick(WORKS)}`,
      start: local.toFormat("yyyy-LL-dd'T'HH:mm:ss"),
      timezone: zone,
      venue: {
        name: `${pick(VENUES)} ${pick(NAMES)}`,
        address: `${1 + Math.floor(rnd() * 200)} Main Street, ${city.city}`,
        city: city.city,
        country: city.iso2,
        lat,
        lon,
      },
      categories: [pick(TERMS)],
      priceText: rnd() < 0.2 ? 'free' : `${5 + Math.floor(rnd() * 30)},${pick(['00', '50'])} €`,
      language: 'en',
    };
    const id = `e${i}`;
    originals.push({ draft, zone, id });
    push('venues', id, 10, draft, id);
  }
  for (let i = 0; raw.length < o.listings; i++) {
    const { draft, zone, id } = originals[Math.floor(rnd() * originals.length)]!;
    const venue = draft.venue;
    const utc = DateTime.fromISO(draft.start, { zone }).toUTC().toISO({ suppressMilliseconds: true })!;
    push(
      'aggregator',
      `a${i}`,
      0,
      {
        ...draft,
        title: rnd() < 0.5 ? draft.title.replace(':', ' -') : `${draft.title} (live)`,
        start: utc,
        timezone: null,
        venue: { ...venue, name: venue.name!.toUpperCase(), lat: venue.lat! + 0.0002, lon: venue.lon! },
        priceText: '10-40 EUR',
      },
      id,
    );
  }
  return { raw, truth };
}

export async function runCatalogBench(o: CatalogBenchOptions): Promise<CatalogBenchReport> {
  o.progress(`generating ${o.listings.toLocaleString('en-US')} listings`);
  const { raw, truth } = generateListings(o);
  const json = raw.map((r) => JSON.stringify(r));
  let peak = process.memoryUsage().rss;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const rows: CatalogBenchRow[] = [];
  const time = async (name: string, f: () => void | Promise<void>) => {
    o.progress(name);
    const t0 = process.hrtime.bigint();
    await f();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    sample();
    rows.push({ name, seconds, listingsPerSec: raw.length / seconds });
  };

  await time('ceiling: decode, validate, encode', () => {
    let n = 0;
    for (const j of json) n += JSON.stringify(RawListing.parse(JSON.parse(j)).payload).length;
    if (n === 0) throw new Error('nothing encoded');
  });

  await time('normalise-listings + dedup-events (jobs, test driver)', async () => {
    const normalise = await TestDriver.create(normaliseListingsJob({}), {
      partitions: 1,
      cacheEntries: 200_000,
    });
    const dedup = await TestDriver.create(dedupEventsJob({}), { partitions: 1, cacheEntries: 200_000 });
    // Batches of 500 records, as a consumer fetch hands them to a task, and a commit every
    // 5,000 listings: the jobs' 1 s commit interval at the target rate.
    for (let i = 0; i < raw.length; i += BATCH) {
      const end = Math.min(raw.length, i + BATCH);
      const batch = [];
      for (let k = i; k < end; k++)
        batch.push({ key: `${raw[k]!.source}:${raw[k]!.sourceId}`, value: Buffer.from(json[k]!) });
      await normalise.pipeRawBatch('listings', batch);
      const blocks = normalise.readOutputRaw('blocks');
      normalise.clearOutputs();
      await dedup.pipeRawBatch('blocks', blocks);
      dedup.clearOutputs();
      if (end % COMMIT_EVERY === 0 || end === raw.length) {
        await normalise.commit();
        await dedup.commit();
        sample();
      }
    }
    await normalise.close();
    await dedup.close();
  });

  // Last, and in a scope of its own: its 80,000 events must not weigh on the jobs' heap.
  const { events, merge } = await (async () => {
    const pipeline = new OfflinePipeline();
    await time('normalise + dedup (functions)', () => {
      for (let i = 0; i < raw.length; i += 1000) {
        pipeline.apply(raw.slice(i, i + 1000));
        if (i % 10_000 === 0) sample();
      }
    });
    const clusters = [...pipeline.state.blocks.values()].flatMap((b) => b.clusters);
    return { events: pipeline.state.events.size, merge: evaluateMerge(clusters, truth) };
  })();

  return {
    machine: machineInfo(),
    listings: raw.length,
    duplicates: raw.length - Math.round(o.listings * (1 - o.duplicateShare)),
    cities: o.cities,
    days: o.days,
    rows,
    events,
    precision: merge.precision,
    recall: merge.recall,
    peakRssMiB: Math.round(peak / 2 ** 20),
    target: CATALOG_TARGET_PER_SEC,
  };
}

export function formatCatalogReport(r: CatalogBenchReport): string {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const lines = [
    `Catalogue: ${fmt(r.listings)} listings (${fmt(r.duplicates)} duplicates) in ${r.cities} cities over ${r.days} days`,
    `machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}`,
    '',
    `${'path'.padEnd(56)}${'listings/s'.padStart(12)}${'seconds'.padStart(10)}`,
    ...r.rows.map(
      (row) =>
        `${row.name.padEnd(56)}${fmt(row.listingsPerSec).padStart(12)}${row.seconds.toFixed(1).padStart(10)}`,
    ),
    '',
    `canonical events: ${fmt(r.events)}; merge precision ${r.precision.toFixed(4)}, recall ${r.recall.toFixed(4)}; peak RSS ${r.peakRssMiB} MiB`,
  ];
  const jobs = r.rows.find((row) => row.name.includes('jobs'))!;
  const ceiling = r.rows[0]!;
  lines.push(
    `target: at least ${fmt(r.target)} listings/s through normalise and dedup: ${jobs.listingsPerSec >= r.target ? 'MET' : 'MISSED'} (${fmt(jobs.listingsPerSec)} through the jobs, ${(jobs.listingsPerSec / ceiling.listingsPerSec).toFixed(2)}x the ceiling)`,
  );
  return lines.join('\n');
}

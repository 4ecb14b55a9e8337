/**
 * The catalogue end to end on the real stack: every fixture source imported into Kafka, normalised,
 * deduplicated and stored in PostgreSQL by a real worker process, searched through the query API.
 * The stream jobs must give exactly the canonical events of the offline pipeline (the same
 * functions, no Kafka), and importing everything a second time must change nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, projectRoot } from '../cli/config.ts';
import {
  importSources,
  loadSourcesFile,
  OfflinePipeline,
  runImport,
  type CatalogEvent,
} from '../catalog/index.ts';
import { startQueryServer } from '../api/index.ts';
import { createAdmin } from '../runtime/index.ts';
import { createPool, migrate, PgCatalogQuality } from '../state/index.ts';
import { deleteTopicsWithPrefix, readAll } from './support/kafka.ts';
import { waitCaughtUp, WorkerProcess } from './support/worker-process.ts';

const cfg = loadConfig();
const brokers = cfg.kafkaBrokers;
const ns = `it-cat-${Date.now().toString(36)}-`;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-catalog-'));
const configFile = path.join(projectRoot, 'configs/sources.yaml');
const sources = loadSourcesFile(configFile).sources;
const NOW = Date.parse('2027-01-01T00:00:00Z');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const pool = createPool(cfg.databaseUrl, 2);

afterAll(async () => {
  await deleteTopicsWithPrefix(brokers, ns).catch(() => undefined);
  for (const table of ['events', 'catalog_listings', 'catalog_source_runs'])
    await pool.query(`delete from ${table} where namespace = $1`, [ns]).catch(() => undefined);
  await pool.end();
});

/** Imports every fixture source as `pulse catalog run --once` does (runs recorded). */
async function importAll(): Promise<void> {
  const runs = new PgCatalogQuality(pool, ns);
  for (const s of sources) {
    const location = path.resolve(path.dirname(configFile), s.path!);
    await runImport({ brokers, namespace: ns, partitions: 3 }, location, s, runs, {
      now: NOW,
      horizonDays: 365,
    });
  }
}

async function endOffsets(topic: string): Promise<number> {
  const admin = createAdmin(brokers);
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function caughtUp(workers: WorkerProcess[]): Promise<void> {
  for (const [job, topic] of [
    ['normalise-listings', 'raw-listings'],
    ['dedup-events', 'catalog-listings'],
    ['catalog-store', 'events-catalog'],
    ['catalog-store', 'catalog-listing-status'],
  ] as const)
    await waitCaughtUp(brokers, `${ns}${job}`, `${ns}${topic}`, 120_000, workers);
}

async function storedEvents(): Promise<Map<string, CatalogEvent>> {
  const r = await pool.query<{ id: string; doc: CatalogEvent }>(
    'select id, doc from events where namespace = $1',
    [ns],
  );
  return new Map(r.rows.map((row) => [row.id, row.doc]));
}

describe('catalogue pipeline', () => {
  it('turns every fixture source into the offline canonical events, idempotently, and serves search', async () => {
    const c = await pool.connect();
    await migrate(c).finally(() => c.release());
    const offline = new OfflinePipeline();
    await importSources(offline, sources, path.dirname(configFile), NOW);
    expect(offline.state.events.size).toBeGreaterThan(15);

    const worker = new WorkerProcess({
      id: 'catalog-1',
      jobs: 'normalise-listings,dedup-events,catalog-store',
      namespace: ns,
      stateDir: path.join(root, 'state'),
      logDir: path.join(root, 'logs'),
    });
    await importAll();
    worker.start();
    try {
      await caughtUp([worker]);
      const stored = await storedEvents();
      // Which listings were merged into which event, readably first; then the events themselves.
      const summary = (events: Iterable<CatalogEvent>) =>
        [...events].map((e) => `${e.title} <- ${e.sources.map((s) => s.source).join(', ')}`).sort();
      expect(summary(stored.values())).toEqual(summary(offline.state.events.values()));
      // The events themselves, but for their ids: an id is set by the listing that founded the
      // event, i.e. by arrival order, which Kafka's partitions interleave differently.
      const byMembers = (events: Iterable<CatalogEvent>) =>
        new Map(
          [...events].map(({ id: _id, ...e }) => [
            e.sources.map((s) => `${s.source}:${s.sourceId}`).join(' '),
            e,
          ]),
        );
      expect(byMembers(stored.values())).toEqual(byMembers(offline.state.events.values()));

      // The compacted topic holds the same events (latest value per key).
      const latest = new Map<string, unknown>();
      for (const r of await readAll(brokers, `${ns}events-catalog`)) latest.set(r.key!, r.value);
      expect(new Set([...latest].filter(([, v]) => v !== null).map(([k]) => k))).toEqual(
        new Set(stored.keys()),
      );

      // A second import of unchanged sources changes nothing downstream.
      const before = await endOffsets(`${ns}catalog-listings`);
      const eventsBefore = await endOffsets(`${ns}events-catalog`);
      await importAll();
      await caughtUp([worker]);
      expect(await endOffsets(`${ns}catalog-listings`)).toBe(before);
      expect(await endOffsets(`${ns}events-catalog`)).toBe(eventsBefore);

      // Data quality: merged duplicates, the unmapped term, rejections with reasons.
      const report = await new PgCatalogQuality(pool, ns).report();
      const ticketing = report.find((s) => s.source === 'ticketing-api')!;
      expect(ticketing.mergedAsDuplicates).toBeGreaterThanOrEqual(4);
      expect(ticketing.unmappedTerms.map((t) => t.term)).toContain('immersive experience');
      const csv = report.find((s) => s.source === 'madrid-export')!;
      expect(csv.parseRejected + csv.rejected).toBeGreaterThanOrEqual(1);
    } finally {
      await worker.stop();
    }

    // Search over PostgreSQL through the query API.
    const server = await startQueryServer({
      port: 0,
      hostname: '127.0.0.1',
      redisUrl: cfg.redisUrl,
      databaseUrl: cfg.databaseUrl,
      namespace: ns,
      keys: 'it-key',
      jwtSecret: undefined,
      nodeEnv: 'test',
      brokers,
      catalogTopic: `${ns}events-catalog`,
      log: quiet,
    });
    try {
      const get = async (q: string) => {
        const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/events?${q}`, {
          headers: { authorization: 'Bearer it-key' },
        });
        expect(res.status).toBe(200);
        return (await res.json()) as {
          items: Array<{ event: CatalogEvent; distanceKm: number | null }>;
          facets: { category: Array<{ value: string; count: number }> };
        };
      };
      const misanthrope = await get('q=misantrope');
      expect(misanthrope.items[0]!.event.title).toMatch(/Misanthrope/);
      expect(misanthrope.items[0]!.event.sources.length).toBe(2);
      const berlin = await get('city=berlin&from=2027-03-01T00:00:00Z&to=2027-04-01T00:00:00Z');
      expect(berlin.items.length).toBeGreaterThan(3);
      expect(berlin.facets.category.find((f) => f.value === 'music')?.count).toBeGreaterThanOrEqual(3);
      const near = await get('lat=48.8566&lon=2.3522&radiusKm=3&from=2027-03-01T00:00:00Z');
      expect(near.items.every((i) => i.distanceKm !== null && i.distanceKm <= 3)).toBe(true);
      const unknown = await fetch(`http://127.0.0.1:${server.port}/api/v1/events/evt_nope`, {
        headers: { authorization: 'Bearer it-key' },
      });
      expect(unknown.status).toBe(404);
    } finally {
      await server.close();
    }
  }, 300_000);
});

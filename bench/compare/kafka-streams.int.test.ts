import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.ts';
import { applyEvent, emptyState, type ProfileState } from '../../jobs/aggregate-profiles/profile.ts';
import { enrichEvent } from '../../jobs/enrich-user-events/job.ts';
import {
  UserEvent,
  type CatalogEvent,
  type EnrichedEvent,
  type Profile,
  type ProfileUpdate,
} from '../../model/index.ts';
import { partitionForKey, ReaderConsumer, TrackedProducer } from '../../runtime/index.ts';
import { deleteWithPrefix, endOffsets, waitCommitted, withAdmin } from '../kafka.ts';
import {
  buildKafkaStreamsApp,
  KS_PROFILE_STORES,
  launchKafkaStreams,
  type KafkaStreamsSystem,
} from './kafka-streams.ts';
import type { CompareTopics, StatefulLaunchOptions } from './types.ts';
import { ExpectedProfiles, verifyUpdates } from './verify.ts';
import { catalogue, userEvents } from './workload.ts';

const config = loadConfig();
const brokers = config.kafkaBrokers;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const prefix = `it-kstreams-${Date.now().toString(36)}-`;
const PARTITIONS = 4;
const COMMIT_MS = 200;
const workload = { events: 20_000, users: 3_000, catalogEvents: 2_000, seed: 20_261_202 };
const topics: CompareTopics = {
  raw: `${prefix}raw-user-events`,
  catalog: `${prefix}events-catalog`,
  enriched: `${prefix}enriched-events`,
  updates: `${prefix}user-profile-updates`,
};
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'it-kstreams-'));
const expectedDir = path.join(work, 'expected');

/**
 * Valid events whose context exercises the normalisers beyond the generated workload's vocabulary:
 * device, country and free-text category spellings, missing fields, unknown and known items.
 */
function oddEvents(): UserEvent[] {
  const contexts: Array<UserEvent['context']> = [
    {},
    { device: 'Smart-TV', geo: 'Deutschland', category: 'Ópera', city: 'Köln' },
    { device: ' KINDLE fire ', geo: 'usa', category: 'JAZZ/foo', lat: -90, lon: 180 },
    { device: 'tab', geo: 'GBR', category: 'music/jazz', itemId: 'ext-does-not-exist' },
    { device: 'móvil', geo: "côte d'ivoire", category: 'stand up comedy', city: '' },
    { device: 'WebOS', geo: '  fr ', category: 'Kunstausstellung', itemId: 'evt-000001' },
    { device: '', geo: 'Türkiye', category: 'kids', itemId: 'evt-000002', city: 'Izmir' },
    { device: 'PlayStation console', geo: 'UK', category: 'other/x', lat: 0, lon: 0 },
    { geo: 'Antarctica', category: 'ballett', city: 'Berlin' },
    { device: 'Ipad', geo: 'xx', category: 'cine', itemId: 'evt-001999' },
  ];
  return contexts.map((context, i) => ({
    eventId: `odd-${i}`,
    userId: `odd-user-${i % 4}`,
    eventType: (['VIEW', 'DISMISS', 'PURCHASE', 'LIKE', 'SHARE'] as const)[i % 5]!,
    timestamp: 1_790_000_000_000 + i * 60_000,
    context,
  }));
}

/** Records the app must skip, with the code each is counted under. */
function badRecords(): Array<{ key: string; value: string | null; code: string }> {
  const ok = JSON.stringify({ eventId: 'b', userId: 'user-0000001', eventType: 'VIEW', timestamp: 1 });
  return [
    { key: 'user-0000001', value: 'not json', code: 'JSON_INVALID' },
    { key: 'user-0000002', value: `${ok} trailing`, code: 'JSON_INVALID' },
    { key: 'user-0000003', value: null, code: 'VALUE_MISSING' },
    { key: 'user-0000004', value: '{"eventId":"x"}', code: 'SCHEMA_INVALID' },
    { key: 'user-0000005', value: ok.replace('"VIEW"', '"view"'), code: 'SCHEMA_INVALID' },
    { key: 'user-0000006', value: ok.replace('"timestamp":1', '"timestamp":1.5'), code: 'SCHEMA_INVALID' },
    { key: 'user-0000007', value: ok.replace('}', ',"extra":1}'), code: 'SCHEMA_INVALID' },
    { key: 'user-0000008', value: ok.replace('}', ',"context":{"lat":90.5}}'), code: 'SCHEMA_INVALID' },
    { key: 'user-0000009', value: ok.replace('}', ',"context":null}'), code: 'SCHEMA_INVALID' },
  ];
}

async function produce(topic: string, records: Iterable<{ key: string; value: string | null }>) {
  const producer = new TrackedProducer(brokers, `it-kstreams-producer-${process.pid}`);
  await producer.connect();
  try {
    let n = 0;
    for (const r of records) {
      producer.produce({ topic, key: r.key, value: r.value });
      if (++n % 50_000 === 0) await producer.flushAll();
    }
    await producer.flushAll();
  } finally {
    await producer.disconnect();
  }
}

/** Reads every record of `topic`, partition by partition, in offset order. */
async function readAll(topic: string): Promise<Array<Array<{ key: string; value: string }>>> {
  const ranges = await withAdmin(brokers, (admin) => admin.fetchTopicOffsets(topic));
  const reader = new ReaderConsumer(brokers, `it-kstreams-reader-${process.pid}`, 'read_committed');
  await reader.connect();
  const out: Array<Array<{ key: string; value: string }>> = [];
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const r = ranges.find((x) => x.partition === p)!;
      const records: Array<{ key: string; value: string }> = [];
      await reader.readRange({ topic, partition: p }, Number(r.low), Number(r.high), (msgs) => {
        for (const m of msgs) records.push({ key: m.key!.toString(), value: m.value!.toString() });
      });
      out.push(records);
    }
  } finally {
    await reader.disconnect();
  }
  return out;
}

const sumOf = (m: Map<number, number>) => [...m.values()].reduce((s, v) => s + v, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the Kafka Streams reference app against the real broker', () => {
  const catalog = new Map<string, CatalogEvent>();
  /** Per partition: the enriched events in the order the app must write them. */
  const enrichedExpected: EnrichedEvent[][] = Array.from({ length: PARTITIONS }, () => []);
  /** Per user: the version (enriched offset + 1 of the last event applied) of the last update. */
  const versions = new Map<string, number>();
  const bad = badRecords();
  let jar = '';
  let users = 0;

  beforeAll(async () => {
    jar = await buildKafkaStreamsApp(root, (m) => console.log(m));
    for (const e of catalogue(workload.catalogEvents, workload.seed)) catalog.set(e.id, e);
    await withAdmin(brokers, async (admin) => {
      await admin.createTopics({
        topics: [
          { topic: topics.raw, numPartitions: PARTITIONS, replicationFactor: 1 },
          { topic: topics.enriched, numPartitions: PARTITIONS, replicationFactor: 1 },
          {
            topic: topics.catalog,
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
          {
            topic: topics.updates,
            numPartitions: PARTITIONS,
            replicationFactor: 1,
            configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
          },
        ],
      });
      for (let attempt = 0; ; attempt++) {
        try {
          await admin.fetchTopicMetadata({ topics: Object.values(topics) });
          return;
        } catch (err) {
          if (attempt >= 50) throw err;
          await sleep(200);
        }
      }
    });
    await produce(
      topics.catalog,
      [...catalog.values()].map((e) => ({ key: e.id, value: JSON.stringify(e) })),
    );
    const valid = [...userEvents(workload), ...oddEvents()];
    await produce(topics.raw, [
      ...valid.map((e) => ({ key: e.userId, value: JSON.stringify(e) })),
      ...bad.map(({ key, value }) => ({ key, value })),
    ]);

    const exp = new ExpectedProfiles(PARTITIONS, catalog);
    const states = new Map<string, ProfileState>();
    for (const e of valid) {
      UserEvent.parse(e); // the odd events are valid by construction
      exp.add(e);
      const p = partitionForKey(e.userId, PARTITIONS);
      const enriched = enrichEvent(e, e.context.itemId ? catalog.get(e.context.itemId) : undefined);
      enrichedExpected[p]!.push(enriched);
      let s = states.get(e.userId);
      if (!s) states.set(e.userId, (s = emptyState()));
      if (applyEvent(s, enriched)) versions.set(e.userId, enrichedExpected[p]!.length);
    }
    users = exp.users();
    await exp.save(expectedDir);
  }, 900_000);

  afterAll(async () => {
    await deleteWithPrefix(brokers, prefix);
    fs.rmSync(work, { recursive: true, force: true });
  });

  const launchOpts = (stateDir: string): StatefulLaunchOptions => ({
    root,
    brokers,
    topics,
    partitions: PARTITIONS,
    appId: prefix,
    parallelism: 1,
    guarantee: 'at_least_once',
    commitIntervalMs: COMMIT_MS,
    stateDir: path.join(work, stateDir),
    logDir: path.join(work, 'logs'),
  });

  it('enriches and folds every profile exactly as the offline recomputation', async () => {
    const sys: KafkaStreamsSystem = await launchKafkaStreams(launchOpts('state'), jar);
    try {
      await sys.waitRunning(120_000);
      const t0 = performance.now();
      const check = () => {
        if (sys.pids().length === 0) throw new Error(`the app exited; log:\n${sys.logTail()}`);
      };
      await waitCommitted(brokers, prefix, topics.raw, { check });
      await waitCommitted(brokers, prefix, topics.enriched, { check });
      const seconds = (performance.now() - t0) / 1000;
      const events = workload.events + oddEvents().length + bad.length;
      console.log(
        `kafka-streams ALOS 1 thread: ${events} events through both stages in ${seconds.toFixed(2)} s ` +
          `(${Math.round(events / seconds)} events/s, commit interval ${COMMIT_MS} ms)`,
      );
      // Users updated in the last interval go out at the next punctuation: wait until quiet.
      let last = -1;
      for (;;) {
        const end = sumOf(await withAdmin(brokers, (admin) => endOffsets(admin, topics.updates)));
        if (end === last) break;
        last = end;
        await sleep(3 * COMMIT_MS + 1000);
      }
    } finally {
      await sys.stop();
    }

    const skipped = sys.skipped();
    const wantSkipped: Record<string, number> = {};
    for (const b of bad) wantSkipped[b.code] = (wantSkipped[b.code] ?? 0) + 1;
    expect(skipped).toEqual(wantSkipped);

    // Stage 1: every enriched event, in order, per partition.
    const enriched = await readAll(topics.enriched);
    for (let p = 0; p < PARTITIONS; p++) {
      const got = enriched[p]!;
      expect(got.length, `enriched partition ${p}`).toBe(enrichedExpected[p]!.length);
      got.forEach((r, i) => {
        const want = enrichedExpected[p]![i]!;
        expect(r.key).toBe(want.userId);
        expect(JSON.parse(r.value), `enriched ${p}/${i}`).toEqual(want);
      });
    }

    // Stage 2: every user's last update holds the recomputed profile...
    const res = await verifyUpdates({
      brokers,
      updatesTopic: topics.updates,
      partitions: PARTITIONS,
      dir: expectedDir,
    });
    expect(res.examples).toEqual([]);
    expect(res).toMatchObject({ users, mismatched: 0, missing: 0, unexpected: 0, correct: true });
    expect(users).toBe(workload.users + 4);

    // ... and the version our job would give it.
    const lastUpdate = new Map<string, ProfileUpdate>();
    for (const part of await readAll(topics.updates))
      for (const r of part) lastUpdate.set(r.key, JSON.parse(r.value) as ProfileUpdate);
    expect(lastUpdate.size).toBe(users);
    let wrongVersions = 0;
    for (const [u, v] of versions) if (lastUpdate.get(u)?.version !== v) wrongVersions++;
    expect(wrongVersions).toBe(0);

    // The check is real: one wrong expected profile is reported.
    const [victim, update] = [...lastUpdate][0]!;
    const wrong: Profile = { ...update.profile, totalEvents: update.profile.totalEvents + 1 };
    const p = partitionForKey(victim, PARTITIONS);
    const caught = await verifyUpdates({
      brokers,
      updatesTopic: topics.updates,
      partitions: PARTITIONS,
      dir: expectedDir,
      extra: (q) => new Map(q === p ? [[victim, wrong]] : []),
    });
    expect(caught).toMatchObject({ mismatched: 1, correct: false });
    expect(caught.examples[0]).toContain(victim);
  });

  it('restores the profile state from its changelogs on a fresh instance before it runs', async () => {
    const sizes = new Map<string, number>();
    for (const store of KS_PROFILE_STORES) {
      const changelog = `${prefix}-${store}-changelog`;
      sizes.set(
        store,
        await withAdmin(brokers, async (admin) =>
          (await admin.fetchTopicOffsets(changelog)).reduce((s, o) => s + Number(o.high) - Number(o.low), 0),
        ),
      );
    }
    expect(sizes.get('profiles')).toBeGreaterThanOrEqual(users);
    const sys = await launchKafkaStreams(launchOpts('restore'), jar);
    try {
      expect(sys.changelogTopics).toEqual(KS_PROFILE_STORES.map((s) => `${prefix}-${s}-changelog`));
      await sys.waitRunning(120_000);
      for (const store of KS_PROFILE_STORES) {
        const restored = sys.restores().filter((r) => r.store === store);
        expect(restored.map((r) => r.partition).sort(), store).toEqual([0, 1, 2, 3]);
        expect(
          restored.reduce((s, r) => s + r.records, 0),
          store,
        ).toBe(sizes.get(store));
        expect(Math.max(...restored.map((r) => r.bytes)), store).toBeGreaterThan(0);
      }
      const catalogue = sys.restores().filter((r) => r.store === 'catalog');
      expect(catalogue.reduce((s, r) => s + r.records, 0)).toBe(workload.catalogEvents);
    } finally {
      await sys.stop();
    }
    expect(sys.events().some((e) => e.event === 'stopped')).toBe(true);
    expect(sys.state()).toBe('NOT_RUNNING');
  });
});

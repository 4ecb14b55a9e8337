/**
 * The personalisation pipeline end to end on the real stack: events posted to the ingestion API,
 * enriched against the catalogue, folded into profiles and written to Redis and PostgreSQL by real
 * worker processes, one of which is killed -9 mid-way. Every profile must equal the offline
 * recomputation of the spec from the events (counts exact, interests within 1e-9 relative).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../cli/config.ts';
import { startIngestServer } from '../api/index.ts';
import { recomputeProfiles } from '../jobs/aggregate-profiles/profile.ts';
import { EnrichedEvent, type CatalogEvent, type Profile } from '../model/index.ts';
import { createPool, PgProfileStore, RedisProfileStore, RedisTrendingStore } from '../state/index.ts';
import { createTopic, deleteTopicsWithPrefix, produceAll, readAll } from './support/kafka.ts';
import { waitCaughtUp, WorkerProcess } from './support/worker-process.ts';

const cfg = loadConfig();
const brokers = cfg.kafkaBrokers;
const ns = `it-pipe-${Date.now().toString(36)}-`;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-pipeline-'));
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const JOBS = 'enrich-user-events,aggregate-profiles,write-profiles,trending';
const CATEGORIES = ['music', 'theatre', 'dance', 'exhibition', 'cinema'] as const;

function catalogue(): CatalogEvent[] {
  return Array.from({ length: 40 }, (_, i) => ({
    id: `evt-${i}`,
    title: `Event ${i}`,
    category: CATEGORIES[i % CATEGORIES.length]!,
    subcategory: null,
    startsAt: '2026-12-01T19:00:00Z',
    endsAt: null,
    timezone: 'Europe/Berlin',
    venue: { name: `Venue ${i % 7}`, address: null, lat: 52.5 + i / 1000, lon: 13.4 },
    city: i % 2 ? 'Berlin' : 'Hamburg',
    country: 'DE',
    price: null,
    status: 'scheduled',
    url: null,
    sources: [{ source: 'it', sourceId: String(i), url: null }],
    performers: [],
  }));
}

const TYPES = ['VIEW', 'CLICK', 'LIKE', 'SAVE', 'SHARE', 'PURCHASE', 'DISMISS'] as const;

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

afterAll(async () => {
  await deleteTopicsWithPrefix(brokers, ns).catch(() => undefined);
  const pool = createPool(cfg.databaseUrl, 1);
  await pool.query('delete from user_profiles where namespace = $1', [ns]).catch(() => undefined);
  await pool.end();
  const redis = new Redis(cfg.redisUrl);
  const keys = await redis.keys(`${ns}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('personalisation pipeline', () => {
  it('turns posted events into exact profiles in Redis and PostgreSQL, across a kill -9', async () => {
    await createTopic(brokers, `${ns}events-catalog`, 3, { 'cleanup.policy': 'compact' });
    await produceAll(
      brokers,
      `${ns}events-catalog`,
      catalogue().map((e) => ({ key: e.id, value: e })),
    );
    const ingest = await startIngestServer({
      brokers,
      port: 0,
      hostname: '127.0.0.1',
      keys: 'it-key',
      nodeEnv: 'test',
      ratePerSec: 10_000,
      burst: 10_000,
      partitions: 6,
      topic: `${ns}raw-user-events`,
      log: quiet,
    });
    const workers = ['w1', 'w2'].map(
      (id) =>
        new WorkerProcess({
          id,
          jobs: JOBS,
          namespace: ns,
          stateDir: path.join(root, id),
          logDir: path.join(root, 'logs'),
        }),
    );
    try {
      for (const w of workers) w.start();
      // 100 users, 40 events each, some sent twice with the same eventId (client retries).
      const base = Date.now() - 3 * 24 * 3600_000;
      let seed = 42;
      const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
      const events: Array<Record<string, unknown>> = [];
      for (let u = 0; u < 100; u++) {
        for (let k = 0; k < 40; k++) {
          const e = {
            eventId: randomUUID(),
            userId: `user-${u}`,
            eventType: TYPES[Math.floor(rnd() * TYPES.length)]!.toLowerCase(),
            timestamp: base + Math.floor(rnd() * 2 * 24 * 3600_000),
            context: {
              itemId: rnd() < 0.9 ? `evt-${Math.floor(rnd() * 40)}` : `unknown-${k}`,
              device: 'mobile',
              category: 'Konzert',
            },
          };
          events.push(e);
          if (rnd() < 0.05) events.push(e); // retried
        }
      }
      const url = `http://127.0.0.1:${ingest.port}/events/batch`;
      for (let i = 0; i < events.length; i += 500) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: 'Bearer it-key', 'content-type': 'application/json' },
          body: JSON.stringify(events.slice(i, i + 500)),
        });
        expect(res.status).toBe(202);
        if (i === 2000) {
          // Mid-way, once profiles are flowing into Redis: kill -9 a worker and start it again.
          const probe = new RedisProfileStore(cfg.redisUrl, ns);
          const deadline = Date.now() + 60_000;
          while (!(await probe.get('user-0')) && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 200));
          await probe.close();
          await workers[0]!.kill9();
          workers[0]!.start();
        }
      }
      for (const [job, topic] of [
        ['enrich-user-events', 'raw-user-events'],
        ['aggregate-profiles', 'enriched-events'],
        ['trending', 'enriched-events'],
      ] as const) {
        await waitCaughtUp(brokers, `${ns}${job}`, `${ns}${topic}`, 120_000, workers);
      }
      // Offline recomputation from what the enrich job produced (duplicates included: the spec dedups).
      const enriched = (await readAll(brokers, `${ns}enriched-events`)).map((r) =>
        EnrichedEvent.parse(JSON.parse(r.value!.toString())),
      );
      const expected = recomputeProfiles(enriched);
      expect(expected.size).toBe(100);
      expect([...expected.values()].reduce((n, p) => n + p.totalEvents, 0)).toBe(4000);

      // Trending: every qualifying record of enriched-events counts once (the events all lie within
      // the 7-day window), summed over the partitions' sets, across the kill -9.
      const wantTrending = new Map<string, Map<string, number>>();
      for (const e of enriched) {
        if (!e.enrichment.itemKnown || e.eventType === 'DISMISS' || !e.enrichment.city) continue;
        const perCity = wantTrending.get(e.enrichment.city) ?? new Map<string, number>();
        wantTrending.set(e.enrichment.city, perCity);
        perCity.set(e.context.itemId!, (perCity.get(e.context.itemId!) ?? 0) + 1);
      }
      expect([...wantTrending.keys()].sort()).toEqual(['Berlin', 'Hamburg']);
      const trending = new RedisTrendingStore(cfg.redisUrl, ns);
      try {
        for (const [city, perCity] of wantTrending) {
          const got = await trending.top(city, 1000);
          expect(new Map(got.map((t) => [t.eventId, t.score]))).toEqual(perCity);
        }
      } finally {
        await trending.close();
      }

      const redis = new RedisProfileStore(cfg.redisUrl, ns);
      const pgStore = new PgProfileStore(createPool(cfg.databaseUrl, 2), undefined, ns);
      try {
        const deadline = Date.now() + 90_000;
        let mismatches: string[] = [];
        for (;;) {
          mismatches = [];
          for (const [userId, want] of expected) {
            const got = await redis.get(userId);
            const row = await pgStore.get(userId);
            const p = got?.profile as Profile | undefined;
            if (!p || !row) {
              mismatches.push(`${userId}: missing`);
              continue;
            }
            if (row.version !== got!.version)
              mismatches.push(`${userId}: postgres v${row.version} != redis v${got!.version}`);
            if (
              p.totalEvents !== want.totalEvents ||
              JSON.stringify(p.eventCounts) !== JSON.stringify(want.eventCounts)
            ) {
              mismatches.push(
                `${userId}: counts ${JSON.stringify(p.eventCounts)} != ${JSON.stringify(want.eventCounts)}`,
              );
            }
            for (const c of new Set([...Object.keys(p.interests), ...Object.keys(want.interests)])) {
              const a = p.interests[c as keyof Profile['interests']] ?? 0;
              const b = want.interests[c as keyof Profile['interests']] ?? 0;
              if (!near(a, b)) mismatches.push(`${userId}: interest ${c} ${a} != ${b}`);
            }
            if (JSON.stringify(p.recentItems) !== JSON.stringify(want.recentItems))
              mismatches.push(`${userId}: recentItems`);
          }
          if (mismatches.length === 0 || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 1000));
        }
        if (mismatches.length > 0) {
          // Say where each stream put the first mismatched user, to tell a sink bug from a job bug.
          const user = mismatches[0]!.split(':')[0]!;
          const inputs = (await readAll(brokers, `${ns}enriched-events`))
            .filter((r) => r.key === user)
            .map((r) => `${r.partition}@${r.offset}`);
          const updates = (await readAll(brokers, `${ns}user-profile-updates`))
            .filter((r) => r.key === user)
            .map((r) => `${r.partition}@${r.offset}:v${JSON.parse(r.value!.toString()).version}`);
          mismatches.push(`${user} inputs ${inputs.join(' ')}`, `${user} updates ${updates.join(' ')}`);
        }
        expect(mismatches.slice(0, 10).concat(mismatches.slice(-2))).toEqual([]);
      } finally {
        await redis.close();
        await pgStore.close();
      }
    } finally {
      for (const w of workers) await w.stop();
      await ingest.close();
    }
  });
});

/**
 * The pipeline part of `pulse demo`: a generated catalogue, simulated users with distinct tastes
 * posting interactions through the real ingestion API, the three pipeline jobs on an in-process
 * worker, and the resulting profiles read back from Redis.
 */
import { catalogDemo } from './catalog-demo.ts';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppConfig } from '../config.ts';
import {
  DEV_API_KEY,
  DEV_INGEST_KEY,
  startIngestServer,
  startQueryServer,
  type Feed,
} from '../../api/index.ts';
import { catalogTopics } from '../../catalog/index.ts';
import { resolveJobs } from '../../jobs/index.ts';
import { CATEGORIES, type CatalogEvent, type Category, type Profile } from '../../model/index.ts';
import { createAdmin, createKafkaJSProducer, jsonLogger, Worker } from '../../runtime/index.ts';
import { RedisProfileStore } from '../../state/index.ts';

const CITIES = [
  { city: 'Berlin', country: 'DE', lat: 52.52, lon: 13.405, tz: 'Europe/Berlin' },
  { city: 'Paris', country: 'FR', lat: 48.857, lon: 2.352, tz: 'Europe/Paris' },
  { city: 'Madrid', country: 'ES', lat: 40.417, lon: -3.704, tz: 'Europe/Madrid' },
  { city: 'Lisbon', country: 'PT', lat: 38.722, lon: -9.139, tz: 'Europe/Lisbon' },
  { city: 'Vienna', country: 'AT', lat: 48.208, lon: 16.373, tz: 'Europe/Vienna' },
];
const TYPES = [
  'VIEW',
  'VIEW',
  'VIEW',
  'CLICK',
  'CLICK',
  'LIKE',
  'SAVE',
  'SHARE',
  'PURCHASE',
  'DISMISS',
] as const;

function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 48271) % 2147483647) / 2147483647;
}

/** The zone's UTC offset (ms) around the instant whose UTC wall clock is `utcWallClock`. */
function zoneOffsetMs(utcWallClock: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    })
      .formatToParts(utcWallClock)
      .map((p) => [p.type, Number(p.value)]),
  );
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute);
  return local - utcWallClock;
}

/** "Tue 8 Dec, 20:30" in the venue's time zone. */
function localTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

export function generateCatalogue(n: number, now: number, rnd: () => number): CatalogEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const c = CITIES[i % CITIES.length]!;
    const category = CATEGORIES[Math.floor(rnd() * (CATEGORIES.length - 1))]!;
    // An evening in the venue's own time zone: 18:00 to 21:30 local, on one of the next 60 days.
    const day = new Date(now + (1 + Math.floor(rnd() * 60)) * 86_400_000);
    const localMinutes = 18 * 60 + 30 * Math.floor(rnd() * 8);
    const wallClock = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 0, localMinutes);
    const start = new Date(wallClock - zoneOffsetMs(wallClock, c.tz));
    const free = rnd() < 0.15;
    const min = free ? 0 : 10 + Math.floor(rnd() * 60);
    return {
      id: `demo-evt-${i}`,
      title: `${category[0]!.toUpperCase()}${category.slice(1)} night #${i}`,
      category,
      subcategory: null,
      startsAt: start.toISOString(),
      endsAt: null,
      timezone: c.tz,
      venue: {
        name: `${c.city} venue ${i % 17}`,
        address: null,
        lat: c.lat + (rnd() - 0.5) / 20,
        lon: c.lon + (rnd() - 0.5) / 20,
      },
      city: c.city,
      country: c.country,
      price: free
        ? { min: 0, max: 0, currency: 'EUR', isFree: true }
        : { min, max: min + 30, currency: 'EUR', isFree: false },
      status: 'scheduled',
      url: null,
      sources: [{ source: 'demo', sourceId: String(i), url: null }],
      performers: [],
    };
  });
}

export async function pipelineDemo(
  cfg: AppConfig,
  opts: { users: number; interactions: number; once: boolean },
): Promise<void> {
  const rnd = rng(2026);
  const now = Date.now();
  const catalogue = generateCatalogue(2000, now, rnd);
  const ns = cfg.namespace;
  const admin = createAdmin(cfg.kafkaBrokers);
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  // The catalogue jobs wait for their input topic, which `pulse catalog import` creates; on a fresh
  // broker nothing has imported yet, so the demo creates it (and its dead-letter topic) too.
  const { rawListings, rejected } = catalogTopics(ns);
  const missing = [
    {
      topic: `${ns}events-catalog`,
      numPartitions: cfg.topicPartitions,
      replicationFactor: -1,
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
    },
    { topic: rawListings, numPartitions: cfg.topicPartitions, replicationFactor: -1 },
    { topic: rejected, numPartitions: cfg.topicPartitions, replicationFactor: -1 },
  ].filter((t) => !existing.has(t.topic));
  if (missing.length) await admin.createTopics({ topics: missing });
  await admin.disconnect();
  const producer = createKafkaJSProducer(cfg.kafkaBrokers);
  await producer.connect();
  for (let i = 0; i < catalogue.length; i += 500) {
    await producer.send({
      topic: `${ns}events-catalog`,
      messages: catalogue.slice(i, i + 500).map((e) => ({ key: e.id, value: JSON.stringify(e) })),
    });
  }
  await producer.disconnect();
  console.log(
    `demo: catalogue of ${catalogue.length} events in ${CITIES.length} cities over the next 60 days on ${ns}events-catalog`,
  );

  const log = jsonLogger({}, 'error');
  const ingest = await startIngestServer({
    brokers: cfg.kafkaBrokers,
    port: cfg.ingest.port,
    keys: cfg.ingest.keys,
    nodeEnv: cfg.nodeEnv,
    ratePerSec: 100_000,
    burst: 100_000,
    partitions: cfg.topicPartitions,
    topic: `${ns}raw-user-events`,
    log,
  });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-demo-pipeline-'));
  const jobs = resolveJobs(
    'enrich-user-events,aggregate-profiles,write-profiles,trending,normalise-listings,dedup-events,catalog-store',
    {
      namespace: ns,
      redisUrl: cfg.redisUrl,
      databaseUrl: cfg.databaseUrl,
    },
  );
  const worker = new Worker(jobs, { brokers: cfg.kafkaBrokers, stateDir, workerId: 'demo', port: 0, log });
  await worker.start();
  const query = await startQueryServer({
    port: cfg.query.port,
    redisUrl: cfg.redisUrl,
    databaseUrl: cfg.databaseUrl,
    namespace: ns,
    brokers: cfg.kafkaBrokers,
    catalogTopic: `${ns}events-catalog`,
    keys: cfg.query.keys,
    jwtSecret: cfg.query.jwtSecret,
    nodeEnv: cfg.nodeEnv,
    log,
  });
  const apiKey = cfg.query.keys?.split(',')[0] ?? DEV_API_KEY;
  console.log(
    `demo: ingestion API on http://127.0.0.1:${ingest.port}, query API on http://127.0.0.1:${query.port}, ` +
      `worker running ${jobs.map((j) => j.name).join(', ')} (metrics on :${worker.port}/metrics)`,
  );

  // Users with distinct tastes: two favourite categories and a home city.
  const run = Date.now().toString(36);
  const users = Array.from({ length: opts.users }, (_, u) => ({
    id: `demo-${run}-user-${u}`,
    likes: [CATEGORIES[u % 9]!, CATEGORIES[(u + 1 + (u % 8)) % 9]!] as Category[],
    city: CITIES[u % CITIES.length]!.city,
  }));
  const byCategoryCity = new Map<string, CatalogEvent[]>();
  for (const e of catalogue) {
    const k = `${e.category}|${e.city}`;
    byCategoryCity.set(k, [...(byCategoryCity.get(k) ?? []), e]);
  }
  const posted = new Map<string, number>();
  const t0 = Date.now();
  let sent = 0;
  const batch: Array<Record<string, unknown>> = [];
  const flush = async () => {
    const res = await fetch(`http://127.0.0.1:${ingest.port}/events/batch`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${cfg.ingest.keys?.split(',')[0] ?? DEV_INGEST_KEY}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(batch),
    });
    if (res.status !== 202) throw new Error(`ingestion answered ${res.status}: ${await res.text()}`);
    sent += batch.length;
    batch.length = 0;
    const pct = Math.round((100 * sent) / opts.interactions);
    process.stdout.write(
      `\rdemo: posting interactions  [${'#'.repeat(pct / 4).padEnd(25)}] ${sent}/${opts.interactions}`,
    );
  };
  for (let i = 0; i < opts.interactions; i++) {
    const u = users[Math.floor(rnd() ** 1.5 * users.length)]!;
    const loved = rnd() < 0.8;
    const category = loved ? u.likes[Math.floor(rnd() * 2)]! : CATEGORIES[Math.floor(rnd() * 9)]!;
    const pool =
      byCategoryCity.get(`${category}|${rnd() < 0.85 ? u.city : CITIES[Math.floor(rnd() * 5)]!.city}`) ??
      catalogue;
    const item = pool[Math.floor(rnd() * pool.length)]!;
    batch.push({
      eventId: randomUUID(),
      userId: u.id,
      eventType: loved ? TYPES[Math.floor(rnd() * (TYPES.length - 1))]! : 'DISMISS',
      timestamp: now - Math.floor(rnd() * 14 * 86_400_000),
      context: { itemId: item.id, device: rnd() < 0.7 ? 'mobile' : 'desktop', geo: 'de', page: 'feed' },
    });
    posted.set(u.id, (posted.get(u.id) ?? 0) + 1);
    if (batch.length === 500) await flush();
  }
  if (batch.length) await flush();
  console.log(
    `\ndemo: ${sent} interactions accepted (Kafka-acknowledged) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  const redis = new RedisProfileStore(cfg.redisUrl, ns);
  const deadline = Date.now() + 120_000;
  const heavy = [...posted].sort((a, b) => b[1] - a[1])[0]!;
  const light = [...posted].sort((a, b) => a[1] - b[1])[0]!;
  let done = 0;
  while (Date.now() < deadline) {
    done = 0;
    for (const [userId, n] of [heavy, light]) {
      const p = (await redis.get(userId))?.profile as Profile | undefined;
      if (p && p.totalEvents >= n) done++;
    }
    if (done === 2) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const [userId] of [heavy, light]) {
    const s = await redis.get(userId);
    const p = s?.profile as Profile | undefined;
    if (!p) {
      console.log(`demo: ${userId}: no profile yet`);
      continue;
    }
    const top = Object.entries(p.interests)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([c, w]) => `${c} ${w.toFixed(1)}`)
      .join(', ');
    const taste = users.find((u) => u.id === userId)!;
    console.log(
      `demo: ${userId} (likes ${taste.likes.join(' and ')}, lives in ${taste.city}): profile v${s!.version}, ${p.totalEvents} events, ` +
        `top interests ${top}; home ${p.home ?? '-'}; activity ${p.activityScore.toFixed(2)}; recent ${p.recentItems.slice(0, 3).join(', ')}`,
    );
  }
  await redis.close();

  // Feeds from the query API: the most active user, and a newcomer (cold start: trending in a city).
  const newcomerCity = users.find((u) => u.id === heavy[0])!.city;
  const feedOf = async (qs: string) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${query.port}/api/v1/personalize?${qs}`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      // 503 while the API is still loading the catalogue.
      if (res.status !== 503 || Date.now() > deadline)
        return { status: res.status, body: (await res.json()) as Feed };
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const zoneOf = new Map(catalogue.map((e) => [e.id, e.timezone]));
  for (const [label, qs] of [
    [`${heavy[0]} (established)`, `userId=${encodeURIComponent(heavy[0])}&limit=5`],
    [`a newcomer in ${newcomerCity}`, `userId=demo-newcomer-${run}&city=${newcomerCity}&limit=5`],
  ] as const) {
    const { status, body } = await feedOf(qs);
    if (status !== 200) {
      console.log(`demo: feed of ${label}: HTTP ${status} ${JSON.stringify(body)}`);
      continue;
    }
    console.log(`\ndemo: feed of ${label}, strategy "${body.strategy}":`);
    for (const [i, it] of body.items.entries()) {
      console.log(
        `  ${i + 1}. ${it.title} (${it.category}, ${it.venue.name}, ${it.city}, ${localTime(it.startsAt, zoneOf.get(it.eventId) ?? 'UTC')})` +
          ` score ${it.score.toFixed(3)}: ${it.reasons.join('; ')}`,
      );
    }
  }
  console.log('');
  await catalogDemo(cfg, query.port, apiKey);

  if (opts.once) {
    await worker.close();
    await query.close();
    await ingest.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
    return;
  }
  console.log(
    `\ndemo: still running. Try:\n  curl -X POST http://127.0.0.1:${ingest.port}/events -H 'Authorization: Bearer ${DEV_INGEST_KEY}' ` +
      `-H 'Content-Type: application/json' -d '{"userId":"you","eventType":"LIKE","timestamp":${Date.now()},"context":{"itemId":"demo-evt-1"}}'\n` +
      `  curl -H 'Authorization: Bearer ${apiKey}' 'http://127.0.0.1:${query.port}/api/v1/personalize?userId=${encodeURIComponent(heavy[0])}&limit=5'\n` +
      `  curl -H 'Authorization: Bearer ${apiKey}' 'http://127.0.0.1:${query.port}/api/v1/users/${encodeURIComponent(heavy[0])}/profile'\n` +
      `  curl -H 'Authorization: Bearer ${apiKey}' 'http://127.0.0.1:${query.port}/api/v1/events?q=misantrope'\n` +
      `  npx pulse catalog quality\n` +
      `  curl -H 'Authorization: Bearer ${apiKey}' 'http://127.0.0.1:${query.port}/api/v1/personalize?userId=new-user&city=${newcomerCity}&category=music&maxPrice=40'\n` +
      `  redis-cli HGETALL ${ns}profile:you\n  curl http://127.0.0.1:${worker.port}/metrics\nCtrl-C stops.`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await worker.close();
  await query.close();
  await ingest.close();
}

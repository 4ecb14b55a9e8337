/**
 * `pulse bench api`: personalised feed requests against the real query API (`pulse serve api` in
 * its own process, profiles in Redis, the generated catalogue read from Kafka), beside a plain Hono
 * JSON endpoint (same server library, same process layout, a fixed body of the same size) in the
 * same run: the ceiling of what HTTP alone costs on this machine.
 *
 * Two measurements per server, with autocannon as the load generator:
 * - fixed rate (default 1,000 requests/s, the target's rate): latency p50/p99;
 * - open throttle: the most requests/s it answers with 32 connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { generateCatalogue } from '../cli/demo/pipeline-demo.ts';
import { CATEGORIES, EVENT_TYPES, type Profile } from '../model/index.ts';
import { createAdmin } from '../runtime/index.ts';
import { RedisProfileStore, RedisTrendingStore } from '../state/index.ts';
import { machineInfo, publishCatalogue, type MachineInfo } from './catalogue.ts';
import { freePort, trackChild, killChildren } from './worker.ts';

export const API_TARGET_P99_MS = 20;

export interface ApiBenchOptions {
  brokers: string[];
  redisUrl: string;
  databaseUrl: string;
  root: string;
  profiles: number;
  /** Fixed request rate of the latency measurement. */
  rate: number;
  seconds: number;
  logDir?: string | undefined;
  /** Write a V8 CPU profile of the query API into this folder. */
  cpuProfDir?: string | undefined;
  progress: (msg: string) => void;
}

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
}

export interface ApiBenchReport {
  machine: MachineInfo;
  profiles: number;
  catalogue: number;
  seconds: number;
  feed: { fixed: LoadResult; max: LoadResult; bodyBytes: number };
  plain: { fixed: LoadResult; max: LoadResult; bodyBytes: number };
  targetP99Ms: number;
  rate: number;
}

function startServer(
  root: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
): { child: ChildProcess; exit: Promise<number | null> } {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PULSE_EXIT_WITH_PARENT: '1', ...env },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  trackChild(child);
  return { child, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function waitFor(url: string, headers: Record<string, string>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return (await res.arrayBuffer()).byteLength;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms: ${last}`);
}

async function load(
  url: string,
  headers: Record<string, string>,
  opts: { rate?: number; seconds: number; paths: () => string },
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: opts.rate ? 16 : 32,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: opts.paths() }) }],
  });
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** A profile with tastes: two favourite categories, a home city, some history. */
export function syntheticProfile(i: number, cities: string[], itemIds: string[]): Profile {
  const a = CATEGORIES[i % CATEGORIES.length]!;
  const b = CATEGORIES[(i * 7 + 3) % CATEGORIES.length]!;
  const eventCounts = Object.fromEntries(
    EVENT_TYPES.map((t, k) => [t, (i + k) % 5]),
  ) as Profile['eventCounts'];
  const totalEvents = Object.values(eventCounts).reduce((x, y) => x + y, 0) + 5;
  eventCounts.VIEW += 5;
  const pick = (k: number) => itemIds[(i * 31 + k * 17) % itemIds.length]!;
  return {
    interests: { [a]: 12 + (i % 7), [b]: 4 + (i % 3), other: -1 },
    eventCounts,
    totalEvents,
    lastEventAt: Date.now() - (i % 86_400) * 1000,
    recentItems: Array.from({ length: 20 }, (_, k) => pick(k)),
    dismissedItems: [pick(21), pick(22)],
    purchasedItems: [pick(23)],
    activityScore: ((i % 100) + 1) / 101,
    home: cities[i % cities.length]!,
  };
}

export async function runApiBench(o: ApiBenchOptions): Promise<ApiBenchReport> {
  const ns = `bench-api-${Date.now().toString(36)}-`;
  const logDir = o.logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-bench-api-'));
  let seed = 11;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const catalogue = generateCatalogue(2000, Date.now(), rnd);
  const cities = [...new Set(catalogue.map((e) => e.city))];
  const admin = createAdmin(o.brokers);
  await admin.connect();
  const profiles = new RedisProfileStore(o.redisUrl, ns);
  const trending = new RedisTrendingStore(o.redisUrl, ns);
  try {
    o.progress(`loading a catalogue of ${catalogue.length} events and ${o.profiles} profiles`);
    await publishCatalogue(admin, o.brokers, `${ns}events-catalog`, 3, catalogue);
    const itemIds = catalogue.map((e) => e.id);
    for (let i = 0; i < o.profiles; i += 1000) {
      const batch = [];
      for (let k = i; k < Math.min(o.profiles, i + 1000); k++)
        batch.push({
          userId: `u${k}`,
          version: 1,
          updatedAt: Date.now(),
          profile: syntheticProfile(k, cities, itemIds),
        });
      await profiles.write(batch);
    }
    for (const city of cities) {
      const inCity = catalogue.filter((e) => e.city === city);
      await trending.writePartition(
        city,
        0,
        inCity.slice(0, 100).map((e, k) => ({ eventId: e.id, count: 200 - k })),
      );
    }

    const apiPort = await freePort();
    const plainPort = await freePort();
    const api = startServer(
      o.root,
      [
        ...(o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(o.cpuProfDir)}`] : []),
        path.join(o.root, 'cli/bin/pulse.js'),
        'serve',
        'api',
        '--port',
        String(apiPort),
      ],
      {
        PULSE_NAMESPACE: ns,
        PULSE_API_KEYS: 'bench-key',
        // One service key sends everything: the benchmark measures the API, not its rate limit.
        PULSE_API_RATE_PER_SEC: '1000000',
        PULSE_API_BURST: '1000000',
        KAFKA_BROKERS: o.brokers.join(','),
        REDIS_URL: o.redisUrl,
        DATABASE_URL: o.databaseUrl,
        LOG_LEVEL: 'warn',
      },
      path.join(logDir, 'query-api.log'),
    );
    const headers = { authorization: 'Bearer bench-key' };
    const feedUrl = `http://127.0.0.1:${apiPort}`;
    const feedBytes = await waitFor(
      `${feedUrl}/api/v1/personalize?userId=u1&limit=20`,
      headers,
      60_000,
      'query API',
    );
    const sample = await (
      await fetch(`${feedUrl}/api/v1/personalize?userId=u1&limit=20`, { headers })
    ).text();
    // The plain endpoint answers a body of the same size: what HTTP and JSON alone cost.
    const bodyFile = path.join(logDir, 'plain-body.json');
    fs.writeFileSync(bodyFile, sample);
    const plain = startServer(
      o.root,
      [
        path.join(o.root, 'node_modules/tsx/dist/cli.mjs'),
        path.join(o.root, 'bench/plain-hono.ts'),
        String(plainPort),
        bodyFile,
      ],
      {},
      path.join(logDir, 'plain-hono.log'),
    );
    const plainUrl = `http://127.0.0.1:${plainPort}`;
    const plainBytes = await waitFor(`${plainUrl}/plain`, headers, 30_000, 'plain Hono endpoint');

    const feedPaths = () => {
      const u = Math.floor(rnd() * o.profiles);
      const r = rnd();
      // A mix like a client app's: plain feeds, city filters, a category, a geo radius.
      if (r < 0.5) return `/api/v1/personalize?userId=u${u}&limit=20`;
      if (r < 0.75) return `/api/v1/personalize?userId=u${u}&city=${cities[u % cities.length]}&limit=20`;
      if (r < 0.9)
        return `/api/v1/personalize?userId=u${u}&category=${CATEGORIES[u % CATEGORIES.length]}&limit=20`;
      return `/api/v1/personalize?userId=u${u}&lat=52.52&lon=13.405&radiusKm=25&limit=20`;
    };
    const result = {} as { feed: ApiBenchReport['feed']; plain: ApiBenchReport['plain'] };
    for (const [name, url, paths, bytes] of [
      ['plain', plainUrl, () => '/plain', plainBytes],
      ['feed', feedUrl, feedPaths, feedBytes],
    ] as const) {
      o.progress(`${name}: warming up`);
      await load(url, headers, { rate: o.rate, seconds: 3, paths });
      o.progress(`${name}: ${o.rate} requests/s for ${o.seconds} s`);
      const fixed = await load(url, headers, { rate: o.rate, seconds: o.seconds, paths });
      o.progress(`${name}: open throttle for ${Math.min(o.seconds, 10)} s`);
      const max = await load(url, headers, { seconds: Math.min(o.seconds, 10), paths });
      result[name] = { fixed, max, bodyBytes: bytes };
    }
    api.child.kill('SIGTERM');
    plain.child.kill('SIGTERM');
    await Promise.race([Promise.all([api.exit, plain.exit]), new Promise((r) => setTimeout(r, 10_000))]);
    return {
      machine: machineInfo(),
      profiles: o.profiles,
      catalogue: catalogue.length,
      seconds: o.seconds,
      rate: o.rate,
      ...result,
      targetP99Ms: API_TARGET_P99_MS,
    };
  } finally {
    await killChildren();
    const { Redis } = await import('ioredis');
    const r = new Redis(o.redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${ns}*`, 'COUNT', 5000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
    await r.quit();
    await profiles.close();
    await trending.close();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(ns));
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  }
}

export function formatApiReport(r: ApiBenchReport): string {
  const row = (name: string, x: { fixed: LoadResult; max: LoadResult; bodyBytes: number }) =>
    `${name.padEnd(34)} ${x.fixed.requestsPerSec.toFixed(0).padStart(8)} ${x.fixed.p50Ms.toFixed(1).padStart(7)} ` +
    `${x.fixed.p99Ms.toFixed(1).padStart(7)} ${x.max.requestsPerSec.toFixed(0).padStart(9)} ${x.max.p99Ms.toFixed(1).padStart(9)} ` +
    `${String(x.bodyBytes).padStart(6)} ${String(x.fixed.non2xx + x.max.non2xx + x.fixed.errors + x.max.errors).padStart(6)}`;
  const verdict = r.feed.fixed.p99Ms <= r.targetP99Ms ? 'meets' : 'MISSES';
  return [
    `Query API: GET /api/v1/personalize over ${r.profiles.toLocaleString('en-US')} profiles in Redis and ${r.catalogue} catalogue events`,
    `machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; server and load generator on the same machine`,
    '',
    `${'endpoint'.padEnd(34)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max req/s'.padStart(9)} ${'p99 @max'.padStart(9)} ${'bytes'.padStart(6)} ${'errors'.padStart(6)}`,
    row('plain Hono JSON (ceiling)', r.plain),
    row('personalised feed', r.feed),
    '',
    `fixed rate ${r.rate} req/s for ${r.seconds} s; max = 32 connections, no rate limit`,
    `target: p99 under ${r.targetP99Ms} ms at 1,000 requests/s: ${verdict} (${r.feed.fixed.p99Ms.toFixed(1)} ms); ` +
      `feed throughput ${(r.feed.max.requestsPerSec / r.plain.max.requestsPerSec).toFixed(2)}x the plain endpoint's`,
  ].join('\n');
}

/**
 * `pulse bench e2e`: how long a posted interaction takes to show in the user's profile.
 *
 * Events are posted to a real ingestion API at a fixed rate (batches every 10 ms on a fixed
 * schedule, so a slow answer never lowers the offered rate), go through the real
 * enrich → aggregate → write-profiles jobs in a separate worker process, and land in Redis. Redis
 * keyspace notifications tell the moment a user's snapshot changes; the snapshot's `totalEvents`
 * says how many of that user's posted events it holds, so each event's latency is
 * (first snapshot that contains it) − (moment its batch was sent). Users are fresh for the run and
 * every eventId is new, so `totalEvents` counts exactly the events posted in the run.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startIngestServer } from '../api/index.ts';
import { generateCatalogue } from '../cli/demo/pipeline-demo.ts';
import { createAdmin, jsonLogger } from '../runtime/index.ts';
import { createPool } from '../state/index.ts';
import { machineInfo, publishCatalogue, type MachineInfo } from './catalogue.ts';
import { BenchWorker, killChildren } from './worker.ts';

export const E2E_TARGET_P99_MS = 250;

export interface E2eOptions {
  brokers: string[];
  redisUrl: string;
  databaseUrl: string;
  root: string;
  /** Offered events per second. */
  rate: number;
  /** Length of the measured phase. */
  seconds: number;
  users: number;
  partitions: number;
  /** Commit interval of every job in the worker (PULSE_COMMIT_INTERVAL_MS); each job's default if unset. */
  commitIntervalMs?: number | undefined;
  logDir?: string | undefined;
  /** Keep the run's topics (named `bench-e2e-<id>-…`) for inspection instead of deleting them. */
  keep?: boolean;
  /** One worker process per job instead of one running all three. */
  split?: boolean;
  /** Write a V8 CPU profile of the worker into this folder. */
  cpuProfDir?: string | undefined;
  progress: (msg: string) => void;
}

export interface E2eReport {
  machine: MachineInfo;
  rate: number;
  seconds: number;
  users: number;
  partitions: number;
  /** Undefined: each job's default (enrich 1000 ms, aggregate 100 ms, write-profiles 1000 ms). */
  commitIntervalMs: number | undefined;
  workers: number;
  posted: number;
  /** Events actually sent per second over the measured phase. */
  achievedRate: number;
  seen: number;
  missing: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  ingestAckMs: { p50: number; p99: number };
  targetP99Ms: number;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function runE2eBench(o: E2eOptions): Promise<E2eReport> {
  const ns = `bench-e2e-${Date.now().toString(36)}-`;
  const logDir = o.logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-bench-e2e-'));
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-bench-e2e-state-'));
  const now = Date.now();
  let seed = 7;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const catalogue = generateCatalogue(2000, now, rnd);

  const admin = createAdmin(o.brokers);
  await admin.connect();
  await publishCatalogue(admin, o.brokers, `${ns}events-catalog`, o.partitions, catalogue);

  const log = jsonLogger({}, 'error');
  const ingest = await startIngestServer({
    brokers: o.brokers,
    port: 0,
    hostname: '127.0.0.1',
    keys: 'bench-key',
    nodeEnv: 'test',
    ratePerSec: 1_000_000,
    burst: 1_000_000,
    partitions: o.partitions,
    topic: `${ns}raw-user-events`,
    log,
  });
  const jobSets = o.split
    ? ['enrich-user-events', 'aggregate-profiles', 'write-profiles']
    : ['enrich-user-events,aggregate-profiles,write-profiles'];
  const workers = jobSets.map(
    (jobs, i) =>
      new BenchWorker({
        root: o.root,
        id: `e2e-${i}`,
        jobs,
        namespace: ns,
        stateDir: path.join(stateDir, String(i)),
        brokers: o.brokers,
        logFile: path.join(logDir, `e2e-worker-${i}.log`),
        env: o.commitIntervalMs ? { PULSE_COMMIT_INTERVAL_MS: String(o.commitIntervalMs) } : {},
        nodeArgs: o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(o.cpuProfDir)}`] : [],
      }),
  );
  const sub = new Redis(o.redisUrl);
  const reader = new Redis(o.redisUrl);
  let previousNotify: string | undefined;
  try {
    for (const w of workers) await w.start();
    previousNotify = ((await reader.config('GET', 'notify-keyspace-events')) as string[])[1] ?? '';
    await reader.config('SET', 'notify-keyspace-events', 'Kh');

    // Per user: send times of posted events not yet seen; seen count.
    const pending = new Map<string, number[]>();
    const seenCount = new Map<string, number>();
    const latencies: number[] = [];
    const acks: number[] = [];
    const keyPrefix = `${ns}profile:`;
    const inFlightReads = new Set<string>();
    const readAgain = new Set<string>();
    const check = async (userId: string): Promise<void> => {
      // One read per user at a time; a notification during the read triggers one more read after it.
      if (inFlightReads.has(userId)) {
        readAgain.add(userId);
        return;
      }
      inFlightReads.add(userId);
      try {
        const at = performance.now();
        const raw = await reader.hget(`${keyPrefix}${userId}`, 'profile');
        const total = raw ? (JSON.parse(raw) as { totalEvents: number }).totalEvents : 0;
        const before = seenCount.get(userId) ?? 0;
        if (total > before) {
          const times = pending.get(userId) ?? [];
          const done = times.splice(0, total - before);
          if (userId.startsWith('bench-m-')) for (const t of done) latencies.push(at - t);
          seenCount.set(userId, total);
        }
      } finally {
        inFlightReads.delete(userId);
      }
      if (readAgain.delete(userId)) await check(userId);
    };
    await sub.psubscribe(`__keyspace@*__:${keyPrefix}*`);
    sub.on('pmessage', (_pattern: string, channel: string) => {
      const key = channel.slice(channel.indexOf(':') + 1);
      void check(key.slice(keyPrefix.length)).catch(() => undefined);
    });

    for (const w of workers)
      for (let i = 0; i < 600 && !(await w.readyz()); i++) {
        w.assertRunning();
        await new Promise((r) => setTimeout(r, 100));
      }
    const url = `http://127.0.0.1:${ingest.port}/events/batch`;
    const post = async (userIds: string[]): Promise<void> => {
      const ts = Date.now();
      const body = userIds.map((userId) => ({
        eventId: randomUUID(),
        userId,
        eventType: 'VIEW',
        timestamp: ts,
        context: { itemId: catalogue[Math.floor(rnd() * catalogue.length)]!.id, device: 'mobile' },
      }));
      const sentAt = performance.now();
      for (const u of userIds) {
        let list = pending.get(u);
        if (!list) pending.set(u, (list = []));
        list.push(sentAt);
      }
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: 'Bearer bench-key', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 202) throw new Error(`ingestion answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      acks.push(performance.now() - sentAt);
    };
    /** Posts at `rate` for `seconds` on a fixed 10 ms schedule; returns events posted. */
    const phase = async (tag: string, seconds: number): Promise<{ posted: number; elapsed: number }> => {
      const t0 = performance.now();
      const total = Math.round(o.rate * seconds);
      let posted = 0;
      const inflight = new Set<Promise<void>>();
      let failure: Error | undefined;
      while (posted < total && !failure) {
        // At most one full batch per tick: a late tick catches up over the next ones.
        const due = Math.min(total, posted + 500, Math.floor(((performance.now() - t0) / 1000) * o.rate));
        if (due > posted) {
          const users: string[] = [];
          for (; posted < due; posted++) users.push(`${tag}-${Math.floor(rnd() * o.users)}`);
          const p = post(users).catch((err: unknown) => {
            failure = err as Error;
          });
          inflight.add(p);
          void p.finally(() => inflight.delete(p));
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      await Promise.all(inflight);
      if (failure) throw failure;
      return { posted, elapsed: (performance.now() - t0) / 1000 };
    };
    const waitSeen = async (timeoutMs: number): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        let left = 0;
        for (const l of pending.values()) left += l.length;
        if (left === 0) return;
        for (const w of workers) w.assertRunning();
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    o.progress(`warming up for 5 s at ${o.rate} events/s (${commitNote(o.commitIntervalMs)})`);
    await phase('bench-w', 5);
    await waitSeen(60_000);
    acks.length = 0;
    o.progress(`posting ${o.rate} events/s for ${o.seconds} s`);
    const { posted, elapsed } = await phase(`bench-m`, o.seconds);
    await waitSeen(30_000);
    let missing = 0;
    for (const [u, l] of pending) if (u.startsWith('bench-m-')) missing += l.length;
    latencies.sort((a, b) => a - b);
    acks.sort((a, b) => a - b);
    return {
      machine: machineInfo(),
      rate: o.rate,
      seconds: o.seconds,
      users: o.users,
      partitions: o.partitions,
      commitIntervalMs: o.commitIntervalMs,
      workers: workers.length,
      posted,
      achievedRate: posted / elapsed,
      seen: latencies.length,
      missing,
      latencyMs: {
        p50: percentile(latencies, 0.5),
        p90: percentile(latencies, 0.9),
        p99: percentile(latencies, 0.99),
        max: latencies[latencies.length - 1] ?? Number.NaN,
      },
      ingestAckMs: { p50: percentile(acks, 0.5), p99: percentile(acks, 0.99) },
      targetP99Ms: E2E_TARGET_P99_MS,
    };
  } finally {
    if (previousNotify !== undefined)
      await reader.config('SET', 'notify-keyspace-events', previousNotify).catch(() => undefined);
    await sub.quit().catch(() => undefined);
    await Promise.all(workers.map((w) => w.stop().catch(() => undefined)));
    await killChildren();
    await ingest.close();
    const keys = await reader.keys(`${ns}*`).catch(() => [] as string[]);
    for (let i = 0; i < keys.length; i += 1000) await reader.del(...keys.slice(i, i + 1000));
    await reader.quit().catch(() => undefined);
    const pool = createPool(o.databaseUrl, 1);
    await pool.query('delete from user_profiles where namespace = $1', [ns]).catch(() => undefined);
    await pool.end();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(ns));
    if (o.keep) o.progress(`kept topics ${topics.join(', ')}`);
    else if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

const commitNote = (ms: number | undefined) =>
  ms
    ? `commit interval ${ms} ms for every job`
    : 'default commit intervals (enrich 1000 ms, aggregate 100 ms, write-profiles 1000 ms; Redis written every 20 ms)';

export function formatE2eReport(r: E2eReport): string {
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const verdict = r.latencyMs.p99 <= r.targetP99Ms ? 'meets' : 'MISSES';
  return [
    `End-to-end latency: POST /events/batch → enrich → aggregate → write-profiles → Redis snapshot`,
    `machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}`,
    `offered ${r.rate} events/s for ${r.seconds} s (achieved ${r.achievedRate.toFixed(0)}/s), ${r.users} users, ` +
      `${r.partitions} partitions, ${commitNote(r.commitIntervalMs)}, ` +
      (r.workers === 1 ? 'one worker process running the three jobs' : 'one worker process per job'),
    `events posted ${r.posted}, seen in a profile ${r.seen}, missing ${r.missing}`,
    `latency   p50 ${ms(r.latencyMs.p50)}   p90 ${ms(r.latencyMs.p90)}   p99 ${ms(r.latencyMs.p99)}   max ${ms(r.latencyMs.max)}`,
    `ingestion acknowledgement (Kafka acks=all)   p50 ${ms(r.ingestAckMs.p50)}   p99 ${ms(r.ingestAckMs.p99)}`,
    `target: p99 under ${r.targetP99Ms} ms at 2,000 events/s: ${verdict} (${ms(r.latencyMs.p99)} at ${r.achievedRate.toFixed(0)}/s)`,
  ].join('\n');
}

/**
 * `pulse bench compare`: our runtime against Kafka Streams and against the hardware's ceilings, in
 * one run on one broker. Every stateful configuration (system × guarantee × parallelism) gets its
 * own namespace with the same generated input (same seed), runs the enrich + aggregate topology from
 * an empty state, and is measured alike:
 *
 * - sustained events/s: from the first committed input offset to the moment both stages committed
 *   everything (polled at the broker, so the measured processes carry no instrumentation);
 * - CPU seconds per million events: user + system time of the system's own processes over the same
 *   span (/proc), so the broker's share is apart; events per CPU-second is the per-core rate;
 * - latency p50/p99 at 50 % and 80 % of its own sustained rate (see latency.ts);
 * - peak RSS; restore of the whole profile store from its changelog on a fresh instance;
 * - correctness: every user's last update against the offline recomputation (verify.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CatalogEvent } from '../../model/index.ts';
import { partitionForKey } from '../../runtime/index.ts';
import {
  changelogSize,
  committedOffsets,
  deleteWithPrefix,
  endOffsets,
  produceRecords,
  withAdmin,
} from '../kafka.ts';
import { readCpuSeconds, readRss } from '../rss.ts';
import { machine } from '../runtime-bench.ts';
import type { Machine } from '../report.ts';
import { killChildren } from '../worker.ts';
import { runCeilings } from './ceilings.ts';
import { measureLatency, type LatencyResult } from './latency.ts';
import { launchRuntime } from './runtime-system.ts';
import type {
  CeilingResult,
  CompareTopics,
  Guarantee,
  StatefulLaunchOptions,
  StatefulSystem,
} from './types.ts';
import { ExpectedProfiles, notVerified, verifyUpdates, type VerifyResult } from './verify.ts';
import { catalogue, userEvents } from './workload.ts';

export type SystemKind = 'runtime' | 'kafka-streams';

export interface StatefulConfig {
  system: SystemKind;
  guarantee: Guarantee;
  parallelism: number;
}

export interface CompareOptions {
  root: string;
  brokers: string[];
  events: number;
  users: number;
  catalogEvents: number;
  partitions: number;
  seed: number;
  commitIntervalMs: number;
  configs: StatefulConfig[];
  ceilings: boolean;
  /** Restore the profile store of the first config of each system on a fresh instance. */
  restore: boolean;
  latency: boolean;
  latencySeconds: number;
  protocol: 'consumer' | 'classic';
  workDir: string;
  keep: boolean;
  cpuProfDir?: string;
  progress: (msg: string) => void;
}

export interface RestoreFigures {
  seconds: number;
  changelogRecords: number;
  changelogBytes: number;
  mbPerSec: number;
  peakRssBytes: number;
}

export interface StatefulResult {
  name: string;
  /** Set when the configuration could not be measured (its figures are then zero). */
  error?: string;
  config: StatefulConfig;
  events: number;
  seconds: number;
  eventsPerSec: number;
  cpuSecondsPerMillion: number | null;
  /** Events per CPU-second of the system's processes: the per-core rate. */
  eventsPerCpuSecond: number | null;
  peakRssBytes: number;
  latency: { at50: LatencyResult; at80: LatencyResult } | null;
  restore: RestoreFigures | null;
  verify: VerifyResult;
}

export interface CompareReport {
  runId: string;
  machine: Machine;
  workload: {
    events: number;
    users: number;
    catalogEvents: number;
    partitions: number;
    seed: number;
    avgValueBytes: number;
    commitIntervalMs: number;
  };
  ceilings: Array<CeilingResult | { name: string; error: string }>;
  systems: StatefulResult[];
  targets: TargetCheck[];
}

export interface TargetCheck {
  target: string;
  ours: number | null;
  peer: number | null;
  ratio: number | null;
  wanted: string;
  met: boolean | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function configName(c: StatefulConfig): string {
  const sys = c.system === 'runtime' ? 'pulsecity' : 'kafka-streams';
  const g = c.guarantee === 'exactly_once' ? 'EOS' : 'ALOS';
  const unit = c.system === 'runtime' ? 'worker' : 'thread';
  return `${sys} ${g} ${c.parallelism} ${unit}${c.parallelism > 1 ? 's' : ''}`;
}

function topicsFor(ns: string): CompareTopics {
  return {
    raw: `${ns}raw-user-events`,
    catalog: `${ns}events-catalog`,
    enriched: `${ns}enriched-events`,
    updates: `${ns}user-profile-updates`,
  };
}

async function createCompareTopics(brokers: string[], t: CompareTopics, partitions: number): Promise<void> {
  await withAdmin(brokers, async (admin) => {
    await admin.createTopics({
      topics: [
        { topic: t.raw, numPartitions: partitions, replicationFactor: 1 },
        { topic: t.enriched, numPartitions: partitions, replicationFactor: 1 },
        {
          topic: t.catalog,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
        {
          topic: t.updates,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
        },
      ],
    });
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.fetchTopicMetadata({ topics: Object.values(t) });
        return;
      } catch (err) {
        if (attempt >= 50) throw err;
        await sleep(200);
      }
    }
  });
}

/** CPU seconds and RSS summed over a changing set of processes; a process that exits keeps its last CPU reading. */
class ProcessSampler {
  private readonly lastCpu = new Map<number, number>();
  peakRss = 0;

  sample(pids: number[]): number {
    let rss = 0;
    for (const pid of pids) {
      const cpu = readCpuSeconds(pid);
      if (cpu !== undefined) this.lastCpu.set(pid, cpu);
      rss += readRss(pid) ?? 0;
    }
    if (rss > this.peakRss) this.peakRss = rss;
    let total = 0;
    for (const v of this.lastCpu.values()) total += v;
    return total;
  }
}

async function sumCommitted(brokers: string[], group: string, topic: string): Promise<number> {
  return withAdmin(brokers, async (admin) => {
    const c = await committedOffsets(admin, group, topic);
    return [...c.values()].reduce((s, v) => s + Math.max(0, v), 0);
  });
}

/**
 * True when the group has committed the end of every partition of `topic`. A topic written by
 * transactions ends with a commit marker that consumers skip: a group that commits the offset after
 * the last record it read (ours) stays one short of the end, one that commits its position (Kafka
 * Streams) does not; both have read everything, so exactly-once runs allow one offset of slack.
 */
async function stageCaughtUp(
  brokers: string[],
  group: string,
  topic: string,
  slack: number,
): Promise<boolean> {
  return withAdmin(brokers, async (admin) => {
    const ends = await endOffsets(admin, topic);
    const committed = await committedOffsets(admin, group, topic);
    for (const [p, end] of ends) if ((committed.get(p) ?? 0) < end - slack) return false;
    return true;
  });
}

/**
 * Polls the system's groups until every stage has committed the end of its input. Returns the
 * events/s over the span from the first committed progress to the end, and the CPU spent in it.
 */
async function measureThroughput(
  brokers: string[],
  sys: StatefulSystem,
  sampler: ProcessSampler,
  log: (m: string) => void,
  transactional: boolean,
): Promise<{ events: number; seconds: number; cpuSeconds: number }> {
  const [first, ...rest] = sys.progressGroups;
  const rawEnd = await withAdmin(brokers, async (admin) =>
    [...(await endOffsets(admin, first!.topic)).values()].reduce((s, v) => s + v, 0),
  );
  let t0: number | undefined;
  let c0 = 0;
  let cpu0 = 0;
  let lastLog = 0;
  let lastSum = -1;
  let stalledSince = Date.now();
  for (;;) {
    const cpu = sampler.sample(sys.pids());
    const now = performance.now();
    const committed = await sumCommitted(brokers, first!.group, first!.topic);
    if (t0 === undefined && committed > 0) [t0, c0, cpu0] = [now, committed, cpu];
    let done = committed >= rawEnd;
    if (done)
      for (const g of rest)
        if (!(await stageCaughtUp(brokers, g.group, g.topic, transactional ? 1 : 0))) done = false;
    if (done && t0 !== undefined) {
      const seconds = (now - t0) / 1000;
      return { events: rawEnd - c0, seconds, cpuSeconds: cpu - cpu0 };
    }
    if (Date.now() - lastLog > 5000) {
      log(`  ${committed.toLocaleString('en')} of ${rawEnd.toLocaleString('en')} events committed`);
      lastLog = Date.now();
    }
    if (committed !== lastSum) [lastSum, stalledSince] = [committed, Date.now()];
    else if (Date.now() - stalledSince > 180_000)
      throw new Error(`no progress for 180 s (stuck at ${committed} of ${rawEnd})`);
    if (sys.pids().length === 0) throw new Error('the system exited');
    await sleep(100);
  }
}

function failedResult(name: string, config: StatefulConfig, error: string): StatefulResult {
  return {
    name,
    error,
    config,
    events: 0,
    seconds: 0,
    eventsPerSec: 0,
    cpuSecondsPerMillion: null,
    eventsPerCpuSecond: null,
    peakRssBytes: 0,
    latency: null,
    restore: null,
    verify: notVerified(),
  };
}

/** Resolves once the topic's end offsets have not moved for `quietMs` (at most 2 minutes). */
async function waitQuiet(brokers: string[], topic: string, quietMs: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  let last = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    const end = await withAdmin(brokers, async (admin) =>
      [...(await endOffsets(admin, topic)).values()].reduce((n, v) => n + v, 0),
    );
    if (end !== last) [last, since] = [end, Date.now()];
    else if (Date.now() - since >= quietMs) return;
    await sleep(200);
  }
}

async function launch(
  c: StatefulConfig,
  opts: StatefulLaunchOptions,
  jar: string | undefined,
): Promise<StatefulSystem> {
  if (c.system === 'runtime') return launchRuntime(opts);
  if (!jar) throw new Error('the Kafka Streams app was not built');
  const { launchKafkaStreams } = await import('./kafka-streams.ts');
  return launchKafkaStreams(opts, jar);
}

export async function runCompare(o: CompareOptions): Promise<CompareReport> {
  const log = o.progress;
  const runId = `cmp-${Date.now().toString(36)}`;
  const runDir = path.join(o.workDir, runId);
  fs.mkdirSync(runDir, { recursive: true });
  const expectedDir = path.join(runDir, 'expected');
  const onInterrupt = () => {
    void killChildren().finally(() => process.exit(130));
  };
  process.once('SIGINT', onInterrupt);
  try {
    const catalog = new Map<string, CatalogEvent>();
    for (const e of catalogue(o.catalogEvents, o.seed)) catalog.set(e.id, e);
    const workload = {
      events: o.events,
      users: o.users,
      catalogEvents: o.catalogEvents,
      seed: o.seed,
    };

    // 1. The expected profiles, a third of the partitions at a time (bounded memory).
    log(`recomputing the expected profiles of ${o.users.toLocaleString('en')} users offline`);
    let bytes = 0;
    const step = Math.max(1, Math.ceil(o.partitions / 3));
    for (let from = 0; from < o.partitions; from += step) {
      const exp = new ExpectedProfiles(o.partitions, catalog);
      for (const e of userEvents(workload)) {
        const p = partitionForKey(e.userId, o.partitions);
        if (from === 0) bytes += JSON.stringify(e).length;
        if (p >= from && p < from + step) exp.add(e);
      }
      await exp.save(expectedDir, (p) => p >= from && p < from + step);
    }
    const avgValueBytes = bytes / o.events;

    const jar = o.configs.some((c) => c.system === 'kafka-streams')
      ? await (await import('./kafka-streams.ts')).buildKafkaStreamsApp(o.root, log)
      : undefined;

    const ceilings: CompareReport['ceilings'] = [];
    const systems: StatefulResult[] = [];
    const restored = new Set<SystemKind>();
    for (const [i, c] of o.configs.entries()) {
      const name = configName(c);
      const ns = `${runId}-c${i}-`;
      const topics = topicsFor(ns);
      log(`${name}: producing ${o.events.toLocaleString('en')} events to ${topics.raw}`);
      await createCompareTopics(o.brokers, topics, o.partitions);
      await produceRecords(
        o.brokers,
        topics.catalog,
        (function* () {
          for (const e of catalog.values()) yield { key: e.id, value: JSON.stringify(e) };
        })(),
      );
      await produceRecords(
        o.brokers,
        topics.raw,
        (function* () {
          for (const e of userEvents(workload)) yield { key: e.userId, value: JSON.stringify(e) };
        })(),
      );

      if (o.ceilings && i === 0) {
        log(`ceilings: reading ${topics.raw}`);
        try {
          ceilings.push(
            ...(await runCeilings({
              root: o.root,
              brokers: o.brokers,
              topic: topics.raw,
              outputTopic: `${ns}ceiling-out`,
              records: o.events,
              commitIntervalMs: o.commitIntervalMs,
              protocol: o.protocol,
              log,
            })),
          );
        } catch (err) {
          ceilings.push({ name: 'ceilings', error: (err as Error).message });
        }
      }

      const launchOpts: StatefulLaunchOptions = {
        root: o.root,
        brokers: o.brokers,
        topics,
        partitions: o.partitions,
        appId: ns,
        parallelism: c.parallelism,
        guarantee: c.guarantee,
        commitIntervalMs: o.commitIntervalMs,
        stateDir: path.join(runDir, `c${i}-state`),
        logDir: path.join(runDir, 'logs'),
        extraArgs:
          o.cpuProfDir && c.system === 'runtime'
            ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`]
            : undefined,
      };
      try {
        log(`${name}: starting`);
        const sys = await launch(c, launchOpts, jar);
        const sampler = new ProcessSampler();
        const expectedExtra = new ExpectedProfiles(o.partitions, catalog);
        let result: StatefulResult;
        try {
          const tp = await measureThroughput(o.brokers, sys, sampler, log, c.guarantee === 'exactly_once');
          const eventsPerSec = tp.events / tp.seconds;
          log(`${name}: ${Math.round(eventsPerSec).toLocaleString('en')} events/s`);
          let latency: StatefulResult['latency'] = null;
          if (o.latency) {
            const probe = async (share: number) => {
              const rate = Math.max(1, Math.round(eventsPerSec * share));
              log(`${name}: latency at ${share * 100} % (${rate.toLocaleString('en')} events/s)`);
              return measureLatency({
                brokers: o.brokers,
                rawTopic: topics.raw,
                updatesTopic: topics.updates,
                partitions: o.partitions,
                rate,
                seconds: o.latencySeconds,
                warmupSeconds: 3,
                users: 5000,
                tag: `p${share * 100}`,
                catalogEvents: o.catalogEvents,
                seed: o.seed + Math.round(share * 100),
                onSent: (e) => expectedExtra.add(e),
              });
            };
            const at50 = await probe(0.5);
            const at80 = await probe(0.8);
            latency = { at50, at80 };
          }
          sampler.sample(sys.pids());
          result = {
            name,
            config: c,
            events: tp.events,
            seconds: tp.seconds,
            eventsPerSec,
            cpuSecondsPerMillion: tp.cpuSeconds > 0 ? (tp.cpuSeconds / tp.events) * 1e6 : null,
            eventsPerCpuSecond: tp.cpuSeconds > 0 ? tp.events / tp.cpuSeconds : null,
            peakRssBytes: sampler.peakRss,
            latency,
            restore: null,
            verify: notVerified(),
          };
          // Updates held back by a system's per-user throttle go out within a commit interval or so
          // after the last input: wait until the updates topic has been quiet, then stop.
          await waitQuiet(o.brokers, topics.updates, Math.max(1000, 5 * o.commitIntervalMs));
        } finally {
          await sys.stop();
        }
        log(`${name}: verifying every profile against the recomputation`);
        result.verify = await verifyUpdates({
          brokers: o.brokers,
          updatesTopic: topics.updates,
          partitions: o.partitions,
          dir: expectedDir,
          extra: (p) => expectedExtra.profiles(p),
        });
        if (!result.verify.correct)
          log(
            `${name}: WRONG: ${result.verify.mismatched} mismatched, ${result.verify.missing} missing; ${result.verify.examples.join('; ')}`,
          );

        if (o.restore && !restored.has(c.system)) {
          restored.add(c.system);
          log(`${name}: restoring the profile store on a fresh instance`);
          result.restore = await measureRestoreOf(
            c,
            { ...launchOpts, parallelism: 1, stateDir: path.join(runDir, `c${i}-restore`) },
            jar,
          );
        }
        systems.push(result);
      } catch (err) {
        // One configuration failing (a crash, no progress) is a result, not the end of the run.
        const error = (err as Error).message;
        log(`${name}: FAILED: ${error}`);
        systems.push(failedResult(name, c, error));
      }
      if (!o.keep) await deleteWithPrefix(o.brokers, ns);
    }
    return {
      runId,
      machine: machine(),
      workload: {
        ...workload,
        partitions: o.partitions,
        avgValueBytes,
        commitIntervalMs: o.commitIntervalMs,
      },
      ceilings,
      systems,
      targets: checkTargets(systems, ceilings),
    };
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await killChildren();
    if (!o.keep) fs.rmSync(runDir, { recursive: true, force: true });
  }
}

async function measureRestoreOf(
  c: StatefulConfig,
  opts: StatefulLaunchOptions,
  jar: string | undefined,
): Promise<RestoreFigures> {
  const t0 = performance.now();
  const sys = await launch(c, opts, jar);
  const sampler = new ProcessSampler();
  const timer = setInterval(() => sampler.sample(sys.pids()), 100);
  try {
    await sys.waitRunning(15 * 60_000);
    const seconds = (performance.now() - t0) / 1000;
    // Hold a little: the steady-state RSS of the restored instance counts too.
    await sleep(3000);
    sampler.sample(sys.pids());
    let records = 0;
    let bytes = 0;
    for (const t of sys.changelogTopics) {
      const size = await changelogSize(opts.brokers, t);
      records += size.records;
      bytes += size.bytes;
    }
    return {
      seconds,
      changelogRecords: records,
      changelogBytes: bytes,
      mbPerSec: bytes / 1e6 / seconds,
      peakRssBytes: sampler.peakRss,
    };
  } finally {
    clearInterval(timer);
    await sys.stop();
  }
}

const findSystem = (systems: StatefulResult[], s: SystemKind, g: Guarantee, p: number) =>
  systems.find(
    (r) => !r.error && r.config.system === s && r.config.guarantee === g && r.config.parallelism === p,
  );

export function checkTargets(systems: StatefulResult[], ceilings: CompareReport['ceilings']): TargetCheck[] {
  const out: TargetCheck[] = [];
  const ours = findSystem(systems, 'runtime', 'at_least_once', 1);
  const ks = findSystem(systems, 'kafka-streams', 'at_least_once', 1);
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a != null && b != null && b > 0 ? a / b : null;
  const perCore = ratio(ours?.eventsPerCpuSecond, ks?.eventsPerCpuSecond);
  out.push({
    target: 'events per CPU-second vs Kafka Streams (ALOS, 1 worker vs 1 thread)',
    ours: ours?.eventsPerCpuSecond ?? null,
    peer: ks?.eventsPerCpuSecond ?? null,
    ratio: perCore,
    wanted: '≥ 1.0',
    met: perCore === null ? null : perCore >= 1,
  });
  const loop = ceilings.find((c): c is CeilingResult => 'eventsPerSec' in c && c.name.includes('parse'));
  const vsLoop = ratio(ours?.eventsPerSec, loop?.eventsPerSec);
  out.push({
    target: 'events/s vs the hand-rolled Node loop',
    ours: ours?.eventsPerSec ?? null,
    peer: loop?.eventsPerSec ?? null,
    ratio: vsLoop,
    wanted: '≥ 0.8',
    met: vsLoop === null ? null : vsLoop >= 0.8,
  });
  for (const share of ['at50', 'at80'] as const) {
    const a = ours?.latency?.[share].p99Ms;
    const b = ks?.latency?.[share].p99Ms;
    const r = ratio(a, b);
    out.push({
      target: `p99 latency at ${share === 'at50' ? 50 : 80} % of own max vs Kafka Streams (ms)`,
      ours: a ?? null,
      peer: b ?? null,
      ratio: r,
      wanted: '≤ 1.0',
      met: r === null ? null : r <= 1,
    });
  }
  const rs = ratio(ours?.restore?.mbPerSec, ks?.restore?.mbPerSec);
  out.push({
    target: 'restore MB/s vs Kafka Streams',
    ours: ours?.restore?.mbPerSec ?? null,
    peer: ks?.restore?.mbPerSec ?? null,
    ratio: rs,
    wanted: '≥ 1.0',
    met: rs === null ? null : rs >= 1,
  });
  const rss = ours ? Math.max(ours.peakRssBytes, ours.restore?.peakRssBytes ?? 0) / 2 ** 20 : null;
  out.push({
    target: 'worker peak RSS with the whole state (MiB)',
    ours: rss,
    peer: null,
    ratio: null,
    wanted: '< 1024',
    met: rss === null ? null : rss < 1024,
  });
  out.push({
    target: 'every system’s profiles equal the recomputation',
    ours: systems.filter((s) => s.verify.correct).length,
    peer: systems.length,
    ratio: null,
    wanted: 'all',
    met: systems.length > 0 && systems.every((s) => s.verify.correct),
  });
  return out;
}

export function defaultWorkDir(): string {
  return path.join(os.tmpdir(), 'pulse-compare');
}

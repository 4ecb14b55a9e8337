/**
 * `pulse bench runtime`: the counting job's throughput in one worker process beside the ceiling of
 * the same client measured in the same run, exactly-once throughput, and restore time and memory.
 * Everything it creates (topics, groups, state directories) is namespaced by a run id and removed
 * at the end, also on failure or interrupt.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { changelogTopic, librdkafkaVersion } from '../runtime/index.ts';
import { registry } from '../jobs/index.ts';
import { spawnCeiling } from './ceiling.ts';
import { runJob } from './job-run.ts';
import { createTopics, deleteWithPrefix, produceRecords } from './kafka.ts';
import { buildReport, type BenchReport, type Machine } from './report.ts';
import { measureRestore, type RestoreResult } from './restore.ts';
import { BenchWorker, killChildren } from './worker.ts';
import { skewedWorkload } from './workload.ts';

export interface RuntimeBenchOptions {
  brokers: string[];
  /** Repository root. */
  root: string;
  records: number;
  keys: number;
  partitions: number;
  restoreKeys: number;
  skipEos: boolean;
  protocol: 'consumer' | 'classic';
  /** Write V8 CPU profiles of the worker and ceiling processes here. */
  cpuProfDir?: string | undefined;
  /** Keep the worker logs here (default: a temporary directory, kept only on failure). */
  logDir?: string | undefined;
  /** Progress lines (stderr). */
  progress: (msg: string) => void;
}

const ZIPF_S = 1.0;

export function machine(): Machine {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    librdkafka: librdkafkaVersion,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: os.loadavg(),
  };
}

export async function runRuntimeBench(o: RuntimeBenchOptions): Promise<BenchReport> {
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 46_656).toString(36)}`;
  const prefix = `bench-${runId}-`;
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `pulse-bench-${runId}-`));
  const logDir = o.logDir ? path.resolve(o.logDir) : path.join(runDir, 'logs');
  const log = o.progress;
  const host = machine();
  let cleaned: Promise<void> | undefined;
  const cleanup = (keepLogs: boolean) =>
    (cleaned ??= (async () => {
      await killChildren();
      const removed = await deleteWithPrefix(o.brokers, prefix);
      log(`clean-up: deleted ${removed.topics} topics and ${removed.groups} groups named ${prefix}*`);
      for (const entry of fs.readdirSync(runDir))
        if (!keepLogs || entry !== 'logs')
          fs.rmSync(path.join(runDir, entry), { recursive: true, force: true });
      if (keepLogs || o.logDir) log(`worker logs kept in ${logDir}`);
      if (!keepLogs) fs.rmSync(runDir, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping and cleaning up`);
    void cleanup(false).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let ok = false;
  try {
    const nodeArgs = o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(o.cpuProfDir)}`] : [];
    const alosJob = registry['count-by-key']!({ namespace: prefix });
    const eosJob = registry['count-by-key-eos']!({ namespace: prefix });
    const inputTopic = alosJob.inputs.records!.topic;
    const ceilingOut = `${prefix}ceiling-out`;
    log(`run ${runId}: load average ${host.loadAverage.map((l) => l.toFixed(2)).join(' ')}; dir ${runDir}`);

    // 1. The workload, produced once, read by every contender.
    await createTopics(o.brokers, [inputTopic, ceilingOut], o.partitions);
    log(`producing ${o.records} records over ${o.keys} keys (Zipf s=${ZIPF_S}) to ${inputTopic}`);
    const produced = await produceRecords(
      o.brokers,
      inputTopic,
      skewedWorkload({ records: o.records, keys: o.keys, zipfS: ZIPF_S }),
    );
    log(
      `produced ${produced.records} records (${((produced.keyBytes + produced.valueBytes) / 1e6).toFixed(1)} MB) in ` +
        `${(produced.ms / 1000).toFixed(1)} s`,
    );

    // 2. The ceiling, in its own process.
    log('ceiling: consume, JSON.parse, produce');
    const ceiling = await spawnCeiling(
      {
        brokers: o.brokers,
        inputTopic,
        outputTopic: ceilingOut,
        groupId: `${prefix}ceiling`,
        records: o.records,
        protocol: o.protocol,
        commitIntervalMs: alosJob.commitIntervalMs,
      },
      { cwd: o.root, nodeArgs },
    );
    log(`ceiling: ${Math.round(ceiling.eventsPerSec)} events/s`);

    // 3. The counting job, at-least-once then exactly-once, each in a fresh worker process.
    const worker = (id: string, jobs: string, namespace = prefix) =>
      new BenchWorker({
        root: o.root,
        id,
        jobs,
        namespace,
        stateDir: path.join(runDir, `state-${id}`),
        brokers: o.brokers,
        logFile: path.join(logDir, `${id}.log`),
        nodeArgs,
      });
    log(`at-least-once: ${alosJob.name} in one worker`);
    const alos = await runJob({
      worker: worker('bench-alos', 'count-by-key'),
      brokers: o.brokers,
      job: alosJob.name,
      inputTopic,
      records: o.records,
    });
    log(`at-least-once: ${Math.round(alos.eventsPerSec)} events/s`);
    let eos;
    if (!o.skipEos) {
      log(`exactly-once: ${eosJob.name} in one worker`);
      eos = await runJob({
        worker: worker('bench-eos', 'count-by-key-eos'),
        brokers: o.brokers,
        job: eosJob.name,
        inputTopic,
        records: o.records,
      });
      log(`exactly-once: ${Math.round(eos.eventsPerSec)} events/s`);
    }

    // 4. Restore of `restoreKeys` keys onto a fresh worker.
    let restore: RestoreResult | undefined;
    if (o.restoreKeys > 0) {
      const ns = `${prefix}r-`;
      const job = registry['count-by-key']!({ namespace: ns });
      const input = job.inputs.records!.topic;
      await createTopics(o.brokers, [input], o.partitions);
      restore = await measureRestore({
        brokers: o.brokers,
        job: job.name,
        inputTopic: input,
        changelogTopic: changelogTopic(job.name, 'counts'),
        partitions: o.partitions,
        keys: o.restoreKeys,
        worker: { root: o.root, jobs: 'count-by-key', namespace: ns, brokers: o.brokers, nodeArgs },
        runDir,
        logDir,
        progress: log,
      });
      log(`restore: ${restore.seconds.toFixed(2)} s, ${restore.mbPerSec.toFixed(1)} MB/s`);
    }

    ok = true;
    return buildReport({
      runId,
      machine: host,
      workload: {
        topic: inputTopic,
        records: produced.records,
        keys: o.keys,
        partitions: o.partitions,
        zipfS: ZIPF_S,
        avgValueBytes: produced.valueBytes / Math.max(1, produced.records),
        produceSeconds: produced.ms / 1000,
      },
      ceiling,
      alos,
      eos,
      restore,
      commitIntervals: { alos: alosJob.commitIntervalMs, eos: eosJob.commitIntervalMs },
    });
  } finally {
    await cleanup(!ok);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Our runtime as a system under comparison: `parallelism` real `pulse worker` processes, each running
 * the real `enrich-user-events` and `aggregate-profiles` jobs (the topology Kafka Streams runs as
 * one application), in the namespace whose topics the run prepared.
 */
import path from 'node:path';
import { changelogTopic } from '../../runtime/index.ts';
import { BenchWorker } from '../worker.ts';
import type { StatefulLaunchOptions, StatefulSystem } from './types.ts';

export const RUNTIME_JOBS = 'enrich-user-events,aggregate-profiles';

/** Environment knobs of the workers in the comparison (RocksDB memory bounded, as for Kafka Streams). */
export interface RuntimeTuning {
  rocksCacheMb?: number;
  rocksWriteBufferMb?: number;
  cacheEntries?: number;
}

/**
 * Launches the workers. `namespace` is the prefix of the topics in `opts.topics` (the jobs derive
 * their topic, group and changelog names from it); `opts.appId` must equal it.
 */
export async function launchRuntime(
  opts: StatefulLaunchOptions,
  tuning: RuntimeTuning = {},
): Promise<StatefulSystem & { workers: BenchWorker[] }> {
  const ns = opts.appId;
  for (const [name, topic] of Object.entries(opts.topics) as Array<[string, string]>)
    if (!topic.startsWith(ns)) throw new Error(`topic ${name} (${topic}) is not in namespace ${ns}`);
  const workers = Array.from(
    { length: opts.parallelism },
    (_, i) =>
      new BenchWorker({
        root: opts.root,
        id: `${ns}w${i}`,
        jobs: RUNTIME_JOBS,
        namespace: ns,
        stateDir: path.join(opts.stateDir, `w${i}`),
        brokers: opts.brokers,
        logFile: path.join(opts.logDir, `${ns}w${i}.log`),
        nodeArgs: opts.extraArgs,
        env: {
          PULSE_GUARANTEE: opts.guarantee,
          PULSE_COMMIT_INTERVAL_MS: String(opts.commitIntervalMs),
          ...(tuning.rocksCacheMb ? { PULSE_ROCKSDB_CACHE_MB: String(tuning.rocksCacheMb) } : {}),
          ...(tuning.rocksWriteBufferMb
            ? { PULSE_ROCKSDB_WRITE_BUFFER_MB: String(tuning.rocksWriteBufferMb) }
            : {}),
          ...(tuning.cacheEntries ? { PULSE_CACHE_ENTRIES: String(tuning.cacheEntries) } : {}),
          LOG_LEVEL: 'info',
        },
      }),
  );
  for (const w of workers) await w.start();
  const enrich = `${ns}enrich-user-events`;
  const aggregate = `${ns}aggregate-profiles`;
  return {
    workers,
    pids: () => workers.filter((w) => w.running).map((w) => w.pid),
    progressGroups: [
      { group: enrich, topic: opts.topics.raw },
      { group: aggregate, topic: opts.topics.enriched },
    ],
    changelogTopics: [changelogTopic(aggregate, 'profiles')],
    async waitRunning(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const w of workers) w.assertRunning();
        const ready = await Promise.all(workers.map((w) => w.readyz()));
        if (ready.every(Boolean)) return;
        if (Date.now() > deadline)
          throw new Error(`workers not ready after ${timeoutMs / 1000} s; log:\n${workers[0]!.logTail()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop(40_000)));
    },
  };
}

/**
 * Restore: fill a job's changelog with N distinct keys (one input record per key, counted by a
 * worker that is then stopped), then start a fresh worker with an empty state directory and time
 * it until every task has restored its store from the changelog and runs.
 */
import { changelogSize, produceRecords, waitCommitted, type ChangelogSize } from './kafka.ts';
import { readCpuSeconds, RssSampler } from './rss.ts';
import { BenchWorker, type BenchWorkerOptions } from './worker.ts';
import { distinctWorkload } from './workload.ts';

export interface RestoreOptions {
  brokers: string[];
  job: string;
  inputTopic: string;
  changelogTopic: string;
  partitions: number;
  keys: number;
  /** Worker settings shared by the filling and the restoring worker (id, state dir, log are set here). */
  worker: Omit<BenchWorkerOptions, 'id' | 'stateDir' | 'logFile'>;
  /** State directories go here. */
  runDir: string;
  logDir: string;
  /** How long to keep sampling RSS after the restore finished. */
  holdMs?: number;
  progress: (msg: string) => void;
}

export interface RestoreResult {
  keys: number;
  /** Filling the changelog: producing the keys and counting them once. */
  fillSeconds: number;
  changelog: ChangelogSize;
  /** Worker process start → every task restored and running (`/readyz` 200 with all partitions). */
  seconds: number;
  /** First task assigned → all restored (the restore proper, without process start and group join). */
  restoringSeconds: number;
  mbPerSec: number;
  restoringMbPerSec: number;
  recordsPerSec: number;
  /** CPU of the worker process from its first assignment until ready. */
  cpuSeconds: number | undefined;
  /** Peak RSS of the worker during restore and `holdMs` after. */
  peakRssBytes: number;
  rssAfterBytes: number | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureRestore(o: RestoreOptions): Promise<RestoreResult> {
  const t0 = performance.now();
  o.progress(`restore: producing ${o.keys} distinct keys to ${o.inputTopic}`);
  await produceRecords(o.brokers, o.inputTopic, distinctWorkload(o.keys));
  const filler = new BenchWorker({
    ...o.worker,
    id: 'bench-fill',
    stateDir: `${o.runDir}/state-fill`,
    logFile: `${o.logDir}/bench-fill.log`,
  });
  o.progress('restore: counting them once to fill the changelog');
  await filler.start();
  try {
    await waitCommitted(o.brokers, o.job, o.inputTopic, {
      intervalMs: 250,
      stallMs: 180_000,
      check: () => filler.assertRunning(),
    });
  } finally {
    await filler.stop();
  }
  const fillSeconds = (performance.now() - t0) / 1000;
  const changelog = await changelogSize(o.brokers, o.changelogTopic);
  o.progress(
    `restore: changelog has ${changelog.records} records, ~${(changelog.bytes / 1e6).toFixed(1)} MB; ` +
      'starting a fresh worker with an empty state directory',
  );

  const worker = new BenchWorker({
    ...o.worker,
    id: 'bench-restore',
    stateDir: `${o.runDir}/state-restore`,
    logFile: `${o.logDir}/bench-restore.log`,
  });
  await worker.start();
  const rss = new RssSampler(worker.pid).start();
  try {
    let assignedAt: number | undefined;
    let cpuAtAssign: number | undefined;
    const deadline = Date.now() + 30 * 60_000;
    for (;;) {
      worker.assertRunning();
      const st = await worker.status();
      const tasks = st?.jobs.flatMap((j) => j.tasks) ?? [];
      if (assignedAt === undefined && tasks.length > 0) {
        assignedAt = performance.now();
        cpuAtAssign = readCpuSeconds(worker.pid);
      }
      // /readyz alone is 200 before any partition is assigned; require all of them, running.
      if (
        st?.ready &&
        tasks.length === o.partitions &&
        tasks.every((t) => t.state === 'running') &&
        (await worker.readyz())
      )
        break;
      if (Date.now() > deadline) throw new Error(`restore did not finish; log:\n${worker.logTail()}`);
      await sleep(100);
    }
    const readyAt = performance.now();
    const cpuReady = readCpuSeconds(worker.pid);
    await sleep(o.holdMs ?? 5000);
    const rssAfter = rss.sample();
    const seconds = (readyAt - worker.startedAt) / 1000;
    const restoringSeconds = (readyAt - (assignedAt ?? worker.startedAt)) / 1000;
    return {
      keys: o.keys,
      fillSeconds,
      changelog,
      seconds,
      restoringSeconds,
      mbPerSec: changelog.bytes / 1e6 / seconds,
      restoringMbPerSec: changelog.bytes / 1e6 / restoringSeconds,
      recordsPerSec: changelog.records / seconds,
      cpuSeconds: cpuReady !== undefined && cpuAtAssign !== undefined ? cpuReady - cpuAtAssign : undefined,
      peakRssBytes: rss.peak,
      rssAfterBytes: rssAfter,
    };
  } finally {
    rss.stop();
    await worker.stop();
  }
}

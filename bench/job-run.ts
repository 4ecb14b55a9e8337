/**
 * One measured run of a counting job in one real worker process: events/s from the worker's first
 * consumed record until the group has committed the end of every input partition, its CPU time over
 * that window and its peak RSS over the whole run.
 */
import { waitCommitted } from './kafka.ts';
import { readCpuSeconds, RssSampler } from './rss.ts';
import type { BenchWorker } from './worker.ts';

export interface JobRunResult {
  job: string;
  records: number;
  /** First consumed record → all input committed. */
  seconds: number;
  eventsPerSec: number;
  /** First consumed record → worker counted every record as consumed (commit not awaited). */
  consumedSeconds: number | undefined;
  /** User + system CPU of the worker process over {@link seconds}. */
  cpuSeconds: number | undefined;
  peakRssBytes: number;
  recordsIn: number | undefined;
  deadLettered: number | undefined;
  /** Commit cycles and the time spent in them (the processing loop waits meanwhile), whole run. */
  commits: number | undefined;
  commitSeconds: number | undefined;
}

export interface JobRunOptions {
  worker: BenchWorker;
  brokers: string[];
  job: string;
  inputTopic: string;
  records: number;
  /** Fail when nothing moves for this long. */
  stallMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the worker, measures the run, stops the worker (also on failure). */
export async function runJob(o: JobRunOptions): Promise<JobRunResult> {
  await o.worker.start();
  const rss = new RssSampler(o.worker.pid).start();
  let measured: Omit<JobRunResult, 'peakRssBytes'>;
  try {
    measured = await measure(o);
  } finally {
    await o.worker.stop();
    rss.stop();
  }
  return { ...measured, peakRssBytes: rss.peak };
}

async function measure(o: JobRunOptions): Promise<Omit<JobRunResult, 'peakRssBytes'>> {
  const { worker } = o;
  const stallMs = o.stallMs ?? 120_000;
  // 1. The first consumed record (the counter appears after the first batch is processed).
  const since = Date.now();
  for (;;) {
    worker.assertRunning();
    if (((await worker.metric('pulse_records_in_total', o.job)) ?? 0) > 0) break;
    if (Date.now() - since > stallMs)
      throw new Error(`${o.job}: no record consumed after ${stallMs / 1000} s; log:\n${worker.logTail()}`);
    await sleep(50);
  }
  const t0 = performance.now();
  const cpu0 = readCpuSeconds(worker.pid);
  // 2. Every input partition committed to its end; the consumed-all moment is read now and then.
  let consumedAt: number | undefined;
  let polls = 0;
  await waitCommitted(o.brokers, o.job, o.inputTopic, {
    stallMs,
    check: () => worker.assertRunning(),
    onPoll: async () => {
      if (consumedAt !== undefined || ++polls % 5 !== 0) return;
      const n = await worker.metric('pulse_records_in_total', o.job);
      if (n !== undefined && n >= o.records) consumedAt = performance.now();
    },
  });
  const t1 = performance.now();
  const cpu1 = readCpuSeconds(worker.pid);
  const seconds = (t1 - t0) / 1000;
  return {
    job: o.job,
    records: o.records,
    seconds,
    eventsPerSec: o.records / seconds,
    consumedSeconds: consumedAt === undefined ? undefined : (consumedAt - t0) / 1000,
    cpuSeconds: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined,
    recordsIn: await worker.metric('pulse_records_in_total', o.job),
    deadLettered: (await worker.metric('pulse_records_dead_lettered_total', o.job)) ?? 0,
    commits: await worker.metric('pulse_commit_duration_seconds_count', o.job),
    commitSeconds: await worker.metric('pulse_commit_duration_seconds_sum', o.job),
  };
}

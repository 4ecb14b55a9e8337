/**
 * The Kafka Streams reference app (bench/peers/kafka-streams, Java 17 + Maven) as a system under
 * comparison: one JVM running the enrich + aggregate topology with `parallelism` stream threads,
 * application.id = `opts.appId`, the run's topics, guarantee and commit interval.
 *
 * The app reports on stdout, one JSON object per line (see its Status.java): KafkaStreams state
 * changes, restorations (records, bytes fetched, duration), bad records skipped. This launcher
 * copies those lines and the JVM's log (stderr) into `<logDir>/<appId>kstreams.log` and parses
 * them: `waitRunning` resolves on state RUNNING (every task restored), restore and skip figures are
 * exposed to the caller.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { trackChild } from '../worker.ts';
import type { Guarantee, StatefulLaunchOptions, StatefulSystem } from './types.ts';

/** Where the app's Maven project lives, relative to the repository root. */
export const KS_APP_DIR = path.join('bench', 'peers', 'kafka-streams');
/** The shaded jar `mvn package` writes into the project's `target/`. */
export const KS_JAR = 'pulse-kstreams-ref.jar';

/**
 * The stores holding the profile state (its dedup map lives in two stores of its own, see the
 * app's README); each has the changelog `<application.id>-<store>-changelog`.
 */
export const KS_PROFILE_STORES = ['profiles', 'dedup', 'dedup-expiry'] as const;

/** Memory knobs of the JVM and the app (the app's defaults apply where unset). */
export interface KafkaStreamsTuning {
  /** -Xmx of the JVM (default `1g`). */
  heap?: string;
  /** Total RocksDB block cache of the process, memtables included (app default 64). */
  rocksCacheMb?: number;
  /** The memtables' share of it (app default 16). */
  rocksWriteBufferMb?: number;
  /** Kafka Streams' record cache, statestore.cache.max.bytes (app default 10 MiB). */
  cacheMaxBytes?: number;
}

/** One line of the app's report. */
export interface KafkaStreamsEvent {
  event: string;
  time: number;
  [field: string]: unknown;
}

/** One finished restoration of a store partition (task stores and the global catalogue). */
export interface KafkaStreamsRestore {
  store: string;
  topic: string;
  partition: number;
  records: number;
  ms: number;
  /** Bytes the restore consumers had fetched from `topic` when it ended (cumulative per topic; -1: unknown). */
  bytes: number;
}

export interface KafkaStreamsSystem extends StatefulSystem {
  /** The JVM's pid. */
  readonly pid: number;
  /** The last KafkaStreams state reported (CREATED, REBALANCING, RUNNING, ...), if any. */
  state(): string | undefined;
  /** Every line of the report so far. */
  events(): KafkaStreamsEvent[];
  /** Bad records skipped so far, by code (JSON_INVALID, SCHEMA_INVALID, VALUE_MISSING). */
  skipped(): Record<string, number>;
  /** Finished restorations so far. */
  restores(): KafkaStreamsRestore[];
  /** The end of the log file. */
  logTail(lines?: number): string;
}

/** The newest modification time of the inputs of the build (pom.xml and src/main). */
function newestSource(dir: string): number {
  let newest = fs.statSync(path.join(dir, 'pom.xml')).mtimeMs;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  walk(path.join(dir, 'src', 'main'));
  return newest;
}

function runMaven(dir: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let output = '';
    const keep = (b: Buffer) => {
      output = (output + b.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) =>
      reject(new Error(`cannot run Maven (mvn) to build the Kafka Streams app: ${err.message}`)),
    );
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/**
 * Builds the app's shaded jar unless `target/` already holds one newer than every source: offline
 * first (`mvn -o`, the dependencies cached in ~/.m2), online if that fails (the first build
 * downloads Kafka Streams, RocksDB and Jackson from Maven Central). Resolves to the jar's path.
 */
export async function buildKafkaStreamsApp(root: string, log: (msg: string) => void): Promise<string> {
  const dir = path.join(root, KS_APP_DIR);
  const jar = path.join(dir, 'target', KS_JAR);
  if (fs.existsSync(jar) && fs.statSync(jar).mtimeMs >= newestSource(dir)) return jar;
  log('building the Kafka Streams reference app (mvn package)');
  const base = ['-B', '-q', 'package', '-DskipTests'];
  let res = await runMaven(dir, ['-o', ...base]);
  if (res.code !== 0) {
    log('offline build failed; building with Maven Central');
    res = await runMaven(dir, base);
  }
  if (res.code !== 0 || !fs.existsSync(jar))
    throw new Error(`mvn package failed in ${dir} (exit ${res.code}):\n${res.output.slice(-4000)}`);
  return jar;
}

const APP_GUARANTEE: Record<Guarantee, string> = {
  at_least_once: 'at_least_once',
  exactly_once: 'exactly_once_v2',
};

/**
 * Starts the app. `opts.extraArgs` are JVM flags (e.g. a profiler agent). Resolves once the JVM
 * is spawned (rejects if java cannot be started); `waitRunning` waits for the topology.
 */
export async function launchKafkaStreams(
  opts: StatefulLaunchOptions,
  jar: string,
  tuning: KafkaStreamsTuning = {},
): Promise<KafkaStreamsSystem> {
  fs.mkdirSync(opts.logDir, { recursive: true });
  // The JVM's temporary files (the native libraries RocksDB and lz4 extract) stay in the state
  // directory, which the run removes, rather than pile up in the system's.
  const tmpDir = path.join(opts.stateDir, 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true });
  const logFile = path.join(opts.logDir, `${opts.appId}kstreams.log`);
  const args = [
    `-Xmx${tuning.heap ?? '1g'}`,
    '-XX:+ExitOnOutOfMemoryError',
    `-Djava.io.tmpdir=${tmpDir}`,
    ...(opts.extraArgs ?? []),
    '-jar',
    jar,
    ...['--bootstrap-servers', opts.brokers.join(',')],
    ...['--application-id', opts.appId],
    ...['--raw-topic', opts.topics.raw],
    ...['--catalog-topic', opts.topics.catalog],
    ...['--enriched-topic', opts.topics.enriched],
    ...['--updates-topic', opts.topics.updates],
    ...['--guarantee', APP_GUARANTEE[opts.guarantee]],
    ...['--threads', String(opts.parallelism)],
    ...['--commit-interval-ms', String(opts.commitIntervalMs)],
    ...['--state-dir', opts.stateDir],
    ...(tuning.rocksCacheMb ? ['--rocksdb-cache-mb', String(tuning.rocksCacheMb)] : []),
    ...(tuning.rocksWriteBufferMb ? ['--rocksdb-write-buffer-mb', String(tuning.rocksWriteBufferMb)] : []),
    ...(tuning.cacheMaxBytes !== undefined ? ['--cache-max-bytes', String(tuning.cacheMaxBytes)] : []),
  ];
  const errFd = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn('java', args, { cwd: opts.root, stdio: ['ignore', 'pipe', errFd] });
  fs.closeSync(errFd);
  trackChild(child);
  const out = fs.createWriteStream(logFile, { flags: 'a' });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
    child.once('error', () => resolve(-1));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err) =>
      reject(new Error(`cannot start java for the Kafka Streams app: ${err.message}`)),
    );
  });

  const events: KafkaStreamsEvent[] = [];
  const skipped: Record<string, number> = {};
  const restores: KafkaStreamsRestore[] = [];
  let state: string | undefined;
  const lines = readline.createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    out.write(`${line}\n`);
    if (!line.startsWith('{')) return;
    let e: KafkaStreamsEvent;
    try {
      e = JSON.parse(line) as KafkaStreamsEvent;
    } catch {
      return;
    }
    events.push(e);
    if (e.event === 'state' && typeof e.state === 'string') state = e.state;
    else if (e.event === 'skipped-total' && e.counts && typeof e.counts === 'object')
      Object.assign(skipped, e.counts as Record<string, number>);
    else if (e.event === 'restore-end') restores.push(e as unknown as KafkaStreamsRestore);
  });
  const stdoutDone = new Promise<void>((resolve) => lines.once('close', () => resolve()));

  let stopping: Promise<void> | undefined;
  const running = () => child.exitCode === null && child.signalCode === null;
  const logTail = (n = 40) => {
    try {
      return fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-n).join('\n');
    } catch {
      return '(no log)';
    }
  };

  return {
    pid: child.pid ?? -1,
    pids: () => (running() && child.pid ? [child.pid] : []),
    // One consumer group (the application.id) commits both stages' inputs.
    progressGroups: [
      { group: opts.appId, topic: opts.topics.raw },
      { group: opts.appId, topic: opts.topics.enriched },
    ],
    changelogTopics: KS_PROFILE_STORES.map((store) => `${opts.appId}-${store}-changelog`),
    state: () => state,
    events: () => events,
    skipped: () => ({ ...skipped }),
    restores: () => restores,
    logTail,
    async waitRunning(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!running())
          throw new Error(`the Kafka Streams app exited (${child.exitCode}); log:\n${logTail()}`);
        if (state === 'RUNNING') return;
        if (state === 'ERROR' || state === 'PENDING_ERROR')
          throw new Error(`the Kafka Streams app failed; log:\n${logTail()}`);
        if (Date.now() > deadline)
          throw new Error(
            `the Kafka Streams app not running after ${timeoutMs / 1000} s; log:\n${logTail()}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop() {
      stopping ??= stopApp();
      return stopping;
    },
  };

  /** SIGTERM (the app closes Kafka Streams: commit, flush, leave the group), SIGKILL after 75 s. */
  async function stopApp(): Promise<void> {
    if (running()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 75_000);
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
    } else {
      await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
    }
    await Promise.race([stdoutDone, new Promise((r) => setTimeout(r, 2000))]);
    await new Promise<void>((resolve) => out.end(() => resolve()));
  }
}

/**
 * librdkafka's own performance tool (`examples/rdkafka_performance.c`) as a ceiling: the C library
 * our client wraps, consuming with no JavaScript at all.
 *
 * Build. The tool is compiled from the librdkafka sources the client package ships
 * (`node_modules/@confluentinc/kafka-javascript/deps/librdkafka`: its `src/` headers and the
 * `config.h` of the client's own build) and linked against the very `librdkafka.so.1` the client's
 * native binding loads (`build/deps/`), falling back to the static `src/librdkafka.a` plus the
 * system libraries it was configured with (`Makefile.config`). The npm package does not ship
 * librdkafka's `examples/` folder, so the tool's source is looked for there first, then in the cache
 * (`<root>/.bench-cache/librdkafka-<version>/rdkafka_performance.c`), then taken from the npm package
 * {@link TOOL_SOURCE_PACKAGE} (node-rdkafka ships librdkafka's whole tree; its tool is from
 * librdkafka 2.12.0 and is linked against the client's library, so the library measured is ours).
 *
 * The source is patched before compiling ({@link patchPerformanceSource}): two lines are removed —
 * it forces `session.timeout.ms=6000` (which KIP-848 `group.protocol=consumer` groups reject, so the
 * tool could not run them at all) and `queued.min.messages=1000000` after the `-X` options are read
 * (so they could not be set) — and stdout is made line-buffered (the tool never flushes it, so through
 * a pipe its once-a-second progress lines would arrive in 4 KiB lumps and look like a stall). The
 * tool then runs with the consumer settings our `GroupConsumer` uses (see {@link perfArgs}).
 *
 * Cache. `build.json` beside the binary records the version, the library it was linked against, when
 * and in how many seconds it was built. The build runs only when the binary is missing, or when the
 * shared library it was linked against has gone (a reinstalled client at another path).
 *
 * Run. `-G <group> -t <topic> -c <records>`: a high-level (subscribing) consumer in callback mode
 * (`rd_kafka_consumer_poll`, one message per call, counts each, nothing else) that stops after
 * exactly `records` messages, auto-committing offsets every commit interval. Its own clock (first
 * message to last) gives seconds and msgs/s, parsed from its summary line ({@link parsePerfSummary}).
 * CPU and peak RSS come from GNU `/usr/bin/time` when present (exact, but over the whole process:
 * start-up, group join and close included, a few milliseconds for a C program); otherwise from
 * /proc samples every 50 ms (the last one before exit, so up to 50 ms of CPU may be missed).
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CeilingResult } from './types.ts';
import { readCpuSeconds } from '../rss.ts';
import { trackChild } from '../worker.ts';

export const RDKAFKA_PERF_NAME = 'librdkafka rdkafka_performance';

/** The figures of the tool's final consumer summary line. */
export interface PerfSummary {
  messages: number;
  bytes: number;
  /** Milliseconds from the first message to the last (the tool's own clock). */
  ms: number;
  msgsPerSec: number;
  mbPerSec: number;
}

const SUMMARY_RE =
  /^% (\d+) messages \((\d+) bytes\) consumed in (\d+)ms: (\d+) msgs\/s \((\d+(?:\.\d+)?) MB\/s\)/;

/** One consumer summary line (`% N messages (B bytes) consumed in Tms: R msgs/s (M MB/s)...`). */
export function parseSummaryLine(line: string): PerfSummary | undefined {
  const m = SUMMARY_RE.exec(line.trim());
  if (!m) return undefined;
  return {
    messages: Number(m[1]),
    bytes: Number(m[2]),
    ms: Number(m[3]),
    msgsPerSec: Number(m[4]),
    mbPerSec: Number(m[5]),
  };
}

/** The last consumer summary in the tool's stdout (the final, forced one). Throws if there is none. */
export function parsePerfSummary(stdout: string): PerfSummary {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const s = parseSummaryLine(lines[i]!);
    if (s) return s;
  }
  throw new Error(`no consumer summary in rdkafka_performance output: ${stdout.trim().slice(-500)}`);
}

/** User + system CPU seconds and peak RSS (KiB) from GNU time's `-f '%U %S %M'` output file. */
export function parseTimeOutput(text: string): { cpuSeconds: number; maxRssKiB: number } | undefined {
  // A failed command adds a "Command exited with non-zero status N" line before the figures.
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    const m = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)$/.exec(line.trim());
    if (m) return { cpuSeconds: Number(m[1]) + Number(m[2]), maxRssKiB: Number(m[3]) };
  }
  return undefined;
}

const FORCED_LINES = [
  /^[ \t]*rd_kafka_conf_set\(conf, "session\.timeout\.ms", "6000", NULL,\s*0\);[ \t]*$/m,
  /^[ \t]*rd_kafka_conf_set\(conf, "queued\.min\.messages", "1000000", NULL,\s*0\);[ \t]*$/m,
];

/** Appended to the tool's source: stdout line-buffered from before `main` (see the file comment). */
export const LINE_BUFFERED_STDOUT = `
/* added by pulse bench compare: progress lines reach the pipe as they are printed */
__attribute__((constructor)) static void pulse_line_buffered_stdout(void) {
        setvbuf(stdout, NULL, _IOLBF, 0);
}
`;

/**
 * Removes the tool's forced `session.timeout.ms` and `queued.min.messages` settings and makes its
 * stdout line-buffered (see the file comment). Settings that are not there (another librdkafka
 * version) are left alone.
 */
export function patchPerformanceSource(source: string): string {
  let out = source;
  for (const re of FORCED_LINES) out = out.replace(re, '        /* removed by pulse bench compare */');
  return out.includes('pulse_line_buffered_stdout') ? out : `${out}${LINE_BUFFERED_STDOUT}`;
}

/** Where the client's librdkafka lives and what the tool is built from. */
export interface RdkafkaSources {
  /** librdkafka version of the client package (package.json `librdkafka`). */
  version: string;
  /** `deps/librdkafka` inside the client package. */
  librdkafkaDir: string;
  /** `build/deps` inside the client package: the shared library the binding loads. */
  buildDepsDir: string;
  cacheDir: string;
  binary: string;
  /** `build.json`: what the cached binary was built from and how long that took. */
  manifest: string;
}

/** The cached build's record (`build.json`). */
export interface PerfBuild {
  version: string;
  /** The librdkafka the tool is linked against (a shared library, or a static archive). */
  library: string;
  shared: boolean;
  builtAt: string;
  buildSeconds: number;
}

export function rdkafkaSources(root: string): RdkafkaSources {
  const pkgDir = path.join(root, 'node_modules/@confluentinc/kafka-javascript');
  let version: string;
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
      librdkafka?: string;
    };
    if (!pkg.librdkafka) throw new Error('package.json has no "librdkafka" version');
    version = pkg.librdkafka;
  } catch (err) {
    throw new Error(`cannot read the client's librdkafka version in ${pkgDir}`, { cause: err });
  }
  const cacheDir = path.join(root, '.bench-cache', `librdkafka-${version}`);
  return {
    version,
    librdkafkaDir: path.join(pkgDir, 'deps/librdkafka'),
    buildDepsDir: path.join(pkgDir, 'build/deps'),
    cacheDir,
    binary: path.join(cacheDir, 'rdkafka_performance'),
    manifest: path.join(cacheDir, 'build.json'),
  };
}

/**
 * The npm package that ships librdkafka's `examples/` (node-rdkafka bundles the whole source tree),
 * pinned: its librdkafka is 2.12.0, whose performance tool uses only API the client's 2.15.x has.
 * Fetched from the npm registry, the one source of packages every machine here reaches.
 */
export const TOOL_SOURCE_PACKAGE = { name: 'node-rdkafka', version: '3.6.1', librdkafka: '2.12.0' };

/** The tool's C source: shipped with the client, cached, or taken from the pinned npm package. */
async function performanceSource(s: RdkafkaSources, log: (m: string) => void): Promise<string> {
  const shipped = path.join(s.librdkafkaDir, 'examples/rdkafka_performance.c');
  const cached = path.join(s.cacheDir, 'rdkafka_performance.c');
  for (const file of [shipped, cached]) if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  const spec = `${TOOL_SOURCE_PACKAGE.name}@${TOOL_SOURCE_PACKAGE.version}`;
  log(
    `rdkafka_performance.c is not shipped with the client; taking it from ${spec} (librdkafka ${TOOL_SOURCE_PACKAGE.librdkafka}) on the npm registry`,
  );
  fs.mkdirSync(s.cacheDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(s.cacheDir, 'pack-'));
  try {
    const pack = await run('npm', ['pack', spec, '--silent', '--pack-destination', work], work);
    const tarball = fs.readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (pack.code !== 0 || !tarball)
      throw new Error(`npm pack ${spec} failed: ${pack.output.trim().slice(-500)}`);
    const member = 'package/deps/librdkafka/examples/rdkafka_performance.c';
    const untar = await run('tar', ['-xzf', tarball, member], work);
    if (untar.code !== 0) throw new Error(`${spec} has no ${member}: ${untar.output.trim().slice(-300)}`);
    const text = fs.readFileSync(path.join(work, member), 'utf8');
    if (!text.includes('rd_kafka_consumer_poll'))
      throw new Error(`${member} of ${spec} is not the tool's C source`);
    fs.writeFileSync(cached, text);
    return text;
  } catch (err) {
    throw new Error(
      `rdkafka_performance.c is neither in ${shipped} nor in ${cached}, and taking it from ${spec} failed ` +
        `(${(err as Error).message}). Put librdkafka's examples/rdkafka_performance.c at ${cached}.`,
      { cause: err },
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}${err && !stderr ? err.message : ''}` });
    });
  });
}

/** Link variants, best first: the binding's own shared library, then the static archive. */
function linkVariants(s: RdkafkaSources): Array<{ what: string; shared: boolean; args: string[] }> {
  const variants: Array<{ what: string; shared: boolean; args: string[] }> = [];
  for (const dir of [s.buildDepsDir, path.join(s.librdkafkaDir, 'src')]) {
    if (fs.existsSync(path.join(dir, 'librdkafka.so.1')))
      variants.push({
        what: path.join(dir, 'librdkafka.so.1'),
        shared: true,
        args: [`-L${dir}`, '-l:librdkafka.so.1', `-Wl,-rpath,${dir}`, '-lpthread', '-lm'],
      });
  }
  for (const lib of [
    path.join(s.librdkafkaDir, 'src/librdkafka.a'),
    path.join(s.buildDepsDir, 'librdkafka.a'),
  ]) {
    if (fs.existsSync(lib))
      variants.push({
        what: lib,
        shared: false,
        args: [lib, ...staticLibs(s)],
      });
  }
  return variants;
}

/** The system libraries librdkafka was configured with (Makefile.config `LIBS+=`), or a default set. */
function staticLibs(s: RdkafkaSources): string[] {
  try {
    const conf = fs.readFileSync(path.join(s.librdkafkaDir, 'Makefile.config'), 'utf8');
    const libs = [...conf.matchAll(/^LIBS\+=\s*(.*)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
    if (libs.length) return [...new Set(libs)];
  } catch {
    // not configured with mklove: use the usual set
  }
  return ['-lssl', '-lcrypto', '-lz', '-lzstd', '-llz4', '-lsasl2', '-lcurl', '-lpthread', '-lm', '-ldl'];
}

/** The cached build's record, or undefined when there is none (or it is unreadable). */
export function readPerfBuild(s: RdkafkaSources): PerfBuild | undefined {
  try {
    return JSON.parse(fs.readFileSync(s.manifest, 'utf8')) as PerfBuild;
  } catch {
    return undefined;
  }
}

/**
 * A cached binary is usable when it exists and, if it was linked against a shared library, that
 * library is still where the binary's rpath looks for it.
 */
function cachedBuildUsable(s: RdkafkaSources, build: PerfBuild | undefined): boolean {
  if (!fs.existsSync(s.binary)) return false;
  return !build?.shared || fs.existsSync(build.library);
}

/**
 * Path of the cached rdkafka_performance binary, building it first if it is missing (see the file
 * comment). Throws with the compiler's output when it cannot be built.
 */
export async function ensureRdkafkaPerformance(
  root: string,
  log: (m: string) => void = () => {},
): Promise<string> {
  const s = rdkafkaSources(root);
  const cached = readPerfBuild(s);
  if (cachedBuildUsable(s, cached)) {
    if (cached)
      log(
        `rdkafka_performance (librdkafka ${cached.version}) cached at ${s.binary}, ` +
          `built ${cached.builtAt} in ${cached.buildSeconds.toFixed(1)} s against ${cached.library}`,
      );
    return s.binary;
  }
  if (!fs.existsSync(path.join(s.librdkafkaDir, 'src/rdkafka.h')))
    throw new Error(`librdkafka sources not found in ${s.librdkafkaDir}`);
  const variants = linkVariants(s);
  if (!variants.length)
    throw new Error(
      `no built librdkafka (librdkafka.so.1 or librdkafka.a) under ${s.buildDepsDir} or ${s.librdkafkaDir}/src`,
    );
  const source = patchPerformanceSource(await performanceSource(s, log));
  fs.mkdirSync(s.cacheDir, { recursive: true });
  // Per-process names: two runs building at once each finish with a complete binary (rename is atomic).
  const patched = path.join(s.cacheDir, `rdkafka_performance.${process.pid}.patched.c`);
  const tmp = `${s.binary}.${process.pid}.tmp`;
  fs.writeFileSync(patched, source);
  const failures: string[] = [];
  try {
    for (const v of variants) {
      log(`building rdkafka_performance (librdkafka ${s.version}) against ${v.what}`);
      const t0 = performance.now();
      const res = await run(
        'cc',
        [
          '-O2',
          `-I${path.join(s.librdkafkaDir, 'src')}`,
          `-I${s.librdkafkaDir}`,
          '-o',
          tmp,
          patched,
          ...v.args,
        ],
        s.cacheDir,
      );
      if (res.code === 0 && fs.existsSync(tmp)) {
        const build: PerfBuild = {
          version: s.version,
          library: v.what,
          shared: v.shared,
          builtAt: new Date().toISOString(),
          buildSeconds: (performance.now() - t0) / 1000,
        };
        fs.renameSync(tmp, s.binary);
        fs.writeFileSync(s.manifest, `${JSON.stringify(build, null, 2)}\n`);
        log(`built ${s.binary} in ${build.buildSeconds.toFixed(1)} s`);
        return s.binary;
      }
      fs.rmSync(tmp, { force: true });
      failures.push(
        `cc (${v.what}) exited ${res.code}:\n${res.output.trim().split('\n').slice(-25).join('\n')}`,
      );
    }
  } finally {
    fs.rmSync(patched, { force: true });
  }
  throw new Error(`cannot build rdkafka_performance:\n${failures.join('\n\n')}`);
}

export interface PerfRunOptions {
  binary: string;
  brokers: string[];
  topic: string;
  groupId: string;
  records: number;
  commitIntervalMs: number;
  protocol: 'consumer' | 'classic';
  /** Fail when the count has not moved for this long (default 60 s). */
  idleLimitMs?: number;
}

/** The tool's arguments: a subscribing consumer with the consumer settings of our GroupConsumer. */
export function perfArgs(o: Omit<PerfRunOptions, 'binary' | 'idleLimitMs'>): string[] {
  const conf: Record<string, string | number> = {
    'client.id': `${o.groupId}.ceiling`,
    'auto.offset.reset': 'earliest',
    'isolation.level': 'read_committed',
    'fetch.wait.max.ms': 50,
    'fetch.min.bytes': 1,
    'queued.min.messages': 20_000,
    'queued.max.messages.kbytes': 32_768,
    'socket.keepalive.enable': 'true',
    'enable.auto.commit': 'true',
    'auto.commit.interval.ms': o.commitIntervalMs,
  };
  if (o.protocol === 'consumer') conf['group.protocol'] = 'consumer';
  else {
    conf['partition.assignment.strategy'] = 'cooperative-sticky';
    conf['session.timeout.ms'] = 10_000;
    conf['heartbeat.interval.ms'] = 1000;
  }
  return [
    '-G',
    o.groupId,
    '-t',
    o.topic,
    '-b',
    o.brokers.join(','),
    '-c',
    String(o.records),
    '-i',
    '1000',
    ...Object.entries(conf).flatMap(([k, v]) => ['-X', `${k}=${v}`]),
  ];
}

const TIME = '/usr/bin/time';

/** Runs the tool in its own process (group) until it has consumed `records` records. */
export async function runRdkafkaPerformance(o: PerfRunOptions): Promise<CeilingResult> {
  const idleLimitMs = o.idleLimitMs ?? 60_000;
  const args = perfArgs(o);
  const useTime = fs.existsSync(TIME);
  const timeFile = path.join(os.tmpdir(), `pulse-rdkafka-perf-${process.pid}-${Date.now()}.time`);
  const [cmd, argv] = useTime
    ? [TIME, ['-f', '%U %S %M', '-o', timeFile, o.binary, ...args]]
    : [o.binary, args];
  // Own process group: the tool runs under `time`, and both go if either is killed.
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  trackChild(child);
  const pid = child.pid!;
  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let stdout = '';
  let stderr = '';
  let partial = '';
  let count = -1;
  let lastMove = Date.now();
  child.stdout.on('data', (d: Buffer) => {
    const text = d.toString();
    stdout = (stdout + text).slice(-65_536);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const s = parseSummaryLine(line);
      if (s && s.messages !== count) [count, lastMove] = [s.messages, Date.now()];
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-16_384)));
  // Without `time`, sample the tool's CPU and peak RSS (VmHWM) until it exits.
  let cpuSample: number | undefined;
  let hwm: number | undefined;
  let idleFailure: string | undefined;
  const timer = setInterval(() => {
    if (!useTime) {
      cpuSample = readCpuSeconds(pid) ?? cpuSample;
      hwm = readHwm(pid) ?? hwm;
    }
    if (Date.now() - lastMove > idleLimitMs) {
      idleFailure = `no progress for ${idleLimitMs / 1000} s at ${Math.max(0, count)} of ${o.records} records`;
      killGroup();
    }
  }, 50);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (c, sig) => resolve([c, sig])),
  );
  clearInterval(timer);
  if (signal) killGroup(); // `time` was killed (e.g. the bench was interrupted): take the tool along
  await closed; // all of stdout read (it may still be in the pipe at 'exit')
  let timed: ReturnType<typeof parseTimeOutput>;
  if (useTime) {
    timed = parseTimeOutput(fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : '');
    fs.rmSync(timeFile, { force: true });
  }
  const tail = () => `${stderr.trim().slice(-1500)}\n${stdout.trim().slice(-1500)}`.trim();
  if (idleFailure) throw new Error(`rdkafka_performance: ${idleFailure}; output:\n${tail()}`);
  if (code !== 0) throw new Error(`rdkafka_performance exited ${code ?? signal}; output:\n${tail()}`);
  const summary = parsePerfSummary(stdout);
  if (summary.messages !== o.records)
    throw new Error(`rdkafka_performance consumed ${summary.messages} of ${o.records} records:\n${tail()}`);
  // msgs/s is computed by the tool from microseconds; ms alone is too coarse for short runs.
  const seconds = summary.msgsPerSec > 0 ? summary.messages / summary.msgsPerSec : summary.ms / 1000;
  return {
    name: RDKAFKA_PERF_NAME,
    records: summary.messages,
    seconds,
    eventsPerSec: summary.msgsPerSec,
    cpuSeconds: timed ? timed.cpuSeconds : (cpuSample ?? null),
    peakRssBytes: timed ? timed.maxRssKiB * 1024 : (hwm ?? null),
  };
}

function readHwm(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

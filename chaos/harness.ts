/**
 * The chaos harness: runs one scenario on a fresh namespace against the real pipeline and checks
 * the outcome.
 *
 * Per scenario: a catalogue topic; the ingestion API (in process) on `raw-user-events`; the query
 * API (in process) for the readers; fault proxies in front of PostgreSQL and Redis; N `pulse worker`
 * processes running enrich-user-events, aggregate-profiles and write-profiles, which reach
 * PostgreSQL and Redis only through the proxies. The seeded workload is posted at a steady rate
 * while the scenario injects its faults (scenarios may post events of their own through
 * `ctx.ingest`). After the load and the faults, one more event per user (the final probe, see
 * probe.ts) makes every task's state, however it was restored, fold one more event. Then, once
 * every job has caught up:
 *
 * (a) every event the ingestion API acknowledged (2xx) is in `raw-user-events`;
 * (b) every user's profile in PostgreSQL and in Redis equals the recomputation from the input topic
 *     (see verify.ts): none lost, none applied twice;
 * (c) the API readers never saw a user's profile version go backwards;
 * (d) no worker exited unless the scenario made it, and every worker is running, healthy and ready;
 * (e) each fault's recovery time: from `faultEnded` until every job had processed what its input
 *     held at that moment, hop after hop (see lag.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startIngestServer, startQueryServer, type IngestServer, type QueryServer } from '../api/index.ts';
import type { AppConfig } from '../cli/config.ts';
import { createAdmin, createKafkaJSProducer, type KafkaAdmin, type Logger } from '../runtime/index.ts';
import { brokerControl } from './broker.ts';
import { cleanUp } from './cleanup.ts';
import type { ChaosOptions } from './options.ts';
import { waitCaughtUp, type Stage } from './lag.ts';
import { Poster, VersionReader } from './load.ts';
import { postProbe, PROBE_PREFIX } from './probe.ts';
import { startFaultProxy } from './proxy.ts';
import type { ChaosContext, FaultProxy, Scenario, ScenarioResult } from './types.ts';
import { compareProfiles, EventLedger, readStoredProfiles, recomputeFromInput } from './verify.ts';
import { ChaosWorkerProcess, freePort } from './worker.ts';
import { mix32, mulberry32, Workload } from './workload.ts';

export { defaultOptions, type ChaosOptions } from './options.ts';

export const JOBS = ['enrich-user-events', 'aggregate-profiles', 'write-profiles'] as const;

const INGEST_KEY = 'chaos-ingest-key';
const API_KEY = 'chaos-api-key';
const CATALOG_PARTITIONS = 3;

function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}

function viaProxy(url: string, proxy: FaultProxy): string {
  const u = new URL(url);
  const [host, port] = proxy.address.split(':');
  u.hostname = host!;
  u.port = port!;
  return u.toString();
}

function fileLogger(file: string): Logger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>) =>
    fs.appendFileSync(
      file,
      `${new Date().toISOString()} ${level} ${msg} ${fields ? JSON.stringify(fields) : ''}\n`,
    );
  return {
    info: () => undefined,
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** Waits for `/readyz` while the supervisor restarts a worker that exited. */
async function readyAcrossRestarts(w: ChaosWorkerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await w.waitReady(Math.max(1000, deadline - Date.now()));
      return;
    } catch (err) {
      if (w.running || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Runs one scenario end to end; never throws for a scenario's failure (it is in the result). */
export async function runScenario(
  scenario: Scenario,
  opts: ChaosOptions,
  config: AppConfig,
): Promise<ScenarioResult> {
  const started = Date.now();
  const tag = `s${String(scenario.id).padStart(2, '0')}`;
  const ns = `chaos-${tag}-${Date.now().toString(36)}-`;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `pulse-chaos-${tag}-`));
  const logsDir = opts.logsDir
    ? path.join(path.resolve(opts.logsDir), ns.slice(0, -1))
    : path.join(root, 'logs');
  fs.mkdirSync(logsDir, { recursive: true });
  const harnessLog = path.join(logsDir, 'harness.log');
  const log = (msg: string) => {
    const line = `[${tag} ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`;
    fs.appendFileSync(harnessLog, `${line}\n`);
    opts.log(line);
  };
  const brokers = config.kafkaBrokers;
  const failures: string[] = [];
  const notes: string[] = [];
  const recoveries: Array<{ label: string; seconds: number | null }> = [];
  const measuring: Array<Promise<void>> = [];
  const workload = new Workload({ seed: opts.seed, events: opts.events, users: opts.users });
  const ledger = new EventLedger(opts.events);
  const random = mulberry32(mix32(opts.seed, scenario.id));
  const stages: Stage[] = [
    { job: `${ns}enrich-user-events`, topic: `${ns}raw-user-events` },
    { job: `${ns}aggregate-profiles`, topic: `${ns}enriched-events` },
    { job: `${ns}write-profiles`, topic: `${ns}user-profile-updates` },
  ];
  const workers: ChaosWorkerProcess[] = [];
  const allWorkers: ChaosWorkerProcess[] = [];
  // If this process ends before the teardown (an interrupted CLI), no worker of the run outlives it.
  const killWorkers = () => {
    for (const w of allWorkers) if (w.running) w.signal('SIGKILL');
  };
  process.on('exit', killWorkers);
  let unexpectedExits = 0;
  let tearingDown = false;
  let admin: KafkaAdmin | undefined;
  let ingest: IngestServer | undefined;
  let query: QueryServer | undefined;
  let proxies:
    | {
        postgres: Awaited<ReturnType<typeof startFaultProxy>>;
        redis: Awaited<ReturnType<typeof startFaultProxy>>;
      }
    | undefined;
  let reader: VersionReader | undefined;
  let poster: Poster | undefined;
  const result: ScenarioResult = {
    id: scenario.id,
    name: scenario.name,
    passed: false,
    events: { posted: 0, acknowledged: 0, inKafka: 0 },
    mismatchedProfiles: 0,
    lostEvents: 0,
    appliedTwice: 0,
    versionRegressions: 0,
    unexpectedExits: 0,
    recoverySeconds: null,
    seconds: 0,
    failures,
    recoveries,
    notes,
  };

  try {
    log(`namespace ${ns}; ${opts.events} events, ${opts.users} users, ${opts.rate}/s, logs in ${logsDir}`);
    admin = createAdmin(brokers);
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: `${ns}events-catalog`,
          numPartitions: CATALOG_PARTITIONS,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    const producer = createKafkaJSProducer(brokers);
    await producer.connect();
    for (let i = 0; i < workload.catalogue.length; i += 500)
      await producer.send({
        topic: `${ns}events-catalog`,
        messages: workload.catalogue.slice(i, i + 500).map((e) => ({ key: e.id, value: JSON.stringify(e) })),
      });
    await producer.disconnect();

    const quiet = fileLogger(harnessLog);
    ingest = await startIngestServer({
      brokers,
      port: 0,
      hostname: '127.0.0.1',
      keys: INGEST_KEY,
      nodeEnv: 'test',
      ratePerSec: 1e9,
      burst: 1e9,
      partitions: opts.partitions,
      topic: `${ns}raw-user-events`,
      log: quiet,
    });
    query = await startQueryServer({
      port: 0,
      hostname: '127.0.0.1',
      redisUrl: config.redisUrl,
      databaseUrl: config.databaseUrl,
      namespace: ns,
      keys: API_KEY,
      jwtSecret: undefined,
      nodeEnv: 'test',
      brokers,
      catalogTopic: `${ns}events-catalog`,
      rateLimit: { ratePerSec: 1e9, burst: 1e9 },
      log: quiet,
    });
    proxies = {
      postgres: await startFaultProxy(hostPort(config.databaseUrl, 5432)),
      redis: await startFaultProxy(hostPort(config.redisUrl, 6379)),
    };
    const workerEnv: Record<string, string> = {
      KAFKA_BROKERS: brokers.join(','),
      REDIS_URL: viaProxy(config.redisUrl, proxies.redis),
      DATABASE_URL: viaProxy(config.databaseUrl, proxies.postgres),
      PULSE_NAMESPACE: ns,
      ...(scenario.workerEnv?.() ?? {}),
    };

    let nextId = 1;
    const restarts = new Map<string, number>();
    const newWorker = async (): Promise<ChaosWorkerProcess> => {
      const id = `w${nextId++}`;
      const w = new ChaosWorkerProcess({
        id,
        jobs: JOBS.join(','),
        stateDir: path.join(root, 'state', id),
        logFile: path.join(logsDir, `${id}.log`),
        port: await freePort(),
        env: { ...workerEnv, PULSE_STATE_DIR: path.join(root, 'state', id) },
        onUnexpectedExit: (worker, code, signal) => {
          unexpectedExits++;
          log(`UNEXPECTED exit of ${worker.id} (code ${code}, signal ${signal})\n${worker.notableLog(8)}`);
          const n = (restarts.get(worker.id) ?? 0) + 1;
          restarts.set(worker.id, n);
          if (tearingDown || n > 5 || !workers.includes(worker)) return;
          setTimeout(() => {
            if (!tearingDown && !worker.running && workers.includes(worker)) {
              log(`supervisor: restarting ${worker.id}`);
              worker.start();
            }
          }, 1000);
        },
      });
      return w;
    };
    const initial = scenario.initialWorkers ?? opts.workers;
    for (let i = 0; i < initial; i++) workers.push(await newWorker());
    allWorkers.push(...workers);
    // Workers are created asynchronously (a free port each): addWorker hands out a spare at once.
    const spare: ChaosWorkerProcess[] = [];
    for (let i = 0; i < 4; i++) spare.push(await newWorker());
    for (const w of workers) w.start();
    // A worker that dies while starting is counted (an unexpected exit fails the run) and restarted
    // by the supervisor; wait for it across those restarts rather than give up on the run.
    await Promise.all(workers.map((w) => readyAcrossRestarts(w, 180_000)));
    log(`${workers.length} workers ready`);

    const sample = [
      ...Array.from({ length: Math.min(24, opts.users) }, (_, i) => `user-${i}`),
      ...Array.from({ length: 24 }, () => `user-${Math.floor(random() * opts.users)}`),
    ];
    reader = new VersionReader({
      url: `http://127.0.0.1:${query.port}`,
      key: API_KEY,
      users: [...new Set(sample)],
    });
    poster = new Poster({
      url: `http://127.0.0.1:${ingest.port}/events/batch`,
      key: INGEST_KEY,
      workload,
      ledger,
      rate: opts.rate,
      batchSize: opts.batchSize,
      log,
    });
    const post = poster;
    const adm = admin;

    const ctx: ChaosContext = {
      seed: opts.seed,
      random,
      short: opts.short,
      namespace: ns,
      workers,
      addWorker() {
        const w = spare.shift();
        if (!w) throw new Error('no more workers can be added (4 per scenario)');
        allWorkers.push(w);
        workers.push(w);
        w.start();
        return w;
      },
      async removeWorker(w) {
        const i = workers.indexOf(w as ChaosWorkerProcess);
        if (i < 0) throw new Error(`worker ${w.id} is not part of the run`);
        workers.splice(i, 1);
        await w.stop();
        (w as ChaosWorkerProcess).retire();
      },
      proxies,
      broker: brokerControl(config),
      progress: () => post.progress(),
      untilProgress: (f) => post.untilProgress(f),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      log,
      faultEnded(label) {
        const rec = { label, seconds: null as number | null };
        recoveries.push(rec);
        log(`fault ended: ${label}`);
        measuring.push(
          waitCaughtUp(adm, () => workers, stages, opts.short ? 180_000 : 600_000, 500).then(
            (ms) => {
              rec.seconds = ms / 1000;
              log(`recovered from "${label}" in ${rec.seconds.toFixed(1)} s`);
            },
            (err: unknown) => log(`no recovery from "${label}": ${(err as Error).message}`),
          ),
        );
      },
      brokers,
      topic: (name) => `${ns}${name}`,
      jobs: JOBS.map((j) => `${ns}${j}`),
      admin: adm,
      note(msg) {
        notes.push(msg);
        log(`note: ${msg}`);
      },
      async caughtUp(timeoutMs = 180_000) {
        await waitCaughtUp(adm, () => workers, stages, timeoutMs);
      },
      ingest: { url: `http://127.0.0.1:${ingest.port}`, key: INGEST_KEY },
    };
    reader.start();
    const loadDone = poster.run();
    try {
      await scenario.run(ctx);
    } catch (err) {
      failures.push(`scenario: ${(err as Error).message}`);
      log(`scenario failed: ${(err as Error).stack ?? String(err)}`);
      poster.stop();
    }
    await loadDone;
    log(`load done: ${poster.failedRequests} failed requests, ${poster.abandoned} events given up`);
    const probed = await postProbe({ url: `http://127.0.0.1:${ingest.port}`, key: INGEST_KEY, workload });
    if (probed < opts.users) failures.push(`final probe: the API accepted ${probed} of ${opts.users} events`);
    else log(`final probe: one more event for each of ${probed} users`);

    for (const w of workers)
      if (w.paused) {
        failures.push(`${w.id} was left paused by the scenario`);
        w.signal('SIGCONT');
      }
    try {
      const ms = await waitCaughtUp(adm, () => workers, stages, opts.short ? 240_000 : 900_000);
      log(`pipeline caught up ${(ms / 1000).toFixed(1)} s after the load ended`);
    } catch (err) {
      failures.push(`not caught up: ${(err as Error).message}`);
      log(`not caught up:\n${workers.map((w) => w.notableLog()).join('\n')}`);
    }
    await Promise.all(measuring);
    await reader.stop();

    // (a) + (b): the input topic against the ledger, the sinks against the recomputation.
    ledger.resetKafka();
    const ownPrefix = scenario.ownEventIdPrefix;
    let ownRecords = 0;
    let probeRecords = 0;
    const { expected, rejected } = await recomputeFromInput({
      brokers,
      namespace: ns,
      partitions: opts.partitions,
      catalogPartitions: CATALOG_PARTITIONS,
      onEventId: (id) => {
        if (id?.startsWith(PROBE_PREFIX)) {
          ledger.inputRecords++;
          probeRecords++;
        } else if (ownPrefix !== undefined && id?.startsWith(ownPrefix)) {
          ledger.inputRecords++;
          ownRecords++;
        } else ledger.seenInKafka(id === undefined ? undefined : workload.indexOf(id));
      },
    });
    const counts = ledger.counts();
    result.events = { posted: counts.posted, acknowledged: counts.acknowledged, inKafka: counts.inKafka };
    result.lostEvents = counts.lost;
    if (counts.lost > 0)
      failures.push(
        `${counts.lost} acknowledged events missing from the input topic (e.g. ${ledger
          .lostIndexes()
          .map((i) => workload.eventId(i))
          .join(', ')})`,
      );
    if (counts.acknowledged === 0) failures.push('no event was acknowledged');
    if (ledger.foreign > 0) failures.push(`${ledger.foreign} records in the input topic that nobody posted`);
    if (probeRecords < opts.users)
      failures.push(`final probe: ${probeRecords} probe records in the input topic for ${opts.users} users`);
    if (ownRecords > 0) notes.push(`${ownRecords} input records the scenario posted itself`);
    if (rejected > 0) notes.push(`${rejected} input records the enrich job's validation rejects`);
    let check = compareProfiles(expected, await readStoredProfiles({ ...config, namespace: ns }));
    for (let i = 0; i < 15 && check.mismatched + check.extra + check.versionSkew > 0; i++) {
      // Sinks are written asynchronously after the commit; give the last writes a moment.
      await new Promise((r) => setTimeout(r, 2000));
      check = compareProfiles(expected, await readStoredProfiles({ ...config, namespace: ns }));
    }
    result.mismatchedProfiles = check.mismatched;
    result.appliedTwice = check.appliedTwice;
    result.underCounted = check.underCounted;
    log(
      `profiles: ${check.users} users recomputed from ${ledger.inputRecords} input records; ` +
        `${check.mismatched} mismatched (${check.appliedTwice} applied twice, ${check.underCounted} short, ` +
        `missing pg ${check.missing.postgres} redis ${check.missing.redis}), ${check.extra} extra, ${check.versionSkew} version skew`,
    );
    if (check.mismatched + check.extra + check.versionSkew > 0)
      failures.push(
        `profiles: ${check.mismatched} users differ from the recomputation (${check.appliedTwice} applied twice, ` +
          `${check.underCounted} short), ${check.extra} extra, ${check.versionSkew} with postgres/redis version skew; ` +
          check.examples.join('; '),
      );

    // (c) readers.
    result.versionRegressions = reader.regressions;
    result.readerReads = reader.reads;
    if (reader.regressions > 0)
      failures.push(
        `API readers saw ${reader.regressions} version regressions: ${reader.examples.join('; ')}`,
      );
    if (reader.reads === 0) failures.push('API readers never read a profile');
    if (reader.errors > 0)
      notes.push(`API readers: ${reader.errors} failed reads (non-200/404 or no answer)`);

    // (d) processes.
    for (const w of workers) {
      let ok = false;
      for (let i = 0; i < 60 && !ok; i++) {
        ok = await w.healthy();
        if (!ok) await new Promise((r) => setTimeout(r, 500));
      }
      if (!ok) failures.push(`${w.id} is not running, healthy and ready at the end\n${w.notableLog(8)}`);
    }
    result.unexpectedExits = unexpectedExits;
    if (unexpectedExits > 0) failures.push(`${unexpectedExits} worker exits the scenario did not cause`);

    if (scenario.check) {
      try {
        failures.push(...(await scenario.check(ctx)));
      } catch (err) {
        failures.push(`scenario check: ${(err as Error).message}`);
      }
    }

    // (e) recovery.
    const measured = recoveries.map((r) => r.seconds);
    if (measured.some((s) => s === null)) failures.push('a fault was not recovered from in time');
    const done = measured.filter((s): s is number => s !== null);
    result.recoverySeconds = done.length ? Math.max(...done) : null;
  } catch (err) {
    failures.push(`harness: ${(err as Error).message}`);
    log(`harness error: ${(err as Error).stack ?? String(err)}`);
  } finally {
    tearingDown = true;
    process.off('exit', killWorkers);
    poster?.stop();
    await reader?.stop().catch(() => undefined);
    await Promise.all(
      allWorkers.map((w) => {
        w.retire();
        return w.stop(15_000).catch(() => w.kill());
      }),
    );
    await ingest?.close().catch(() => undefined);
    await query?.close().catch(() => undefined);
    await proxies?.postgres.close().catch(() => undefined);
    await proxies?.redis.close().catch(() => undefined);
    result.passed = failures.length === 0;
    result.seconds = Math.round((Date.now() - started) / 100) / 10;
    if (!opts.keep)
      await cleanUp(admin, config, ns).catch((err: unknown) => log(`clean-up: ${(err as Error).message}`));
    await admin?.disconnect().catch(() => undefined);
    fs.rmSync(path.join(root, 'state'), { recursive: true, force: true });
    const removeLogs = result.passed && !opts.logsDir && !opts.keep;
    log(
      `${result.passed ? 'PASSED' : 'FAILED'} in ${result.seconds} s${removeLogs ? '' : `; logs kept in ${logsDir}`}`,
    );
    if (removeLogs) fs.rmSync(root, { recursive: true, force: true });
  }
  return result;
}

/** Runs scenarios one after another. */
export async function runChaos(
  scenarios: readonly Scenario[],
  opts: ChaosOptions,
  config: AppConfig,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const s of scenarios) results.push(await runScenario(s, opts, config));
  return results;
}

import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { projectRoot, type AppConfig } from '../config.ts';
import type { StatefulConfig } from '../../bench/compare/index.ts';

const count = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
};

/** `pulse bench ...`: measurements against the configured broker. */
export function registerBenchCommands(program: Command, config: () => AppConfig): void {
  const bench = program.command('bench').description('benchmarks against the configured Kafka broker');
  bench
    .command('runtime')
    .description(
      'events/s of the counting job in one worker vs. a plain consume/parse/produce loop (the ceiling), ' +
        'exactly-once throughput, restore time and peak RSS',
    )
    .option('--records <n>', 'records to pre-produce', count, 1_000_000)
    .option('--keys <n>', 'distinct keys (Zipf-distributed)', count, 100_000)
    .option('--partitions <n>', 'input partitions', count, 12)
    .option('--restore-keys <n>', 'keys to restore onto a fresh worker (0 = skip)', count, 1_000_000)
    .option('--skip-eos', 'do not measure the exactly-once job', false)
    .option('--cpu-prof <dir>', 'write V8 CPU profiles of the worker and ceiling processes to <dir>')
    .option('--logs <dir>', 'keep the worker logs in <dir>')
    .option('--json', 'print the result as JSON', false)
    .action(
      async (opts: {
        records: number;
        keys: number;
        partitions: number;
        restoreKeys: number;
        skipEos: boolean;
        cpuProf?: string;
        logs?: string;
        json: boolean;
      }) => {
        const cfg = config();
        if (opts.records < 1 || opts.keys < 1 || opts.partitions < 1)
          throw new Error('--records, --keys and --partitions must be at least 1');
        const { runRuntimeBench } = await import('../../bench/runtime-bench.ts');
        const { formatReport } = await import('../../bench/report.ts');
        const report = await runRuntimeBench({
          brokers: cfg.kafkaBrokers,
          root: projectRoot,
          records: opts.records,
          keys: opts.keys,
          partitions: opts.partitions,
          restoreKeys: opts.restoreKeys,
          skipEos: opts.skipEos,
          protocol: cfg.groupProtocol,
          cpuProfDir: opts.cpuProf,
          logDir: opts.logs,
          progress: (msg) => process.stderr.write(`bench: ${msg}\n`),
        });
        console.log(
          opts.json
            ? JSON.stringify(report, (_k, v: unknown) => (v === undefined ? null : v), 2)
            : formatReport(report),
        );
      },
    );
  bench
    .command('e2e')
    .description(
      'end-to-end latency: events posted to the ingestion API at a fixed rate, time until each shows ' +
        'in its user profile in Redis (p50/p99), through the real jobs in one worker process',
    )
    .option('--rate <n>', 'events per second', count, 2000)
    .option('--seconds <n>', 'length of the measured phase', count, 30)
    .option('--users <n>', 'distinct users', count, 10_000)
    .option('--partitions <n>', 'topic partitions', count, 6)
    .option('--commit-interval <ms>', "every job's commit interval (default: each job's own)", count)
    .option('--logs <dir>', 'keep the worker log in <dir>')
    .option('--keep', "keep the run's topics for inspection", false)
    .option(
      '--layout <layout>',
      'workers: "single" (one process runs the three jobs), "per-job" (one process each) or "both"',
      'both',
    )
    .option('--cpu-prof <dir>', 'write a V8 CPU profile of the worker to <dir>')
    .option('--json', 'print the result as JSON', false)
    .action(
      async (opts: {
        cpuProf?: string;
        layout: string;
        keep: boolean;
        rate: number;
        seconds: number;
        users: number;
        partitions: number;
        commitInterval?: number;
        logs?: string;
        json: boolean;
      }) => {
        const cfg = config();
        if (opts.rate < 1 || opts.seconds < 1 || opts.users < 1 || opts.partitions < 1)
          throw new Error('--rate, --seconds, --users and --partitions must be at least 1');
        if (opts.commitInterval !== undefined && opts.commitInterval < 10)
          throw new Error('--commit-interval must be at least 10 ms');
        if (!['single', 'per-job', 'both'].includes(opts.layout))
          throw new Error(`--layout must be single, per-job or both (got "${opts.layout}")`);
        const { formatE2eReport, runE2eBench } = await import('../../bench/e2e.ts');
        const reports = [];
        for (const split of opts.layout === 'both' ? [false, true] : [opts.layout === 'per-job']) {
          reports.push(
            await runE2eBench({
              brokers: cfg.kafkaBrokers,
              redisUrl: cfg.redisUrl,
              databaseUrl: cfg.databaseUrl,
              root: projectRoot,
              rate: opts.rate,
              seconds: opts.seconds,
              users: opts.users,
              partitions: opts.partitions,
              commitIntervalMs: opts.commitInterval,
              logDir: opts.logs,
              cpuProfDir: opts.cpuProf,
              split,
              keep: opts.keep,
              progress: (msg) => process.stderr.write(`bench: ${msg}\n`),
            }),
          );
        }
        console.log(
          opts.json ? JSON.stringify(reports, null, 2) : reports.map((r) => formatE2eReport(r)).join('\n\n'),
        );
      },
    );
  bench
    .command('api')
    .description(
      'personalised feed requests against the query API (profiles in Redis, the generated catalogue) ' +
        'beside a plain Hono JSON endpoint: requests/s and p50/p99 at a fixed rate and at full throttle',
    )
    .option('--profiles <n>', 'profiles written to Redis', count, 100_000)
    .option('--rate <n>', 'requests per second of the latency measurement', count, 1000)
    .option('--seconds <n>', 'length of each measurement', count, 20)
    .option('--logs <dir>', "keep the servers' logs in <dir>")
    .option('--cpu-prof <dir>', 'write a V8 CPU profile of the query API to <dir>')
    .option('--json', 'print the result as JSON', false)
    .action(
      async (opts: {
        profiles: number;
        rate: number;
        seconds: number;
        logs?: string;
        cpuProf?: string;
        json: boolean;
      }) => {
        const cfg = config();
        if (opts.profiles < 1 || opts.rate < 1 || opts.seconds < 1)
          throw new Error('--profiles, --rate and --seconds must be at least 1');
        const { formatApiReport, runApiBench } = await import('../../bench/api.ts');
        const report = await runApiBench({
          brokers: cfg.kafkaBrokers,
          redisUrl: cfg.redisUrl,
          databaseUrl: cfg.databaseUrl,
          root: projectRoot,
          profiles: opts.profiles,
          rate: opts.rate,
          seconds: opts.seconds,
          logDir: opts.logs,
          cpuProfDir: opts.cpuProf,
          progress: (msg) => process.stderr.write(`bench: ${msg}\n`),
        });
        console.log(opts.json ? JSON.stringify(report, null, 2) : formatApiReport(report));
      },
    );
  bench
    .command('catalog')
    .description(
      'generated listings (a share of them duplicates from a second source) through normalisation and ' +
        'deduplication: listings/s beside the decode-validate-encode ceiling, and merge precision and recall',
    )
    .option('--listings <n>', 'listings in all', count, 100_000)
    .option('--duplicates <share>', "share of listings that re-list another source's event", Number, 0.2)
    .option('--cities <n>', 'cities the events are spread over', count, 40)
    .option('--days <n>', 'days the events are spread over', count, 90)
    .option('--json', 'print the result as JSON', false)
    .action(
      async (opts: { listings: number; duplicates: number; cities: number; days: number; json: boolean }) => {
        if (!(opts.duplicates >= 0 && opts.duplicates < 1)) throw new Error('--duplicates must be in [0, 1)');
        const { formatCatalogReport, runCatalogBench } = await import('../../bench/catalog-bench.ts');
        const report = await runCatalogBench({
          listings: opts.listings,
          duplicateShare: opts.duplicates,
          cities: opts.cities,
          days: opts.days,
          progress: (msg) => process.stderr.write(`bench: ${msg}\n`),
        });
        console.log(opts.json ? JSON.stringify(report, null, 2) : formatCatalogReport(report));
      },
    );
  bench
    .command('compare')
    .description(
      'our runtime against a Kafka Streams reference app and the ceilings (librdkafka perf tool, Node ' +
        'consume-only and consume-parse-produce loops) on the same broker: events/s, CPU s per 1M events, ' +
        'p50/p99 at 50 % and 80 % of each max, restore MB/s, peak RSS, and a check of every profile',
    )
    .option('--events <n>', 'events to pre-produce', count, 2_000_000)
    .option('--users <n>', 'distinct users (each appears at least once; Zipf)', count, 1_000_000)
    .option('--catalog <n>', 'catalogue events (the join side)', count, 50_000)
    .option('--partitions <n>', 'input partitions', count, 12)
    .option('--seed <n>', 'workload seed', count, 20_261_202)
    .option('--commit-interval <ms>', 'commit interval of every system', count, 100)
    .option(
      '--systems <list>',
      'configurations: comma-separated <runtime|kafka-streams>:<alos|eos>:<workers or threads>',
      'runtime:alos:1,kafka-streams:alos:1,runtime:alos:2,kafka-streams:alos:2,runtime:eos:1,kafka-streams:eos:1,runtime:eos:2,kafka-streams:eos:2',
    )
    .option('--no-ceilings', 'skip the ceilings')
    .option('--no-restore', 'skip the restore measurement')
    .option('--no-latency', 'skip the latency measurement')
    .option('--latency-seconds <n>', 'length of each latency measurement', count, 15)
    .option(
      '--chart <file>',
      'write the chart (SVG) here',
      path.join(projectRoot, 'bench', 'results', 'compare.svg'),
    )
    .option(
      '--work-dir <dir>',
      'state directories and logs of the run',
      path.join(os.tmpdir(), 'pulse-compare'),
    )
    .option('--keep', "keep the run's topics, state and logs", false)
    .option('--cpu-prof <dir>', 'write V8 CPU profiles of our workers to <dir>')
    .option('--json', 'print the result as JSON', false)
    .action(
      async (opts: {
        events: number;
        users: number;
        catalog: number;
        partitions: number;
        seed: number;
        commitInterval: number;
        systems: string;
        ceilings: boolean;
        restore: boolean;
        latency: boolean;
        latencySeconds: number;
        chart: string;
        workDir: string;
        keep: boolean;
        cpuProf?: string;
        json: boolean;
      }) => {
        const cfg = config();
        if (opts.events < 1 || opts.users < 1 || opts.catalog < 1 || opts.partitions < 1)
          throw new Error('--events, --users, --catalog and --partitions must be at least 1');
        if (opts.users > opts.events) throw new Error('--users cannot exceed --events');
        const configs = parseSystems(opts.systems);
        // Loaded on use: the comparison pulls in the peers' launchers and the chart renderer.
        const { runCompare } = await import('../../bench/compare/index.ts');
        const { formatCompareReport, renderChart } = await import('../../bench/compare/report.ts');
        const report = await runCompare({
          root: projectRoot,
          brokers: cfg.kafkaBrokers,
          events: opts.events,
          users: opts.users,
          catalogEvents: opts.catalog,
          partitions: opts.partitions,
          seed: opts.seed,
          commitIntervalMs: opts.commitInterval,
          configs,
          ceilings: opts.ceilings,
          restore: opts.restore,
          latency: opts.latency,
          latencySeconds: opts.latencySeconds,
          protocol: cfg.groupProtocol,
          workDir: opts.workDir,
          keep: opts.keep,
          cpuProfDir: opts.cpuProf,
          progress: (msg) => process.stderr.write(`bench: ${msg}\n`),
        });
        if (opts.chart) {
          fs.mkdirSync(path.dirname(path.resolve(opts.chart)), { recursive: true });
          fs.writeFileSync(opts.chart, await renderChart(report));
          process.stderr.write(`bench: chart written to ${opts.chart}\n`);
        }
        console.log(opts.json ? JSON.stringify(report, null, 2) : formatCompareReport(report));
        if (report.systems.some((s) => !s.verify.correct)) process.exitCode = 1;
      },
    );
}

/** `runtime:alos:1,kafka-streams:eos:2` → configurations; a clear error naming the bad entry. */
export function parseSystems(spec: string): StatefulConfig[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [system, g, n] = entry.split(':');
      if (system !== 'runtime' && system !== 'kafka-streams')
        throw new InvalidArgumentError(`--systems: "${entry}": the system must be runtime or kafka-streams`);
      if (g !== 'alos' && g !== 'eos')
        throw new InvalidArgumentError(`--systems: "${entry}": the guarantee must be alos or eos`);
      const parallelism = Number(n);
      if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 16)
        throw new InvalidArgumentError(
          `--systems: "${entry}": workers/threads must be an integer from 1 to 16`,
        );
      return { system, guarantee: g === 'eos' ? 'exactly_once' : 'at_least_once', parallelism };
    });
}

import { InvalidArgumentError, type Command } from 'commander';
import type { AppConfig } from '../config.ts';
import { table } from '../table.ts';

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

const seed = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new InvalidArgumentError('expected an integer from 0 to 4294967295');
  return n;
};

const ids = (v: string): number[] => {
  const list = v.split(',').map((s) => s.trim());
  if (list.some((s) => !/^\d+$/.test(s)))
    throw new InvalidArgumentError('expected scenario numbers separated by commas, e.g. 1,3');
  return list.map(Number);
};

interface ChaosCliOptions {
  short: boolean;
  only?: number[];
  seed?: number;
  events?: number;
  users?: number;
  rate?: number;
  workers?: number;
  logs?: string;
  keep: boolean;
  json: boolean;
  list: boolean;
}

/**
 * `pulse chaos`: the fault-injection suite against the real pipeline and the local stack. The
 * table (or JSON) goes to stdout, progress to stderr; the exit code is 1 when any scenario fails.
 */
export function registerChaosCommand(program: Command, config: () => AppConfig): void {
  program
    .command('chaos')
    .description(
      'fault-injection suite: runs the real pipeline under a seeded load while killing, pausing, ' +
        'scaling and starving it, then checks every profile against a recomputation of the input ' +
        '(`--list` names the scenarios)',
    )
    .option('--short', 'the short form CI runs (smaller load, fewer repetitions, its scenarios only)', false)
    .option('--only <ids>', 'run these scenarios (comma-separated numbers), in this order', ids)
    .option('--seed <n>', 'seed of the load and of every random choice (default 7)', seed)
    .option('--events <n>', 'distinct events posted per scenario', positive)
    .option('--users <n>', 'distinct users', positive)
    .option('--rate <n>', 'events per second posted to the ingestion API', positive)
    .option('--workers <n>', 'worker processes per scenario (scenarios may start with fewer)', positive)
    .option('--logs <dir>', 'keep worker and harness logs under <dir> (default: kept only on failure)')
    .option('--keep', "keep each scenario's topics, Redis keys, PostgreSQL rows and state", false)
    .option('--json', 'print the results as JSON', false)
    .option('--list', 'list the scenarios (number, short form or not, name) and exit', false)
    .action(async (opts: ChaosCliOptions) => {
      // Loaded on use: the harness pulls in both APIs, the jobs and the verification.
      const { chaosReportJson, defaultOptions, formatChaosReport, runChaos, scenarios, selectScenarios } =
        await import('../../chaos/index.ts');
      if (opts.list) {
        console.log(
          table(
            ['ID', 'SHORT', 'SCENARIO'],
            scenarios.map((s) => [String(s.id), s.inShort ? 'yes' : 'no', s.name]),
          ),
        );
        return;
      }
      const cfg = config();
      // Interrupted: exit now; the harness kills the run's workers on the way out (the run's
      // topics, keys and rows stay, under the namespace its log names).
      for (const sig of ['SIGINT', 'SIGTERM'] as const)
        process.once(sig, () => {
          process.stderr.write(`chaos: ${sig}: stopping\n`);
          process.exit(130);
        });
      const selected = selectScenarios({ ids: opts.only, short: opts.short });
      const base = defaultOptions(opts.short);
      if (opts.users !== undefined && opts.events !== undefined && opts.users > opts.events)
        throw new Error('--users cannot exceed --events');
      const results = await runChaos(
        selected,
        {
          ...base,
          seed: opts.seed ?? base.seed,
          events: opts.events ?? base.events,
          users: opts.users ?? base.users,
          rate: opts.rate ?? base.rate,
          workers: opts.workers ?? base.workers,
          logsDir: opts.logs,
          keep: opts.keep,
          log: (msg) => process.stderr.write(`chaos: ${msg}\n`),
        },
        cfg,
      );
      console.log(opts.json ? chaosReportJson(results) : formatChaosReport(results));
      if (results.some((r) => !r.passed)) process.exitCode = 1;
    });
}

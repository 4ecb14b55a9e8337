import { InvalidArgumentError, type Command } from 'commander';
import { projectRoot, type AppConfig } from '../config.ts';
import { formatReport } from '../../bench/report.ts';
import { runRuntimeBench } from '../../bench/runtime-bench.ts';

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
}

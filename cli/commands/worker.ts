import os from 'node:os';
import type { Command } from 'commander';
import type { AppConfig } from '../config.ts';
import { jsonLogger, Worker } from '../../runtime/index.ts';
import { resolveJobs } from '../../jobs/index.ts';
import { gracefulShutdown } from '../shutdown.ts';

export function registerWorkerCommand(program: Command, config: () => AppConfig): void {
  program
    .command('worker')
    .description('run stream jobs; several workers (on one machine or many) share each job’s partitions')
    .option('--jobs <names>', 'comma-separated job names, or "all"', 'all')
    .option('--id <worker-id>', 'stable worker id (default: PULSE_WORKER_ID or <hostname>-<pid>)')
    .option(
      '--port <port>',
      'HTTP port for /metrics, /healthz, /readyz, /status (default PULSE_WORKER_PORT or 9464)',
    )
    .action(async (opts: { jobs: string; id?: string; port?: string }) => {
      const cfg = config();
      const workerId = opts.id ?? cfg.workerId ?? `${os.hostname()}-${process.pid}`;
      const log = jsonLogger({ worker: workerId }, cfg.logLevel);
      const jobs = resolveJobs(opts.jobs, {
        namespace: cfg.namespace,
        redisUrl: cfg.redisUrl,
        databaseUrl: cfg.databaseUrl,
        commitIntervalMs: cfg.commitIntervalMs,
        guarantee: cfg.guarantee,
      });
      const worker = new Worker(jobs, {
        brokers: cfg.kafkaBrokers,
        stateDir: cfg.stateDir,
        workerId,
        port: opts.port !== undefined ? Number(opts.port) : cfg.workerPort,
        protocol: cfg.groupProtocol,
        rocks: cfg.rocks,
        maxCachedEntries: cfg.cacheEntries,
        fetchPartitionBytes: cfg.fetchPartitionBytes,
        log,
        crashAt: cfg.testCrashAt,
        failTxnAt: cfg.testFailTxnAt,
        metricsToken: cfg.metricsToken,
      });
      const stop = gracefulShutdown({
        log,
        close: () => worker.close(),
        exitCode: (reason) => (worker.failed || reason === 'start failure' ? 1 : 0),
        exitWithParent: cfg.exitWithParent,
      });
      try {
        await worker.start();
      } catch (err) {
        // Only errors no retry can fix get here (an unreachable broker is waited for): bad
        // configuration, credentials, topology. Nothing half-started may keep the process alive.
        const code = (err as { code?: unknown }).code;
        log.error('worker failed to start', {
          error: (err as Error).message,
          ...(code !== undefined ? { code } : {}),
          hint: 'not a transient failure: fix the configuration (or credentials, topics) and restart',
        });
        stop('start failure');
        return;
      }
      // A failed job (e.g. `onError: 'fail'`) stops the worker with a non-zero exit code.
      const watch = setInterval(() => {
        if (worker.failed) {
          clearInterval(watch);
          stop('job failure');
        }
      }, 500);
    });
}

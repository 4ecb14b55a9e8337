import { bearerMatches } from './bearer.ts';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { Server as HttpServer } from 'node:http';
import type { AnyJob } from './api.ts';
import { JobRunner, type CommitStep, type Logger } from './engine/job-runner.ts';
import { createRuntimeMetrics } from './metrics.ts';
import type { RocksOptions } from './store/rocks-store.ts';
import { CacheBudget, DEFAULT_CACHE_ENTRIES } from './store/cached-store.ts';

export interface WorkerOptions {
  brokers: string[];
  stateDir: string;
  workerId: string;
  /** HTTP port for /metrics, /healthz, /readyz and /status (0 = any free port). */
  port: number;
  protocol?: 'consumer' | 'classic';
  rocks?: RocksOptions;
  /** Entries the caches of all of this worker's stores hold together (default 50,000). */
  maxCachedEntries?: number;
  /** Bytes each job's consumer fetches per partition and request (default 128 KiB). */
  fetchPartitionBytes?: number | undefined;
  log: Logger;
  crashAt?: { step: string; nth: number } | undefined;
  failTxnAt?: number | undefined;
  /** When set, `/metrics` and `/status` answer only `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | undefined;
}

/**
 * A worker process: runs one or more jobs (one consumer-group member each) and serves their
 * metrics and health. Several workers, on one machine or many, share the partitions of each job.
 */
export class Worker {
  readonly runners: JobRunner[];
  private server: ServerType | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private closed = false;
  port = 0;

  constructor(
    jobs: AnyJob[],
    private readonly opts: WorkerOptions,
  ) {
    const { registry, hooks, gauges } = createRuntimeMetrics();
    this.metrics = registry;
    this.gauges = gauges;
    // Read by JobRunner.start(), which start() calls only after the HTTP server is listening.
    const statusPort = () => this.port;
    const cacheBudget = new CacheBudget(opts.maxCachedEntries ?? DEFAULT_CACHE_ENTRIES);
    this.runners = jobs.map(
      (job) =>
        new JobRunner(job, {
          brokers: opts.brokers,
          stateDir: opts.stateDir,
          workerId: opts.workerId,
          get statusPort() {
            return statusPort();
          },
          log: opts.log,
          protocol: opts.protocol,
          rocks: opts.rocks,
          fetchPartitionBytes: opts.fetchPartitionBytes,
          cacheBudget,
          hooks,
          crashAt: opts.crashAt as { step: CommitStep; nth: number } | undefined,
          failTxnAt: opts.failTxnAt,
        }),
    );
  }

  private readonly metrics: ReturnType<typeof createRuntimeMetrics>['registry'];
  private readonly gauges: ReturnType<typeof createRuntimeMetrics>['gauges'];

  get ready(): boolean {
    return this.runners.every((r) => r.ready);
  }

  get failed(): Error | undefined {
    return this.runners.find((r) => r.failure)?.failure;
  }

  app(): Hono {
    const app = new Hono();
    app.get('/healthz', (c) =>
      this.failed ? c.json({ status: 'failed', error: this.failed.message }, 503) : c.json({ status: 'ok' }),
    );
    app.get('/readyz', (c) =>
      this.ready ? c.json({ status: 'ready' }) : c.json({ status: 'not ready' }, 503),
    );
    const token = this.opts.metricsToken;
    if (token)
      for (const path of ['/metrics', '/status'])
        app.use(path, async (c, next) => {
          if (bearerMatches(c.req.header('authorization'), token)) return next();
          return c.json(
            { error: { code: 'UNAUTHENTICATED', message: 'metrics need the metrics token' } },
            401,
          );
        });
    app.get('/metrics', async (c) => {
      await this.sample();
      return c.text(await this.metrics.metrics(), 200, { 'Content-Type': this.metrics.contentType });
    });
    app.get('/status', async (c) => {
      const jobs = [];
      for (const r of this.runners) {
        // Approximate on-disk size per store of each running task (as /metrics reports it).
        const sizes = (await r.sample().catch(() => undefined))?.state ?? [];
        const tasks = r.status().map((t) => ({
          ...t,
          stateBytes: Object.fromEntries(
            sizes.filter((s) => s.partition === t.partition).map((s) => [s.store, s.bytes]),
          ),
        }));
        jobs.push({ job: r.job.name, failure: r.failure?.message, tasks });
      }
      return c.json({ worker: this.opts.workerId, ready: this.ready, jobs });
    });
    return app;
  }

  private async sample(): Promise<void> {
    for (const r of this.runners) {
      const s = await r.sample();
      for (const l of s.lag)
        this.gauges.lag.set({ job: r.job.name, topic: l.topic, partition: String(l.partition) }, l.lag);
      for (const st of s.state)
        this.gauges.stateSize.set(
          { job: r.job.name, partition: String(st.partition), store: st.store },
          st.bytes,
        );
    }
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server = serve({ fetch: this.app().fetch, port: this.opts.port, hostname: '0.0.0.0' }, (info) => {
        this.port = info.port;
        resolve();
      });
    });
    // Each runner waits for an unreachable broker (retrying with backoff) and throws only errors
    // no retry can fix; /healthz answers meanwhile, /readyz says not ready. The runners start
    // together: one job restoring its stores need not wait while another loads its global tables
    // or waits for its input topics (a job whose input another job creates waits for it).
    await Promise.all(this.runners.map((r) => r.start()));
    if (this.closed) return;
    this.opts.log.info('worker started', {
      worker: this.opts.workerId,
      jobs: this.runners.map((r) => r.job.name),
      port: this.port,
    });
  }

  /** Graceful stop: every job commits and leaves its group; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sampler) clearInterval(this.sampler);
    await Promise.all(this.runners.map((r) => r.stop()));
    await new Promise<void>((resolve) => {
      const server = this.server as Partial<
        Pick<HttpServer, 'closeIdleConnections' | 'closeAllConnections'>
      > &
        ServerType;
      if (!this.server) return resolve();
      server.close(() => resolve());
      // close() waits for open connections: a monitor polling /status over keep-alive never lets
      // its connection go idle, which held shutdown until the 10 s hard timeout killed the worker.
      // Idle connections go now, busy ones after a moment to finish their answer.
      server.closeIdleConnections?.();
      setTimeout(() => server.closeAllConnections?.(), 500).unref();
    });
    this.opts.log.info('worker stopped', { worker: this.opts.workerId });
  }
}

/**
 * The clients of a chaos run: a poster sending the workload to the ingestion API at a steady rate
 * (retrying a failed batch with the same eventIds, as a real client does), and API readers polling
 * profiles through the query API and counting every version that goes backwards.
 */
import type { EventLedger } from './verify.ts';
import type { Workload } from './workload.ts';

export interface PosterOptions {
  url: string;
  key: string;
  workload: Workload;
  ledger: EventLedger;
  /** Events per second (distinct events; retries ride along). */
  rate: number;
  /** Distinct events per `POST /events/batch` (retries make some batches a little larger). */
  batchSize: number;
  /** Requests in flight at most. */
  concurrency?: number;
  /** How long a batch keeps being retried before its events count as not acknowledged. */
  giveUpMs?: number;
  log(msg: string): void;
}

export class Poster {
  private done = 0;
  private waiters: Array<{ f: number; resolve: () => void }> = [];
  private stopped = false;
  /** Requests that failed (a non-2xx answer or no answer), retried or not. */
  failedRequests = 0;
  /** Events of batches given up on. */
  abandoned = 0;

  constructor(private readonly opts: PosterOptions) {}

  progress(): number {
    return this.done / this.opts.workload.events;
  }

  untilProgress(f: number): Promise<void> {
    if (this.progress() >= f || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ f, resolve }));
  }

  stop(): void {
    this.stopped = true;
    this.release();
  }

  private release(): void {
    const p = this.progress();
    this.waiters = this.waiters.filter((w) => {
      if (p >= w.f || this.stopped) w.resolve();
      return !(p >= w.f || this.stopped);
    });
  }

  /** Posts the whole workload; resolves when every batch was acknowledged or given up on. */
  async run(): Promise<void> {
    const { workload, batchSize, rate } = this.opts;
    const concurrency = this.opts.concurrency ?? 4;
    const t0 = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (let from = 0, k = 0; from < workload.events && !this.stopped; from += batchSize, k++) {
      const due = t0 + ((k * batchSize) / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      const to = Math.min(from + batchSize, workload.events);
      const p = this.postBatch(from, to).finally(() => {
        inFlight.delete(p);
        this.done += to - from;
        this.release();
      });
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    this.stopped = true;
    this.release();
  }

  private async postBatch(from: number, to: number): Promise<void> {
    const items = this.opts.workload.batch(from, to);
    for (const it of items) this.opts.ledger.posted(it.index);
    const body = JSON.stringify(items.map((it) => it.event));
    const giveUpAt = Date.now() + (this.opts.giveUpMs ?? 120_000);
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      try {
        const res = await fetch(this.opts.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.opts.key}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        status = res.status;
        if (status === 202 || status === 207) {
          const answer = (await res.json()) as { accepted?: Array<{ index: number }> };
          for (const a of answer.accepted ?? []) {
            const it = items[a.index];
            if (it) this.opts.ledger.acked(it.index);
          }
          return;
        }
        await res.body?.cancel();
      } catch {
        status = 0;
      }
      this.failedRequests++;
      if (Date.now() > giveUpAt) {
        this.abandoned += to - from;
        this.opts.log(
          `gave up on events ${from}..${to - 1} after ${attempt} attempts (last status ${status})`,
        );
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * attempt)));
    }
  }
}

export interface ReaderOptions {
  /** Base URL of the query API. */
  url: string;
  key: string;
  users: string[];
  /** Pause between two rounds over the sample. */
  pauseMs?: number;
}

/**
 * API readers: poll `GET /api/v1/users/{id}/profile` for a sample of users and count the times a
 * user's version is lower than one already seen for that user.
 */
export class VersionReader {
  private readonly seen = new Map<string, number>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  reads = 0;
  regressions = 0;
  /** Answers other than 200 and 404 (e.g. 503 while a store is unavailable). */
  errors = 0;
  readonly examples: string[] = [];

  constructor(private readonly opts: ReaderOptions) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      for (const userId of this.opts.users) {
        if (this.stopped) break;
        await this.read(userId);
      }
      await new Promise((r) => setTimeout(r, this.opts.pauseMs ?? 50));
    }
  }

  private async read(userId: string): Promise<void> {
    try {
      const res = await fetch(`${this.opts.url}/api/v1/users/${encodeURIComponent(userId)}/profile`, {
        headers: { authorization: `Bearer ${this.opts.key}` },
        signal: AbortSignal.timeout(5000),
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        if (res.status !== 404) this.errors++;
        return;
      }
      const { version } = (await res.json()) as { version: number };
      this.reads++;
      const prev = this.seen.get(userId);
      if (prev !== undefined && version < prev) {
        this.regressions++;
        if (this.examples.length < 5) this.examples.push(`${userId}: v${prev} then v${version}`);
      } else this.seen.set(userId, version);
    } catch {
      this.errors++;
    }
  }
}

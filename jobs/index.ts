/**
 * The job registry: every job a worker can run, by name. `pulse worker --jobs <name,...|all>`.
 * Each entry builds the job for a namespace (a prefix for its name and topics; empty in production,
 * used by tests to isolate runs on a shared broker).
 */
import type { AnyJob } from '../runtime/index.ts';
import { aggregateProfilesJob } from './aggregate-profiles/job.ts';
import { enrichUserEventsJob } from './enrich-user-events/job.ts';
import { writeProfilesJob } from './write-profiles/job.ts';
import {
  createPool,
  migrateOnce,
  PgCatalogQuality,
  PgEventStore,
  PgProfileStore,
  RedisProfileStore,
  RedisTrendingStore,
} from '../state/index.ts';
import { countByKeyJob } from './count-by-key/job.ts';
import { trendingJob } from './trending/job.ts';
import { normaliseListingsJob } from './normalise-listings/job.ts';
import { dedupEventsJob } from './dedup-events/job.ts';
import { catalogStoreJob } from './catalog-store/job.ts';

export interface JobContext {
  namespace: string;
  /** Needed by jobs with Redis or PostgreSQL sinks (write-profiles, trending). */
  redisUrl?: string;
  databaseUrl?: string;
  /** Every job's commit interval (`PULSE_COMMIT_INTERVAL_MS`); each job's default otherwise. */
  commitIntervalMs?: number | undefined;
  /** Every job's delivery guarantee (`PULSE_GUARANTEE`); each job's own otherwise. */
  guarantee?: 'at_least_once' | 'exactly_once' | undefined;
}

function required(value: string | undefined, name: string, job: string): string {
  if (!value) throw new Error(`job ${job} needs ${name}`);
  return value;
}

export const registry: Record<string, (ctx: JobContext) => AnyJob> = {
  'count-by-key': (ctx) =>
    countByKeyJob({ namespace: ctx.namespace, commitIntervalMs: ctx.commitIntervalMs }),
  'count-by-key-eos': (ctx) =>
    countByKeyJob({
      namespace: ctx.namespace,
      guarantee: 'exactly_once',
      name: 'count-by-key-eos',
      commitIntervalMs: ctx.commitIntervalMs,
    }),
  'enrich-user-events': (ctx) =>
    enrichUserEventsJob({ namespace: ctx.namespace, commitIntervalMs: ctx.commitIntervalMs }),
  'aggregate-profiles': (ctx) =>
    aggregateProfilesJob({ namespace: ctx.namespace, commitIntervalMs: ctx.commitIntervalMs }),
  'write-profiles': (ctx) =>
    writeProfilesJob({
      namespace: ctx.namespace,
      commitIntervalMs: ctx.commitIntervalMs,
      sinks: () => {
        const pool = createPool(required(ctx.databaseUrl, 'DATABASE_URL', 'write-profiles'), 4);
        return [
          new RedisProfileStore(required(ctx.redisUrl, 'REDIS_URL', 'write-profiles'), ctx.namespace),
          new PgProfileStore(pool, migrateOnce(pool), ctx.namespace),
        ];
      },
    }),
  trending: (ctx) =>
    trendingJob({
      namespace: ctx.namespace,
      commitIntervalMs: ctx.commitIntervalMs,
      sink: () => new RedisTrendingStore(required(ctx.redisUrl, 'REDIS_URL', 'trending'), ctx.namespace),
    }),
  'normalise-listings': (ctx) =>
    normaliseListingsJob({ namespace: ctx.namespace, commitIntervalMs: ctx.commitIntervalMs }),
  'dedup-events': (ctx) =>
    dedupEventsJob({ namespace: ctx.namespace, commitIntervalMs: ctx.commitIntervalMs }),
  'catalog-store': (ctx) =>
    catalogStoreJob({
      namespace: ctx.namespace,
      commitIntervalMs: ctx.commitIntervalMs,
      sinks: () => {
        const pool = createPool(required(ctx.databaseUrl, 'DATABASE_URL', 'catalog-store'), 4);
        const prepare = migrateOnce(pool);
        const events = new PgEventStore(pool, ctx.namespace);
        const quality = new PgCatalogQuality(pool, ctx.namespace);
        return {
          events: {
            upsertMany: async (e) => (await prepare(), events.upsertMany(e)),
            deleteMany: async (ids) => (await prepare(), events.deleteMany(ids)),
          },
          outcomes: { recordOutcomes: async (b) => (await prepare(), quality.recordOutcomes(b)) },
          close: () => pool.end(),
        };
      },
    }),
};

/** Resolves `all` or a comma-separated list; unknown names are an error listing the known ones. */
export function resolveJobs(spec: string, ctx: JobContext): AnyJob[] {
  const names =
    spec === 'all'
      ? Object.keys(registry).filter((n) => !n.endsWith('-eos'))
      : spec
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  const unknown = names.filter((n) => !(n in registry));
  if (unknown.length)
    throw new Error(`unknown job(s): ${unknown.join(', ')}; known: ${Object.keys(registry).join(', ')}`);
  return names.map((n) => {
    const job = registry[n]!(ctx);
    return ctx.guarantee ? { ...job, guarantee: ctx.guarantee } : job;
  });
}

/**
 * Scenario 8: PostgreSQL unreachable for 30 s (10 s in the short form); then Redis unreachable and
 * back empty, as a Redis without persistence comes back from a restart.
 *
 * Both through the fault proxies, so only the workers lose the dependency (the harness's query API
 * keeps its direct connections: API readers see what the workers left in Redis). While PostgreSQL
 * is down, `write-profiles` keeps Redis current and its commits wait; once it is back, the rows
 * catch up. While Redis is down the commits wait too, but PostgreSQL keeps being written. When Redis
 * comes back empty, `write-profiles` notices (the serving generation changed) and copies every
 * snapshot back from PostgreSQL plus the updates PostgreSQL has not confirmed yet; the scenario
 * measures how long until Redis holds as many snapshots as PostgreSQL, and the harness then checks
 * every one against the recomputation.
 *
 * The workload's users keep receiving events, and each event rewrites its user's snapshot: on its own
 * that would refill Redis without any rebuild. So before the faults the scenario posts a few events
 * for users of its own (`chaos08-d<k>`) that receive nothing afterwards (the harness's final probe
 * covers only the workload's users): their snapshots come back only through the rebuild, and the
 * scenario checks that each one is back in Redis at PostgreSQL's version.
 *
 * The two faults do not overlap: Redis goes only once the pipeline has caught up after PostgreSQL's
 * outage. If Redis lost its data while PostgreSQL still lagged behind it, readers could briefly see
 * PostgreSQL's older versions (the query API falls back to PostgreSQL on a miss, and the rebuild
 * copies PostgreSQL's rows): a double fault that docs/guarantees.md lists as a limit.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig } from '../../cli/config.ts';
import type { ChaosContext, Scenario } from '../types.ts';

const PREFIX = 'chaos08-';
const DORMANT_USERS = 40;
const dormant = Array.from({ length: DORMANT_USERS }, (_, k) => `${PREFIX}d${k}`);

/** Two events for each dormant user, through the ingestion API (retried while it answers 503/429). */
async function postDormant(ctx: ChaosContext): Promise<void> {
  const ingest = ctx.ingest;
  if (!ingest) throw new Error('the harness gives no ingestion API (ChaosContext.ingest)');
  const now = Date.now();
  const events = dormant.flatMap((userId, k) =>
    [0, 1].map((j) => ({
      eventId: `${userId}-e${j}`,
      userId,
      eventType: j === 0 ? 'VIEW' : 'LIKE',
      timestamp: now - 3_600_000 + k * 1000 + j,
      context: { itemId: `${PREFIX}item-${k % 5}`, category: 'Konzert', city: 'Berlin' },
    })),
  );
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${ingest.url}/events/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingest.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json().catch(() => ({}))) as { accepted?: unknown[] };
    if (res.status === 202 && body.accepted?.length === events.length) return;
    if ((res.status !== 503 && res.status !== 429) || attempt >= 30)
      throw new Error(`dormant users' events answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    await ctx.sleep(500);
  }
}

/** Versions of the dormant users in PostgreSQL and in Redis. */
async function dormantVersions(
  ctx: ChaosContext,
  redis: Redis,
  db: pg.Client,
): Promise<{ postgres: Map<string, number>; redis: Map<string, number> }> {
  const rows = await db.query<{ user_id: string; version: string }>(
    'select user_id, version from user_profiles where namespace = $1 and user_id like $2',
    [ctx.namespace, `${PREFIX}%`],
  );
  const inRedis = await Promise.all(
    dormant.map((u) => redis.hget(`${ctx.namespace}profile:${u}`, 'version')),
  );
  return {
    postgres: new Map(rows.rows.map((r) => [r.user_id, Number(r.version)])),
    redis: new Map(dormant.flatMap((u, i) => (inRedis[i] ? [[u, Number(inRedis[i])] as const] : []))),
  };
}

/** Dormant users whose Redis snapshot is missing or not at PostgreSQL's version. */
function unlike(v: { postgres: Map<string, number>; redis: Map<string, number> }): string[] {
  return dormant.filter((u) => v.postgres.get(u) === undefined || v.redis.get(u) !== v.postgres.get(u));
}

async function dormantStored(ctx: ChaosContext): Promise<void> {
  const config = loadConfig();
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
  try {
    await postDormant(ctx);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const left = unlike(await dormantVersions(ctx, redis, db));
      if (left.length === 0) break;
      if (Date.now() > deadline)
        throw new Error(
          `${left.length} dormant users not in PostgreSQL and Redis after 120 s (e.g. ${left[0]})`,
        );
      await ctx.sleep(500);
    }
    ctx.log(`${DORMANT_USERS} dormant users stored in PostgreSQL and Redis`);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    await db.end().catch(() => undefined);
  }
}

async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

async function countKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

async function postgresDown(ctx: ChaosContext, downMs: number): Promise<void> {
  await ctx.untilProgress(0.2);
  ctx.proxies.postgres.down();
  ctx.log(`postgres down for ${downMs / 1000} s at ${(ctx.progress() * 100).toFixed(0)} % of the load`);
  await ctx.sleep(downMs);
  ctx.proxies.postgres.up();
  ctx.faultEnded(`postgres down ${downMs / 1000} s`);
}

async function redisBackEmpty(ctx: ChaosContext, downMs: number): Promise<void> {
  const config = loadConfig();
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
  try {
    await ctx.untilProgress(0.5);
    ctx.proxies.redis.down();
    ctx.log(`redis down at ${(ctx.progress() * 100).toFixed(0)} % of the load`);
    await ctx.sleep(downMs);
    // Back empty: every key of the run's namespace (snapshots and their generation) is gone.
    const deleted = await deleteKeys(redis, `${ctx.namespace}*`);
    ctx.proxies.redis.up();
    const upAt = Date.now();
    ctx.note(`redis came back without the run's ${deleted} keys`);
    ctx.faultEnded('redis down, back empty');
    // Rebuilt: Redis holds a snapshot for every user PostgreSQL has (new users only add to both).
    const deadline = upAt + 120_000;
    for (;;) {
      const count = await db.query<{ n: string }>(
        'select count(*) as n from user_profiles where namespace = $1',
        [ctx.namespace],
      );
      const rows = Number(count.rows[0]?.n ?? 0);
      const keys = await countKeys(redis, `${ctx.namespace}profile:*`);
      const missing = keys >= rows ? unlike(await dormantVersions(ctx, redis, db)) : dormant;
      if (keys >= rows && missing.length === 0) {
        ctx.note(
          `redis rebuilt to ${keys} snapshots (postgres ${rows}) in ${((Date.now() - upAt) / 1000).toFixed(1)} s`,
        );
        return;
      }
      if (Date.now() > deadline)
        throw new Error(
          `redis not rebuilt after 120 s: ${keys} snapshots, postgres has ${rows}; ` +
            `${missing.length} of ${DORMANT_USERS} dormant users not back at their version`,
        );
      await ctx.sleep(250);
    }
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    await db.end().catch(() => undefined);
  }
}

export const scenario: Scenario = {
  id: 8,
  name: 'PostgreSQL down; Redis down, then back empty',
  inShort: true,
  ownEventIdPrefix: PREFIX,
  async run(ctx) {
    await ctx.untilProgress(0.05);
    await dormantStored(ctx);
    await postgresDown(ctx, ctx.short ? 10_000 : 30_000);
    // One fault at a time: PostgreSQL writes caught up before Redis loses its data (see the note above).
    await ctx.caughtUp(ctx.short ? 180_000 : 600_000);
    await redisBackEmpty(ctx, ctx.short ? 2_000 : 5_000);
  },
};

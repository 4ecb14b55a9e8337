/**
 * Scenario 12: events with far-past and far-future timestamps, and retried eventIds, posted through
 * the ingestion API while the load runs, for users of their own (`chaos12-u<k>`).
 *
 * The API accepts epoch-millisecond timestamps from 1e11 (1973-03-03) to 24 h past its clock and
 * rejects the rest with a 4xx that names `timestamp` (a batch answers 207 and lists them). Every
 * accepted event is posted again (in a later batch; some a third time alone). Each user's profile
 * must then hold `lastEventAt` = the latest accepted timestamp, and count retried eventIds as
 * `aggregate-profiles` promises (jobs/aggregate-profiles/README.md, "Duplicates"): a re-send of an
 * event within the dedup window (7 days before the user's latest event) is counted once, whatever
 * its timestamp; a re-send of an older event (1973, 1990, 400 days ago, ...) is counted again,
 * because its eventId is no longer remembered. So `totalEvents` = Σ over the accepted events of 1
 * (inside the window) or the number of times it was posted (outside). The scenario notes how many
 * re-sends were counted again. The harness also checks these users against the recomputation, like
 * every user.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig } from '../../cli/config.ts';
import { MIN_TIMESTAMP_MS } from '../../api/ingest/validation.ts';
import { DEFAULT_PARAMS } from '../../jobs/aggregate-profiles/profile.ts';
import type { ChaosContext, Scenario } from '../types.ts';

const PREFIX = 'chaos12-';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Posted {
  eventId: string;
  userId: string;
  eventType: string;
  timestamp: unknown;
  context: Record<string, string>;
}

interface Plan {
  accepted: Posted[];
  rejected: Posted[];
  /** Per user: the timestamps of its accepted events. */
  users: Map<string, number[]>;
  /** EventIds posted a third time (alone), once the run has chosen them. */
  thirdTime: Set<string>;
}

/** The scenario's events; `now` is the API's clock as we read it (the API checks the future bound). */
export function planEvents(now: number, users: number): Plan {
  const accepted: Posted[] = [];
  const rejected: Posted[] = [];
  const byUser = new Map<string, number[]>();
  const event = (userId: string, id: string, timestamp: unknown, k: number): Posted => ({
    eventId: `${userId}-${id}`,
    userId,
    eventType: ['VIEW', 'LIKE', 'SAVE', 'purchase', 'Click', 'SHARE'][k % 6]!,
    timestamp,
    context: { itemId: `${PREFIX}item-${k % 7}`, category: 'Konzert', city: 'Berlin' },
  });
  for (let u = 0; u < users; u++) {
    const userId = `${PREFIX}u${u}`;
    const good = [
      now - HOUR,
      MIN_TIMESTAMP_MS, // the earliest accepted: 1973-03-03
      Date.UTC(1990, 0, 1) + u,
      now - 400 * DAY,
      now + 23 * HOUR, // the future the API tolerates (clock skew)
      Date.UTC(2025, 0, 6) + u * 1000,
      now - 6 * DAY, // inside the dedup window of the latest event (now + 23 h)
      now - 8 * DAY, // outside it
    ];
    good.forEach((t, j) => accepted.push(event(userId, `e${j}`, t, j + u)));
    byUser.set(userId, good);
    const bad: unknown[] = [
      now + 25 * HOUR, // more than 24 h ahead
      MIN_TIMESTAMP_MS - 1, // looks like seconds
      Math.floor(now / 1000), // epoch seconds
      -1,
      now + 0.5, // not an integer
      8.64e15 + 1, // past the largest JavaScript date
      '2025-01-06T00:00:00Z', // not a number
      Number.MAX_SAFE_INTEGER + 2,
    ];
    bad.forEach((t, j) => rejected.push(event(userId, `r${j}`, t, j)));
  }
  return { accepted, rejected, users: byUser, thirdTime: new Set() };
}

const runs = new Map<string, Plan>();

function shuffle<T>(items: T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function post(
  ingest: { url: string; key: string },
  path: '/events' | '/events/batch',
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${ingest.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingest.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    // Kafka unavailable or rate limited: a client retries the same events.
    if ((res.status === 503 || res.status === 429) && attempt < 30) {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    return { status: res.status, body: answer };
  }
}

type FieldErrors = Array<{ path: string; message: string }>;

/** Posts a batch and checks the answer item by item; returns the problems. */
async function postBatch(
  ingest: { url: string; key: string },
  items: Posted[],
  badIds: ReadonlySet<string>,
): Promise<string[]> {
  const problems: string[] = [];
  const { status, body } = await post(ingest, '/events/batch', items);
  const bad = new Set(items.map((it, i) => (badIds.has(it.eventId) ? i : -1)).filter((i) => i >= 0));
  // 400 when none was accepted; the body lists the rejected items either way.
  const want = bad.size === 0 ? 202 : bad.size === items.length ? 400 : 207;
  if (status !== want) return [`batch of ${items.length} (${bad.size} bad) answered ${status}, not ${want}`];
  const accepted = new Set(((body.accepted as Array<{ index: number }>) ?? []).map((a) => a.index));
  const rejected = (body.rejected as Array<{ index: number; errors: FieldErrors }>) ?? [];
  for (let i = 0; i < items.length; i++)
    if (bad.has(i) === accepted.has(i))
      problems.push(
        `${items[i]!.eventId} (timestamp ${JSON.stringify(items[i]!.timestamp)}) ${bad.has(i) ? 'accepted' : 'not accepted'}`,
      );
  for (const r of rejected) {
    if (!bad.has(r.index)) continue;
    if (!r.errors.some((e) => e.path === 'timestamp') || r.errors.some((e) => e.path !== 'timestamp'))
      problems.push(
        `${items[r.index]!.eventId} rejected without naming only timestamp: ${JSON.stringify(r.errors)}`,
      );
  }
  return problems;
}

async function run(ctx: ChaosContext): Promise<void> {
  const ingest = ctx.ingest;
  if (!ingest) throw new Error('the harness gives no ingestion API (ChaosContext.ingest)');
  const plan = planEvents(Date.now(), ctx.short ? 30 : 200);
  runs.set(ctx.namespace, plan);
  const problems: string[] = [];
  const badIds = new Set(plan.rejected.map((e) => e.eventId));
  // First round: every event once, good and bad mixed; second: every accepted event again, in a
  // new order; third: a third of them once more, alone, through POST /events.
  const rounds = [
    shuffle([...plan.accepted, ...plan.rejected], () => ctx.random()),
    shuffle(plan.accepted, () => ctx.random()),
  ];
  const at = [0.25, 0.5];
  for (let r = 0; r < rounds.length; r++) {
    await ctx.untilProgress(at[r]!);
    const items = rounds[r]!;
    for (let i = 0; i < items.length; i += 50)
      problems.push(...(await postBatch(ingest, items.slice(i, i + 50), badIds)));
    ctx.log(`posted ${items.length} events of round ${r + 1}`);
  }
  await ctx.untilProgress(0.75);
  const singles = shuffle(plan.accepted, () => ctx.random()).slice(0, Math.ceil(plan.accepted.length / 3));
  for (const e of singles) {
    plan.thirdTime.add(e.eventId);
    const { status } = await post(ingest, '/events', e);
    if (status !== 202) problems.push(`retry of ${e.eventId} alone answered ${status}`);
  }
  for (const e of plan.rejected.slice(0, 8)) {
    const { status, body } = await post(ingest, '/events', e);
    const errors = (body.error as { errors?: FieldErrors } | undefined)?.errors ?? [];
    if (status !== 400 || !errors.some((x) => x.path === 'timestamp'))
      problems.push(
        `${e.eventId} alone (timestamp ${JSON.stringify(e.timestamp)}) answered ${status} ${JSON.stringify(errors)}`,
      );
  }
  ctx.note(
    `${plan.accepted.length} accepted events posted ${2} to 3 times (${singles.length} a third time), ` +
      `${plan.rejected.length} rejected timestamps`,
  );
  if (problems.length)
    throw new Error(`ingestion answers: ${problems.slice(0, 6).join('; ')} (${problems.length} in all)`);
}

async function check(ctx: ChaosContext): Promise<string[]> {
  const plan = runs.get(ctx.namespace);
  runs.delete(ctx.namespace);
  if (!plan) return ['scenario 12 did not post its events'];
  const config = loadConfig();
  const db = new pg.Client({ connectionString: config.databaseUrl });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  await db.connect();
  const failures: string[] = [];
  try {
    const rows = await db.query<{ user_id: string; profile: { totalEvents: number; lastEventAt: number } }>(
      'select user_id, profile from user_profiles where namespace = $1 and user_id like $2',
      [ctx.namespace, `${PREFIX}%`],
    );
    const pgProfiles = new Map(rows.rows.map((r) => [r.user_id, r.profile]));
    let countedAgain = 0;
    for (const [userId, times] of plan.users) {
      const latest = Math.max(...times);
      const horizon = latest - DEFAULT_PARAMS.dedupWindowMs;
      let totalEvents = 0;
      times.forEach((t, j) => {
        const posts = plan.thirdTime.has(`${userId}-e${j}`) ? 3 : 2;
        totalEvents += t >= horizon ? 1 : posts;
        if (t < horizon) countedAgain += posts - 1;
      });
      const want = { totalEvents, lastEventAt: latest };
      const raw = await redis.hget(`${ctx.namespace}profile:${userId}`, 'profile');
      const stored = {
        postgres: pgProfiles.get(userId),
        redis: raw ? (JSON.parse(raw) as { totalEvents: number; lastEventAt: number }) : undefined,
      };
      for (const [sink, p] of Object.entries(stored)) {
        if (!p) failures.push(`${userId}: no ${sink} profile`);
        else if (p.totalEvents !== want.totalEvents || p.lastEventAt !== want.lastEventAt)
          failures.push(
            `${userId} (${sink}): totalEvents ${p.totalEvents}, lastEventAt ${p.lastEventAt}; want ${want.totalEvents}, ${want.lastEventAt}`,
          );
      }
    }
    ctx.note(
      `${countedAgain} re-sends of events older than the dedup window counted again (as documented); ` +
        'every re-send inside it counted once',
    );
  } finally {
    await db.end().catch(() => undefined);
    await redis.quit().catch(() => redis.disconnect());
  }
  return failures.length > 6 ? [...failures.slice(0, 6), `... ${failures.length} problems in all`] : failures;
}

export const scenario: Scenario = {
  id: 12,
  name: 'far-past and far-future timestamps; retried eventIds',
  inShort: true,
  ownEventIdPrefix: PREFIX,
  run,
  check,
};

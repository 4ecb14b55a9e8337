/**
 * The chaos suite's checks, from the harness's own records and an offline recomputation.
 *
 * Recomputation source: the INPUT topic (`raw-user-events`), enriched here with the catalogue by the
 * enrich job's own processor (run in the runtime's broker-free test driver), then folded with the
 * profile spec (`applyEvent`). Not the `enriched-events` topic: an event the enrich job lost would
 * be missing from that topic and from the profiles alike, and the comparison would pass. The raw
 * topic is read partition by partition in offset order, so each user's events (all on one
 * partition) are folded in the order the pipeline applied them.
 */
import { Redis } from 'ioredis';
import { applyEvent, emptyState, toProfile, type ProfileState } from '../jobs/aggregate-profiles/profile.ts';
import { enrichUserEventsJob } from '../jobs/enrich-user-events/job.ts';
import { EnrichedEvent, Profile } from '../model/index.ts';
import { ReaderConsumer } from '../runtime/index.ts';
import { TestDriver } from '../runtime/testing/index.ts';
import { createPool } from '../state/index.ts';

/** Relative tolerance for decayed float sums (arrival order changes their rounding). */
export const FLOAT_TOLERANCE = 1e-9;

export function near(a: number, b: number, rel = FLOAT_TOLERANCE): boolean {
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

/** The first difference between a recomputed profile and a stored one, or undefined. */
export function profileDiff(want: Profile, got: Profile): string | undefined {
  if (got.totalEvents !== want.totalEvents) return `totalEvents ${got.totalEvents} != ${want.totalEvents}`;
  if (JSON.stringify(sortKeys(got.eventCounts)) !== JSON.stringify(sortKeys(want.eventCounts)))
    return `eventCounts ${JSON.stringify(got.eventCounts)} != ${JSON.stringify(want.eventCounts)}`;
  for (const c of new Set([...Object.keys(got.interests), ...Object.keys(want.interests)])) {
    const a = got.interests[c as keyof Profile['interests']];
    const b = want.interests[c as keyof Profile['interests']];
    if (a === undefined || b === undefined || !near(a, b)) return `interests.${c} ${a} != ${b}`;
  }
  if (got.lastEventAt !== want.lastEventAt) return `lastEventAt ${got.lastEventAt} != ${want.lastEventAt}`;
  for (const k of ['recentItems', 'dismissedItems', 'purchasedItems'] as const)
    if (JSON.stringify(got[k]) !== JSON.stringify(want[k])) return `${k} differ`;
  if (!near(got.activityScore, want.activityScore))
    return `activityScore ${got.activityScore} != ${want.activityScore}`;
  if (got.home !== want.home) return `home ${got.home} != ${want.home}`;
  return undefined;
}

function sortKeys(o: Record<string, number>): Array<[string, number]> {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A profile as a sink holds it; `profile` is unknown until validated. */
export interface StoredProfile {
  version: number;
  profile: unknown;
}

export interface ProfileCheck {
  /** Users in the recomputation. */
  users: number;
  /** Users whose PostgreSQL or Redis profile is missing, unreadable or differs. */
  mismatched: number;
  /** Users whose stored totalEvents exceed the recomputation (an event applied twice). */
  appliedTwice: number;
  /** Users whose stored totalEvents fall short of it (an event lost in processing). */
  underCounted: number;
  /** Users with no profile in a sink (counted in `mismatched` too). */
  missing: { postgres: number; redis: number };
  /** Profiles in a sink for users the input does not have. */
  extra: number;
  /** Users whose PostgreSQL and Redis versions differ. */
  versionSkew: number;
  /** A few of the differences, for the failure message. */
  examples: string[];
}

/** Compares both sinks with the recomputation, user by user. */
export function compareProfiles(
  expected: ReadonlyMap<string, Profile>,
  sinks: { postgres: ReadonlyMap<string, StoredProfile>; redis: ReadonlyMap<string, StoredProfile> },
  maxExamples = 8,
): ProfileCheck {
  const r: ProfileCheck = {
    users: expected.size,
    mismatched: 0,
    appliedTwice: 0,
    underCounted: 0,
    missing: { postgres: 0, redis: 0 },
    extra: 0,
    versionSkew: 0,
    examples: [],
  };
  const example = (s: string) => {
    if (r.examples.length < maxExamples) r.examples.push(s);
  };
  for (const [userId, want] of expected) {
    let bad = false;
    let twice = false;
    let under = false;
    for (const sink of ['postgres', 'redis'] as const) {
      const stored = sinks[sink].get(userId);
      if (!stored) {
        r.missing[sink]++;
        bad = true;
        example(`${userId}: no ${sink} profile`);
        continue;
      }
      const parsed = Profile.safeParse(stored.profile);
      if (!parsed.success) {
        bad = true;
        example(`${userId}: ${sink} profile does not parse`);
        continue;
      }
      const diff = profileDiff(want, parsed.data);
      if (diff) {
        bad = true;
        example(`${userId} (${sink} v${stored.version}): ${diff}`);
      }
      if (parsed.data.totalEvents > want.totalEvents) twice = true;
      if (parsed.data.totalEvents < want.totalEvents) under = true;
    }
    const pg = sinks.postgres.get(userId);
    const rd = sinks.redis.get(userId);
    if (pg && rd && pg.version !== rd.version) {
      r.versionSkew++;
      example(`${userId}: postgres v${pg.version} != redis v${rd.version}`);
    }
    if (bad) r.mismatched++;
    if (twice) r.appliedTwice++;
    if (under) r.underCounted++;
  }
  const extra = new Set<string>();
  for (const sink of ['postgres', 'redis'] as const)
    for (const userId of sinks[sink].keys()) if (!expected.has(userId)) extra.add(userId);
  r.extra = extra.size;
  for (const userId of [...extra].slice(0, 2)) example(`${userId}: stored but not in the input`);
  return r;
}

/**
 * What the harness knows of each event it generated, by index: posted, acknowledged (2xx), and
 * found in the input topic. One byte per event, so a million events cost a megabyte.
 */
export class EventLedger {
  private static readonly POSTED = 1;
  private static readonly ACKED = 2;
  private static readonly IN_KAFKA = 4;
  private readonly flags: Uint8Array;
  /** Records of the input topic that are none of the workload's events. */
  foreign = 0;
  /** Records of the input topic in all (a retried event appears more than once). */
  inputRecords = 0;

  constructor(readonly size: number) {
    this.flags = new Uint8Array(size);
  }

  posted(i: number): void {
    this.flags[i]! |= EventLedger.POSTED;
  }

  acked(i: number): void {
    this.flags[i]! |= EventLedger.ACKED | EventLedger.POSTED;
  }

  /** A record of the input topic; `index` undefined when it is not one of the workload's events. */
  seenInKafka(index: number | undefined): void {
    this.inputRecords++;
    if (index === undefined) this.foreign++;
    else this.flags[index]! |= EventLedger.IN_KAFKA;
  }

  /** Clears what the input topic said (before a new scan). */
  resetKafka(): void {
    for (let i = 0; i < this.size; i++) this.flags[i]! &= ~EventLedger.IN_KAFKA;
    this.foreign = 0;
    this.inputRecords = 0;
  }

  counts(): { posted: number; acknowledged: number; inKafka: number; lost: number } {
    let posted = 0;
    let acknowledged = 0;
    let inKafka = 0;
    let lost = 0;
    for (let i = 0; i < this.size; i++) {
      const f = this.flags[i]!;
      if (f & EventLedger.POSTED) posted++;
      if (f & EventLedger.ACKED) acknowledged++;
      if (f & EventLedger.IN_KAFKA) inKafka++;
      if (f & EventLedger.ACKED && !(f & EventLedger.IN_KAFKA)) lost++;
    }
    return { posted, acknowledged, inKafka, lost };
  }

  /** Indexes acknowledged but absent from the input topic (the first `max`). */
  lostIndexes(max = 5): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size && out.length < max; i++) {
      const f = this.flags[i]!;
      if (f & EventLedger.ACKED && !(f & EventLedger.IN_KAFKA)) out.push(i);
    }
    return out;
  }
}

/** Reads every record of every partition of `topic` (up to the end offsets now), partition by partition. */
export async function scanTopic(
  brokers: string[],
  topic: string,
  partitions: number,
  onBatch: (
    records: ReadonlyArray<{ key: Buffer | null; value: Buffer | null; partition: number; offset: number }>,
  ) => Promise<void> | void,
): Promise<void> {
  const reader = new ReaderConsumer(brokers, `chaos-scan-${process.pid}-${Date.now()}`, 'read_uncommitted');
  await reader.connect();
  try {
    for (let p = 0; p < partitions; p++) {
      const tp = { topic, partition: p };
      const { low, high } = await reader.watermarks(tp);
      await reader.readRange(tp, low, high, (msgs) =>
        onBatch(
          msgs.map((m) => ({
            key: (m.key as Buffer | null | undefined) ?? null,
            value: m.value ?? null,
            partition: p,
            offset: m.offset,
          })),
        ),
      );
    }
  } finally {
    await reader.disconnect();
  }
}

export interface Recomputation {
  expected: Map<string, Profile>;
  /** Input records the enrich job's validation would dead-letter. */
  rejected: number;
}

/**
 * Recomputes every profile from the input topic (see the file comment), reporting each input
 * record's eventId to `onEventId`.
 */
export async function recomputeFromInput(opts: {
  brokers: string[];
  namespace: string;
  partitions: number;
  catalogPartitions: number;
  onEventId: (eventId: string | undefined) => void;
}): Promise<Recomputation> {
  const { brokers, namespace: ns } = opts;
  const driver = await TestDriver.create(enrichUserEventsJob({ namespace: ns }), { partitions: 1 });
  await scanTopic(brokers, `${ns}events-catalog`, opts.catalogPartitions, (records) => {
    for (const r of records)
      if (r.key)
        driver.pipeGlobal(
          'catalog',
          r.key.toString(),
          r.value === null ? null : JSON.parse(r.value.toString()),
        );
  });
  const states = new Map<string, ProfileState>();
  let rejected = 0;
  await scanTopic(brokers, `${ns}raw-user-events`, opts.partitions, async (records) => {
    for (const r of records) {
      let id: string | undefined;
      try {
        const v = JSON.parse(r.value?.toString() ?? 'null') as { eventId?: unknown } | null;
        id = typeof v?.eventId === 'string' ? v.eventId : undefined;
      } catch {
        id = undefined;
      }
      opts.onEventId(id);
    }
    await driver.pipeRawBatch(
      'events',
      records.map((r) => ({ key: r.key?.toString() ?? null, value: r.value, partition: 0 })),
    );
    rejected += driver.readDeadLetters().length;
    for (const out of driver.readOutputRaw('enriched')) {
      const e = EnrichedEvent.parse(JSON.parse(out.value!.toString()));
      let s = states.get(e.userId);
      if (!s) states.set(e.userId, (s = emptyState()));
      applyEvent(s, e);
    }
    driver.clearOutputs();
  });
  await driver.close();
  const expected = new Map<string, Profile>();
  for (const [userId, s] of states) expected.set(userId, toProfile(s));
  return { expected, rejected };
}

/** Every profile of the namespace in PostgreSQL and in Redis. */
export async function readStoredProfiles(opts: {
  databaseUrl: string;
  redisUrl: string;
  namespace: string;
}): Promise<{ postgres: Map<string, StoredProfile>; redis: Map<string, StoredProfile> }> {
  const pool = createPool(opts.databaseUrl, 1);
  const postgres = new Map<string, StoredProfile>();
  try {
    const r = await pool.query<{ user_id: string; version: string; profile: unknown }>(
      'select user_id, version::text as version, profile from user_profiles where namespace = $1',
      [opts.namespace],
    );
    for (const row of r.rows)
      postgres.set(row.user_id, { version: Number(row.version), profile: row.profile });
  } finally {
    await pool.end();
  }
  const redis = new Map<string, StoredProfile>();
  const client = new Redis(opts.redisUrl, { maxRetriesPerRequest: 3 });
  try {
    const prefix = `${opts.namespace}profile:`;
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const p = client.pipeline();
      for (const k of chunk) p.hmget(k, 'version', 'profile');
      const res = (await p.exec()) ?? [];
      res.forEach(([err, v], j) => {
        if (err) throw err;
        const [version, profile] = v as [string | null, string | null];
        if (version === null) return;
        redis.set(chunk[j]!.slice(prefix.length), {
          version: Number(version),
          profile: profile === null ? null : (JSON.parse(profile) as unknown),
        });
      });
    }
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
  return { postgres, redis };
}

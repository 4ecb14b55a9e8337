/**
 * A system is reported as wrong, not fast, when its final profiles differ from the offline
 * recomputation of the spec. The expected profiles are computed once per run from the generated
 * input (enriched by the same pure function the enrich job uses, folded by `applyEvent`) and kept
 * per partition in files; each system's `user-profile-updates` topic is then read partition by
 * partition and the last update of every user compared with them. Memory stays bounded by one
 * partition's users.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import {
  applyEvent,
  emptyState,
  toProfile,
  type ProfileState,
} from '../../jobs/aggregate-profiles/profile.ts';
import { enrichEvent } from '../../jobs/enrich-user-events/job.ts';
import { partitionForKey, ReaderConsumer } from '../../runtime/index.ts';
import type { CatalogEvent, Profile, ProfileUpdate, UserEvent } from '../../model/index.ts';
import { withAdmin } from '../kafka.ts';

/** Folds events into per-partition user states, as the topology would. */
export class ExpectedProfiles {
  private readonly states: Array<Map<string, ProfileState>>;

  constructor(
    readonly partitions: number,
    private readonly catalog: ReadonlyMap<string, CatalogEvent>,
  ) {
    this.states = Array.from({ length: partitions }, () => new Map<string, ProfileState>());
  }

  add(e: UserEvent): void {
    const p = partitionForKey(e.userId, this.partitions);
    const map = this.states[p]!;
    let s = map.get(e.userId);
    if (!s) map.set(e.userId, (s = emptyState()));
    const item = e.context.itemId ? this.catalog.get(e.context.itemId) : undefined;
    applyEvent(s, enrichEvent(e, item));
  }

  users(): number {
    return this.states.reduce((n, m) => n + m.size, 0);
  }

  /**
   * Writes one JSONL file per partition (`[userId, profile]` lines) of the partitions `include`
   * accepts (default: all), and frees their states.
   */
  async save(dir: string, include: (p: number) => boolean = () => true): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    for (let p = 0; p < this.partitions; p++) {
      if (!include(p)) continue;
      const out = fs.createWriteStream(path.join(dir, `p${p}.jsonl`));
      for (const [userId, s] of this.states[p]!) {
        if (!out.write(`${JSON.stringify([userId, toProfile(s)])}\n`))
          await new Promise<void>((r) => out.once('drain', () => r()));
      }
      await new Promise<void>((resolve, reject) =>
        out.end((err?: Error | null) => (err ? reject(err) : resolve())),
      );
      this.states[p]!.clear();
    }
  }

  /** The profiles of one partition (for users added after the last save, e.g. the latency probe's). */
  profiles(p: number): Map<string, Profile> {
    return new Map([...this.states[p]!].map(([u, s]) => [u, toProfile(s)]));
  }
}

export async function loadExpected(dir: string, p: number): Promise<Map<string, Profile>> {
  const out = new Map<string, Profile>();
  const rl = readline.createInterface({ input: fs.createReadStream(path.join(dir, `p${p}.jsonl`)) });
  for await (const line of rl) {
    if (!line) continue;
    const [userId, profile] = JSON.parse(line) as [string, Profile];
    out.set(userId, profile);
  }
  return out;
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Why `actual` is not `expected`, or null when they agree: counts, lists and the home city exactly;
 * decayed sums (interests, activity score) within 1e-9 relative (floating-point summation order).
 */
export function profileDifference(expected: Profile, actual: Profile): string | null {
  if (actual.totalEvents !== expected.totalEvents)
    return `totalEvents ${actual.totalEvents} != ${expected.totalEvents}`;
  if (actual.lastEventAt !== expected.lastEventAt)
    return `lastEventAt ${actual.lastEventAt} != ${expected.lastEventAt}`;
  for (const [t, n] of Object.entries(expected.eventCounts))
    if ((actual.eventCounts as Record<string, number>)[t] !== n) return `eventCounts.${t} differ`;
  const ei = Object.entries(expected.interests);
  if (Object.keys(actual.interests).length !== ei.length) return 'interest categories differ';
  for (const [c, w] of ei) {
    const a = (actual.interests as Record<string, number | undefined>)[c];
    if (a === undefined || !near(a, w)) return `interests.${c} ${a} != ${w}`;
  }
  if (!near(actual.activityScore, expected.activityScore))
    return `activityScore ${actual.activityScore} != ${expected.activityScore}`;
  for (const k of ['recentItems', 'dismissedItems', 'purchasedItems'] as const)
    if (actual[k].join('\u0000') !== expected[k].join('\u0000')) return `${k} differ`;
  if (actual.home !== expected.home) return `home ${actual.home} != ${expected.home}`;
  return null;
}

export interface VerifyResult {
  users: number;
  updatesRead: number;
  mismatched: number;
  missing: number;
  unexpected: number;
  /** A few examples: `user: reason`. */
  examples: string[];
  correct: boolean;
}

/** A result before (or without) any check: nothing read, not correct. */
export function notVerified(): VerifyResult {
  return { users: 0, updatesRead: 0, mismatched: 0, missing: 0, unexpected: 0, examples: [], correct: false };
}

/**
 * Reads every partition of `updatesTopic` (read_committed) and compares each user's last update with
 * the expected profile of the same partition: the saved ones in `dir` plus `extra(p)`.
 */
export async function verifyUpdates(o: {
  brokers: string[];
  updatesTopic: string;
  partitions: number;
  dir: string;
  extra?: (p: number) => Map<string, Profile>;
}): Promise<VerifyResult> {
  const res = notVerified();
  const ranges = await withAdmin(o.brokers, async (admin) => admin.fetchTopicOffsets(o.updatesTopic));
  const reader = new ReaderConsumer(o.brokers, `compare-verify-${process.pid}`, 'read_committed');
  await reader.connect();
  const note = (msg: string) => {
    if (res.examples.length < 5) res.examples.push(msg);
  };
  try {
    for (let p = 0; p < o.partitions; p++) {
      const expected = await loadExpected(o.dir, p);
      for (const [u, prof] of o.extra?.(p) ?? []) expected.set(u, prof);
      res.users += expected.size;
      const last = new Map<string, Buffer>();
      const r = ranges.find((x) => x.partition === p);
      if (r)
        await reader.readRange(
          { topic: o.updatesTopic, partition: p },
          Number(r.low),
          Number(r.high),
          (msgs) => {
            for (const m of msgs) {
              res.updatesRead++;
              if (m.key && m.value) last.set(m.key.toString(), m.value);
            }
          },
        );
      for (const [userId, prof] of expected) {
        const raw = last.get(userId);
        if (!raw) {
          res.missing++;
          note(`${userId}: no update`);
          continue;
        }
        last.delete(userId);
        const why = profileDifference(prof, (JSON.parse(raw.toString()) as ProfileUpdate).profile);
        if (why) {
          res.mismatched++;
          note(`${userId}: ${why}`);
        }
      }
      res.unexpected += last.size;
      for (const u of last.keys()) note(`${u}: update for a user without events on partition ${p}`);
    }
  } finally {
    await reader.disconnect();
  }
  res.correct = res.mismatched === 0 && res.missing === 0 && res.unexpected === 0;
  return res;
}

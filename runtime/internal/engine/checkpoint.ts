/**
 * Checkpoints, epochs and the rules that decide what state a task may trust.
 *
 * The source of truth for "how far has task p of job J got" is the job's compacted
 * `<job>-checkpoints` topic (partition p), not the consumer group's offsets: a checkpoint names the
 * next input offsets AND the end of each store's changelog that those offsets correspond to, and is
 * written only after the broker acknowledged every changelog record it covers.
 *
 * Every assignment of a task claims a new, higher epoch: it writes a checkpoint with that epoch and a
 * claim marker into each changelog partition. Changelog records carry the epoch of their writer (in
 * the value's frame, see changelog-frame.ts; tombstones in a header), so a restore skips records a
 * fenced writer (a paused "zombie" worker) appended after a newer claim.
 */
import { z } from 'zod';

export const CLAIM_PREFIX = '\u0000claim:';
export const EPOCH_HEADER = 'pulse.epoch';
export const SOURCE_OFFSET_HEADER = 'pulse.src';

export const CheckpointSchema = z.object({
  v: z.literal(1),
  job: z.string(),
  partition: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative(),
  /** Next input offset per input topic. */
  offsets: z.record(z.string(), z.number().int()),
  /** Changelog end offset per store matching `offsets`. */
  changelogs: z.record(z.string(), z.number().int().nonnegative()),
  /** Changelog offset per store where state starts empty (moved by `jobs replay`). */
  base: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /** Recent claims: the committed changelog end per store when each epoch began. */
  claims: z
    .array(z.object({ epoch: z.number().int(), ends: z.record(z.string(), z.number().int()) }))
    .default([]),
  worker: z.string().default(''),
  time: z.number().int().default(0),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

export const LocalMetaSchema = z.object({
  epoch: z.number().int().nonnegative(),
  changelogEnd: z.number().int().nonnegative(),
  offsets: z.record(z.string(), z.number().int()),
});
export type LocalMeta = z.infer<typeof LocalMetaSchema>;

export const checkpointKey = (partition: number, epoch: number): string =>
  `${partition}:${String(epoch).padStart(12, '0')}`;

export function parseCheckpoint(value: Buffer | null | undefined): Checkpoint | undefined {
  if (!value) return undefined;
  try {
    const r = CheckpointSchema.safeParse(JSON.parse(value.toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

export function parseLocalMeta(value: Buffer | undefined): LocalMeta | undefined {
  if (!value) return undefined;
  try {
    const r = LocalMetaSchema.safeParse(JSON.parse(value.toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Of all checkpoints read for a partition, the newest of the highest epoch wins. */
export function newestCheckpoint(all: Iterable<Checkpoint>): Checkpoint | undefined {
  let best: Checkpoint | undefined;
  for (const c of all) if (!best || c.epoch >= best.epoch) best = c;
  return best;
}

export type LocalVerdict = { trust: true; from: number; epoch: number } | { trust: false; reason: string };

/**
 * May a store's local RocksDB state be used as the starting point of its restore? Only when it is a
 * committed prefix of the changelog lineage the checkpoint describes:
 * - it is not ahead of the checkpoint and not before the store's base (a replay moved the base);
 * - if another epoch began after it, it ends no later than where that epoch began (otherwise it holds
 *   writes that were never committed, e.g. from a worker that was fenced).
 */
export function judgeLocal(
  store: string,
  local: LocalMeta | undefined,
  cp: Checkpoint | undefined,
): LocalVerdict {
  if (!local) return { trust: false, reason: 'no local checkpoint' };
  if (!cp) return { trust: false, reason: 'no committed checkpoint for the task' };
  const end = cp.changelogs[store] ?? 0;
  const base = cp.base[store] ?? 0;
  if (local.epoch > cp.epoch)
    return { trust: false, reason: `local epoch ${local.epoch} is newer than committed ${cp.epoch}` };
  if (local.changelogEnd > end)
    return {
      trust: false,
      reason: `local state at ${local.changelogEnd} is ahead of the committed changelog end ${end}`,
    };
  if (local.changelogEnd < base) return { trust: false, reason: `local state predates the reset at ${base}` };
  if (local.epoch < cp.epoch) {
    const next = cp.claims.filter((c) => c.epoch > local.epoch).sort((a, b) => a.epoch - b.epoch)[0];
    if (!next) return { trust: false, reason: `epoch ${local.epoch} is too old to verify` };
    const boundary = next.ends[store];
    if (boundary === undefined || local.changelogEnd > boundary) {
      return { trust: false, reason: `local state extends past the start of epoch ${next.epoch}` };
    }
  }
  return { trust: true, from: local.changelogEnd, epoch: local.epoch };
}

/** A new checkpoint for a fresh claim: same position, higher epoch, claim history trimmed. */
export function claimCheckpoint(
  job: string,
  partition: number,
  prev: Checkpoint | undefined,
  epoch: number,
  worker: string,
  now: number,
): Checkpoint {
  const ends = prev?.changelogs ?? {};
  return {
    v: 1,
    job,
    partition,
    epoch,
    offsets: prev?.offsets ?? {},
    changelogs: { ...ends },
    base: { ...(prev?.base ?? {}) },
    claims: [...(prev?.claims ?? []), { epoch, ends: { ...ends } }].slice(-50),
    worker,
    time: now,
  };
}

/**
 * Decides, record by record, what a restore does with a changelog entry. Tracks the current epoch
 * from claim markers; skips writes of fenced epochs; records at or beyond the committed end were
 * never committed (a crashed cycle) and are only remembered, so the claimer can repair them.
 */
export class RestoreFilter {
  private epoch: number;
  readonly stale = new Set<string>();
  applied = 0;
  skipped = 0;

  constructor(
    startEpoch: number,
    private readonly committedEnd: number,
  ) {
    this.epoch = startEpoch;
  }

  /** Returns true when the record should be applied to the store. */
  /** `writer`: the record's epoch (its frame or header); undefined for records without one (epoch 0). */
  accept(offset: number, key: string, writer: number | undefined): boolean {
    if (key.startsWith(CLAIM_PREFIX)) {
      const e = Number(key.slice(CLAIM_PREFIX.length));
      if (Number.isFinite(e) && e > this.epoch) this.epoch = e;
      return false;
    }
    const e = writer ?? 0;
    if (e < this.epoch) {
      this.skipped++;
      return false;
    }
    if (offset >= this.committedEnd) {
      this.stale.add(key);
      return false;
    }
    this.applied++;
    return true;
  }
}

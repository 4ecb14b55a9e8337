import { describe, expect, it } from 'vitest';
import {
  CLAIM_PREFIX,
  claimCheckpoint,
  judgeLocal,
  newestCheckpoint,
  RestoreFilter,
  type Checkpoint,
} from './checkpoint.ts';

const cp = (
  epoch: number,
  end: number,
  claims: Checkpoint['claims'] = [],
  base: Record<string, number> = {},
): Checkpoint => ({
  v: 1,
  job: 'j',
  partition: 0,
  epoch,
  offsets: { in: 10 },
  changelogs: { s: end },
  base,
  claims,
  worker: 'w',
  time: 0,
});

describe('newestCheckpoint', () => {
  it('prefers the highest epoch over a later write of a fenced epoch', () => {
    const fenced = { ...cp(3, 50), time: 99 };
    expect(newestCheckpoint([cp(3, 40), cp(4, 45), fenced])!.epoch).toBe(4);
  });
});

describe('judgeLocal', () => {
  it('trusts local state of the same epoch that is not ahead of the checkpoint', () => {
    expect(judgeLocal('s', { epoch: 4, changelogEnd: 30, offsets: {} }, cp(4, 45))).toEqual({
      trust: true,
      from: 30,
      epoch: 4,
    });
  });

  it('discards local state ahead of the committed changelog end', () => {
    expect(judgeLocal('s', { epoch: 4, changelogEnd: 50, offsets: {} }, cp(4, 45)).trust).toBe(false);
  });

  it('trusts an older epoch only when it ended before the next epoch began', () => {
    const claims = [{ epoch: 5, ends: { s: 40 } }];
    expect(judgeLocal('s', { epoch: 4, changelogEnd: 40, offsets: {} }, cp(5, 60, claims)).trust).toBe(true);
    // A fenced worker kept writing past the point where epoch 5 started: not a committed prefix.
    expect(judgeLocal('s', { epoch: 4, changelogEnd: 41, offsets: {} }, cp(5, 60, claims)).trust).toBe(false);
  });

  it('discards local state older than a replay base and state from a newer epoch', () => {
    expect(judgeLocal('s', { epoch: 4, changelogEnd: 10, offsets: {} }, cp(4, 45, [], { s: 20 })).trust).toBe(
      false,
    );
    expect(judgeLocal('s', { epoch: 6, changelogEnd: 10, offsets: {} }, cp(4, 45)).trust).toBe(false);
    expect(judgeLocal('s', undefined, cp(4, 45)).trust).toBe(false);
  });
});

describe('RestoreFilter', () => {
  it('applies committed records, remembers uncommitted ones for repair, skips fenced writers', () => {
    const f = new RestoreFilter(0, 4);
    const decisions = [
      f.accept(0, `${CLAIM_PREFIX}1`, 1),
      f.accept(1, 'a', 1),
      f.accept(2, 'b', 1),
      f.accept(3, `${CLAIM_PREFIX}2`, 2),
      f.accept(4, 'c', 1), // a fenced epoch-1 writer after the epoch-2 claim
      f.accept(5, 'd', 2), // epoch 2 but past the committed end: a crashed cycle
    ];
    expect(decisions).toEqual([false, true, true, false, false, false]);
    expect(f.skipped).toBe(1);
    expect([...f.stale]).toEqual(['d']);
  });
});

describe('claimCheckpoint', () => {
  it('keeps the position, raises the epoch and records where it began', () => {
    const c = claimCheckpoint('j', 0, cp(4, 45), 5, 'w2', 1);
    expect(c.epoch).toBe(5);
    expect(c.offsets).toEqual({ in: 10 });
    expect(c.claims.at(-1)).toEqual({ epoch: 5, ends: { s: 45 } });
  });
});

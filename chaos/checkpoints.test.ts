import { describe, expect, it } from 'vitest';
import { committedCheckpoint, type CheckpointEntry } from './checkpoints.ts';

const cp = (offset: number, epoch: number, worker: string): CheckpointEntry => ({
  offset,
  partition: 0,
  epoch,
  offsets: { input: offset * 10 },
  worker,
  time: 0,
});

describe('committedCheckpoint', () => {
  it('picks the newest record of the highest epoch, as the runtime does', () => {
    expect(committedCheckpoint([cp(0, 1, 'w1'), cp(1, 2, 'w2'), cp(2, 2, 'w2'), cp(3, 1, 'w1')])).toEqual(
      cp(2, 2, 'w2'),
    );
  });

  it('is undefined for a partition without checkpoints', () => {
    expect(committedCheckpoint([])).toBeUndefined();
  });
});

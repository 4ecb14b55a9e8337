/**
 * Group offsets the broker refuses are committed again: the consumer collects the refusals its
 * offset-commit callback reports, and the runner marks each refused task so its next cycle commits
 * (driven without a broker; the commit itself is covered by the integration tests).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../api.ts';
import { brokerlessRunner } from './brokerless-runner.ts';
import { GroupConsumer } from './kafka-io.ts';

const consumer = () =>
  new GroupConsumer({
    brokers: ['127.0.0.1:1'],
    groupId: 'group-offsets-test',
    clientId: 'group-offsets-test',
    isolation: 'read_committed',
    protocol: 'consumer',
  });

describe('GroupConsumer offset-commit results', () => {
  it('keeps the partitions the broker refused, whole-request or per partition, and nothing else', () => {
    const c = consumer();
    c.onOffsetCommit(null, [
      { topic: 'in', partition: 0, offset: 10 },
      { topic: 'in', partition: 1, offset: 20, error: { message: 'Broker: Stale member epoch' } },
    ]);
    expect(c.takeCommitFailures()).toEqual([
      { topic: 'in', partition: 1, offset: 20, error: 'Broker: Stale member epoch' },
    ]);
    c.onOffsetCommit({ code: 22, message: 'Broker: Unknown member' }, [
      { topic: 'in', partition: 2, offset: 5 },
    ]);
    expect(c.takeCommitFailures()).toEqual([
      { topic: 'in', partition: 2, offset: 5, error: 'Broker: Unknown member' },
    ]);
    // Nothing to commit is not a refusal; and each refusal is handed over once.
    c.onOffsetCommit({ code: -168, message: 'Local: No offset stored' }, [{ topic: 'in', partition: 3 }]);
    expect(c.takeCommitFailures()).toEqual([]);
  });
});

const job = defineJob({
  name: 'group-offsets',
  inputs: { events: { topic: 'group-offsets-in', schema: z.object({ n: z.number() }) } },
  stores: { counts: { schema: z.number() } },
  processor: () => ({ process: () => undefined }),
});

interface SlotView {
  partition: number;
  state: string;
  committedMark: number;
  task: { lastOffset: number };
  stores: Map<string, { dirtySize: number }>;
}

interface Internals {
  slots: Map<number, SlotView>;
  inputTopics: string[];
  consumer: {
    takeCommitFailures(): Array<{ topic: string; partition: number; offset?: number; error: string }>;
  };
  recommitRefusedOffsets(): void;
  changedSinceCommit(slot: SlotView): boolean;
}

describe('JobRunner and refused group offsets', () => {
  it('marks a refused running task for the next cycle even with no new input, and leaves the others', () => {
    const { inner, warnings } = brokerlessRunner<Internals>(job);
    inner.inputTopics = ['group-offsets-in']; // set by start(), which needs a broker
    const slot = (partition: number, state: string): SlotView => ({
      partition,
      state,
      committedMark: 41,
      task: { lastOffset: 41 },
      stores: new Map([['counts', { dirtySize: 0 }]]),
    });
    const refused = slot(0, 'running');
    const untouched = slot(1, 'running');
    const restoring = slot(2, 'restoring');
    for (const s of [refused, untouched, restoring]) inner.slots.set(s.partition, s);
    expect(inner.changedSinceCommit(refused)).toBe(false);
    inner.consumer = {
      takeCommitFailures: () => [
        { topic: 'group-offsets-in', partition: 0, offset: 42, error: 'Broker: Stale member epoch' },
        { topic: 'group-offsets-in', partition: 2, offset: 7, error: 'Broker: Stale member epoch' },
        { topic: 'group-offsets-in', partition: 9, offset: 7, error: 'Broker: Stale member epoch' },
      ],
    };
    inner.recommitRefusedOffsets();
    expect(inner.changedSinceCommit(refused)).toBe(true);
    expect(inner.changedSinceCommit(untouched)).toBe(false);
    expect(restoring.committedMark).toBe(41); // its recovery commits anyway
    expect(warnings).toEqual([
      {
        msg: 'group offset commit refused; the next commit repeats it',
        fields: {
          job: 'group-offsets',
          partition: 0,
          topic: 'group-offsets-in',
          offset: 42,
          error: 'Broker: Stale member epoch',
        },
      },
    ]);
  });
});

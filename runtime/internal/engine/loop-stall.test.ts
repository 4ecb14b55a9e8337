/**
 * The job loop's stall report, driven without a broker: a step that has not finished for 30 s is
 * named once in a warning (such a step is an outage or an operation that never called back).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../api.ts';
import { brokerlessRunner } from './brokerless-runner.ts';

const job = defineJob({
  name: 'loop-stall',
  inputs: { events: { topic: 'loop-stall-in', schema: z.object({ n: z.number() }) } },
  processor: () => ({ process: () => undefined }),
});

/** The runner's private parts this test drives. */
interface Internals {
  loop: Promise<void> | undefined;
  loopStepAt: number;
  step(name: string): void;
  reportStall(): void;
}

describe('job loop stall report', () => {
  it('names a step that has run for 30 s, once, and again after the loop moved on', () => {
    const { inner, warnings } = brokerlessRunner<Internals>(job);
    inner.reportStall();
    expect(warnings).toEqual([]); // not started: no loop to report on

    inner.loop = new Promise<void>(() => undefined);
    inner.step('consume');
    inner.reportStall();
    expect(warnings).toEqual([]); // a step just begun

    inner.loopStepAt = Date.now() - 31_000;
    inner.reportStall();
    inner.reportStall();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toBe('job loop stalled');
    expect(warnings[0]!.fields).toMatchObject({ job: 'loop-stall', step: 'consume' });
    expect(warnings[0]!.fields!.forMs).toBeGreaterThanOrEqual(31_000);

    inner.step('commit');
    inner.loopStepAt = Date.now() - 45_000;
    inner.reportStall();
    expect(warnings).toHaveLength(2);
    expect(warnings[1]!.fields).toMatchObject({ step: 'commit' });
  });
});

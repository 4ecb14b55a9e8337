/**
 * Task recovery retried after transient failures, driven without a broker: the runner's `recover`
 * step is replaced by a scripted one so the retry policy around it (backoff, cleanup, revocation,
 * failure) is observable. The real restore is covered by the integration tests.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../api.ts';
import { StateCorruptedError } from '../errors.ts';
import { brokerlessRunner } from './brokerless-runner.ts';

const job = defineJob({
  name: 'recovery-retry',
  inputs: { events: { topic: 'recovery-retry-in', schema: z.object({ n: z.number() }) } },
  stores: { counts: { schema: z.number() } },
  processor: () => ({ process: () => undefined }),
});

interface SlotView {
  partition: number;
  state: string;
  cancelled: boolean;
  restoring: Promise<void> | undefined;
}

/** The runner's private parts these tests drive. */
interface Internals {
  recover(slot: SlotView): Promise<void>;
  startRecovery(partition: number): void;
  slots: Map<number, SlotView>;
  consumer: { pause(): void };
  failure: Error | undefined;
}

function runner(script: Array<Error | 'ok' | 'block'>) {
  const { inner, warnings, errors } = brokerlessRunner<Internals>(job);
  let calls = 0;
  let active = 0;
  const order: number[] = [];
  const overlaps: number[] = [];
  inner.consumer = { pause: () => undefined };
  inner.recover = async (slot) => {
    const step = script[calls++] ?? 'ok';
    order.push(slot.partition);
    if (++active > 1) overlaps.push(slot.partition);
    await new Promise((r) => setTimeout(r, 20));
    active--;
    if (step instanceof Error) throw step;
    if (step === 'ok') slot.state = 'running';
  };
  return { inner, warnings, errors, order, overlaps, calls: () => calls };
}

const kafka = (message: string, code: number) => Object.assign(new Error(message), { code });

describe('task recovery', () => {
  it('retries a recovery that failed with a transient Kafka error, then runs the task', async () => {
    const { inner, warnings, calls } = runner([
      kafka('Broker: Not leader for partition', 6),
      new Error('seek in/0 to the beginning: Local: Erroneous state', {
        cause: kafka('Local: Erroneous state', -172),
      }),
      'ok',
    ]);
    inner.startRecovery(0);
    await inner.slots.get(0)!.restoring;
    expect(calls()).toBe(3);
    expect(inner.failure).toBeUndefined();
    expect(inner.slots.get(0)!.state).toBe('running');
    expect(warnings.map((w) => w.msg)).toEqual([
      'restore failed with a transient error; retrying',
      'restore failed with a transient error; retrying',
    ]);
    expect(warnings[0]!.fields).toMatchObject({ partition: 0, attempt: 1, retryInMs: 500 });
  });

  it('retries a recovery whose store could not be written because the disk was full', async () => {
    const { inner, calls } = runner([new Error('IO error: No space left on device'), 'ok']);
    inner.startRecovery(0);
    await inner.slots.get(0)!.restoring;
    expect(calls()).toBe(2);
    expect(inner.failure).toBeUndefined();
  });

  it('fails the job on an error no retry fixes', async () => {
    const { inner, errors, calls } = runner([new Error('Corruption: block checksum mismatch'), 'ok']);
    inner.startRecovery(0);
    await inner.slots.get(0)!.restoring;
    expect(calls()).toBe(1);
    expect(inner.failure?.message).toMatch(/Corruption/);
    expect(errors).toEqual(['restore failed']);
  });

  it('restores again when a store turns out damaged while it is read (it is discarded on reopen)', async () => {
    const damaged = () =>
      new StateCorruptedError('local store s/pending/10 is damaged: Corruption: file is too short');
    const { inner, warnings, calls } = runner([damaged(), 'ok']);
    inner.startRecovery(0);
    await inner.slots.get(0)!.restoring;
    expect(calls()).toBe(2);
    expect(inner.failure).toBeUndefined();
    expect(inner.slots.get(0)!.state).toBe('running');
    expect(warnings.map((w) => w.msg)).toEqual(['local state damaged; restoring it from the changelog']);
  });

  it('fails the job when the local state is found damaged again and again', async () => {
    const damaged = () =>
      new StateCorruptedError('local store s/pending/10 is damaged: Corruption: bad block');
    const { inner, errors, calls } = runner([damaged(), damaged(), damaged(), 'ok']);
    inner.startRecovery(0);
    await inner.slots.get(0)!.restoring;
    expect(calls()).toBe(3);
    expect(inner.failure).toBeInstanceOf(StateCorruptedError);
    expect(errors).toEqual(['restore failed']);
  });

  it('does not resurrect a partition revoked while its recovery waits to be retried', async () => {
    const { inner, calls } = runner([kafka('Broker: Leader not available', 5), 'ok']);
    inner.startRecovery(0);
    const slot = inner.slots.get(0)!;
    await new Promise((r) => setTimeout(r, 100)); // first attempt failed, waiting out its backoff
    slot.cancelled = true; // what a revocation does
    await slot.restoring;
    expect(calls()).toBe(1);
    expect(slot.state).toBe('restoring');
    expect(inner.failure).toBeUndefined();
  });

  it('keeps restores one at a time across retries', async () => {
    const { inner, order, overlaps } = runner([kafka('Local: Timed out', -185), 'ok', 'ok']);
    inner.startRecovery(0);
    inner.startRecovery(1);
    await inner.slots.get(1)!.restoring;
    // Partition 1's recovery ran only after partition 0's retried recovery finished.
    expect(order).toEqual([0, 0, 1]);
    expect(overlaps).toEqual([]);
    expect(inner.slots.get(0)!.state).toBe('running');
    expect(inner.slots.get(1)!.state).toBe('running');
  });
});

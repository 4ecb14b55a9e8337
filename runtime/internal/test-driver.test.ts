import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from './api.ts';
import { JobFailedError } from './errors.ts';
import { TestDriver } from './test-driver.ts';

const Ev = z.object({ user: z.string(), fail: z.boolean().optional() });

const sessions = (onError: 'dead_letter' | 'fail' = 'dead_letter') =>
  defineJob({
    name: 'sessions',
    inputs: { events: { topic: 'events', schema: Ev } },
    stores: { seen: { schema: z.number() } },
    outputs: { flush: { topic: 'flushed' } },
    onError,
    processor: () => ({
      init(ctx) {
        ctx.schedule(1000, async (c) => {
          const seen = c.store('seen');
          for await (const [k, v] of seen.entries()) {
            c.emit('flush', k, { user: k, seen: v, at: c.now() });
            seen.delete(k);
          }
        });
      },
      async process(r, ctx) {
        const seen = ctx.store('seen');
        seen.put(r.value.user, ((await seen.get(r.value.user)) ?? 0) + 1);
        ctx.emit('flush', r.value.user, { echo: true });
        if (r.value.fail) throw new Error('boom');
      },
    }),
  });

describe('TestDriver', () => {
  it('fires punctuators only when time is advanced, with the driver clock', async () => {
    const d = await TestDriver.create(sessions(), { startTime: 5000 });
    await d.pipe('events', 'u1', { user: 'u1' });
    await d.pipe('events', 'u1', { user: 'u1' });
    await d.advanceTime(999);
    expect(d.readOutput('flush').filter((o) => !('echo' in (o.value as object)))).toEqual([]);
    await d.advanceTime(1);
    expect(d.readOutput<{ seen?: number; at?: number }>('flush').at(-1)!.value).toEqual({
      user: 'u1',
      seen: 2,
      at: 6000,
    });
    expect((await d.readStore('seen')).size).toBe(0);
    await d.close();
  });

  it('discards the state writes and emits of a record that throws, and dead-letters it', async () => {
    const d = await TestDriver.create(sessions());
    await d.pipe('events', 'u1', { user: 'u1', fail: true });
    expect(await d.readStore('seen')).toEqual(new Map());
    expect(d.readOutput('flush')).toEqual([]);
    expect(d.readDeadLetters()[0]!.headers['pulse.error.code']).toBe('PROCESS_FAILED');
    await d.close();
  });

  it("stops with JobFailedError under onError: 'fail'", async () => {
    const d = await TestDriver.create(sessions('fail'));
    await expect(d.pipe('events', 'u1', { user: 'u1', fail: true })).rejects.toBeInstanceOf(JobFailedError);
  });

  it('rejects store values that break the store schema', async () => {
    const bad = defineJob({
      name: 'bad',
      inputs: { events: { topic: 'events', schema: Ev } },
      stores: { seen: { schema: z.number() } },
      processor: () => ({
        process(r, ctx) {
          ctx.store('seen').put(r.value.user, 'nope' as unknown as number);
        },
      }),
    });
    const d = await TestDriver.create(bad);
    await d.pipe('events', 'u1', { user: 'u1' });
    expect(d.readDeadLetters()[0]!.headers['pulse.error.message']).toMatch(/schema/);
    await d.close();
  });

  it('passes tombstones to inputs whose schema accepts null, emits them, and dead-letters them elsewhere', async () => {
    const mirror = defineJob({
      name: 'mirror',
      inputs: {
        table: { topic: 'table', schema: Ev.nullable() },
        strict: { topic: 'strict', schema: Ev },
      },
      outputs: { out: { topic: 'out' } },
      processor: () => ({
        process(r, ctx) {
          ctx.emit('out', r.key, r.value === null ? null : { user: r.value.user });
        },
      }),
    });
    const d = await TestDriver.create(mirror);
    await d.pipe('table', 'k', { user: 'a' });
    await d.pipe('table', 'k', null);
    await d.pipe('strict', 'k', null);
    expect(d.readOutput('out').map((o) => o.value)).toEqual([{ user: 'a' }, null]);
    expect(d.readDeadLetters().map((o) => o.headers['pulse.error.code'])).toEqual(['VALUE_MISSING']);
    await d.close();
  });
});

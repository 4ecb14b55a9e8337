import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../../cli/config.ts';
import { createTopic, deleteTopicsWithPrefix, produceAll, readAll } from '../../../test/support/kafka.ts';
import { defineJob } from '../api.ts';
import { Worker } from '../worker.ts';

const cfg = loadConfig();
const brokers = cfg.kafkaBrokers;
const ns = `it-global-${Date.now().toString(36)}-`;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const job = defineJob({
  name: `${ns}join`,
  inputs: { clicks: { topic: `${ns}clicks`, schema: z.object({ user: z.string(), itemId: z.string() }) } },
  globals: { items: { topic: `${ns}items`, schema: z.object({ city: z.string() }) } },
  outputs: { joined: { topic: `${ns}joined` } },
  processor: () => ({
    process(r, ctx) {
      ctx.emit('joined', r.value.user, {
        n: r.value.user,
        city: ctx.global('items').get(r.value.itemId)?.city ?? null,
      });
    },
  }),
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

afterAll(() => deleteTopicsWithPrefix(brokers, ns));

describe('global tables on the real broker', () => {
  it('loads the whole compacted topic before tasks start and follows its updates while running', async () => {
    await createTopic(brokers, `${ns}clicks`, 3);
    await createTopic(brokers, `${ns}items`, 2, { 'cleanup.policy': 'compact' });
    await produceAll(
      brokers,
      `${ns}items`,
      Array.from({ length: 500 }, (_, i) => ({ key: `e${i}`, value: { city: `city-${i}` } })),
    );
    // Clicks written before the worker starts must already see the full table.
    await produceAll(
      brokers,
      `${ns}clicks`,
      Array.from({ length: 300 }, (_, i) => ({ key: `u${i}`, value: { user: `u${i}`, itemId: `e${i}` } })),
    );
    const worker = new Worker([job], {
      brokers,
      stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'global-')),
      workerId: 'g1',
      port: 0,
      log: quiet,
    });
    await worker.start();
    try {
      const first = await waitFor('300 joined records', async () => {
        const out = await readAll(brokers, `${ns}joined`);
        return out.length >= 300 ? out : undefined;
      });
      const cities = first.map((r) => JSON.parse(r.value!.toString()) as { n: string; city: string | null });
      expect(cities.filter((c) => c.city === null)).toEqual([]);
      expect(cities.every((c) => c.city === `city-${c.n.slice(1)}`)).toBe(true);

      await produceAll(brokers, `${ns}items`, [{ key: 'e7', value: { city: 'moved' } }]);
      await new Promise((r) => setTimeout(r, 1500));
      await produceAll(brokers, `${ns}clicks`, [{ key: 'late', value: { user: 'late', itemId: 'e7' } }]);
      const late = await waitFor('the late join', async () => {
        const out = await readAll(brokers, `${ns}joined`);
        const hit = out.find((r) => r.key === 'late');
        return hit ? (JSON.parse(hit.value!.toString()) as { city: string }) : undefined;
      });
      expect(late.city).toBe('moved');
    } finally {
      await worker.close();
    }
  });
});

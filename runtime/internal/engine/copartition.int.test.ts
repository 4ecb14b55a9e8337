/**
 * A job with several inputs reads partition p of each in one task, so partition p of every input
 * must belong to the same worker. KIP-848's default assignor (uniform) spreads each topic on its
 * own; the runtime asks for the range assignor. Two workers, two inputs: every task must see both.
 */
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
const ns = `it-copart-${Date.now().toString(36)}-`;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const PARTITIONS = 6;

/** Emits, per record, which worker's task saw it. */
const job = (tag: string) =>
  defineJob({
    name: `${ns}pair`,
    inputs: {
      left: { topic: `${ns}left`, schema: z.object({ n: z.number() }) },
      right: { topic: `${ns}right`, schema: z.object({ n: z.number() }) },
    },
    outputs: { seen: { topic: `${ns}seen`, partitions: PARTITIONS } },
    processor: () => ({
      process(r, ctx) {
        ctx.emit('seen', r.key, { worker: tag, input: r.input, partition: ctx.partition });
      },
    }),
  });

afterAll(() => deleteTopicsWithPrefix(brokers, ns));

describe('a job with two inputs on two workers', () => {
  it('gives partition p of both inputs to the same worker', async () => {
    await createTopic(brokers, `${ns}left`, PARTITIONS);
    await createTopic(brokers, `${ns}right`, PARTITIONS);
    const workers = ['a', 'b'].map(
      (tag) =>
        new Worker([job(tag)], {
          brokers,
          stateDir: fs.mkdtempSync(path.join(os.tmpdir(), `copart-${tag}-`)),
          workerId: tag,
          port: 0,
          log: quiet,
        }),
    );
    await workers[0]!.start();
    await workers[1]!.start();
    try {
      // Let the group settle with both members before producing.
      await new Promise((r) => setTimeout(r, 8000));
      const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
      await produceAll(
        brokers,
        `${ns}left`,
        keys.map((k, n) => ({ key: k, value: { n } })),
      );
      await produceAll(
        brokers,
        `${ns}right`,
        keys.map((k, n) => ({ key: k, value: { n } })),
      );
      const deadline = Date.now() + 60_000;
      let seen: Array<{ worker: string; input: string; partition: number }> = [];
      while (Date.now() < deadline && seen.length < 120) {
        seen = (await readAll(brokers, `${ns}seen`)).map(
          (r) => JSON.parse(r.value!.toString()) as (typeof seen)[0],
        );
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(seen.length).toBeGreaterThanOrEqual(120);
      const owners = new Map<number, Set<string>>();
      for (const s of seen) owners.set(s.partition, (owners.get(s.partition) ?? new Set()).add(s.worker));
      for (const [partition, by] of owners)
        expect({ partition, workers: [...by] }).toEqual({ partition, workers: [...by].slice(0, 1) });
      // Both workers took part, and every partition saw both inputs.
      expect(new Set(seen.map((s) => s.worker)).size).toBe(2);
      for (let p = 0; p < PARTITIONS; p++)
        expect(new Set(seen.filter((s) => s.partition === p).map((s) => s.input))).toEqual(
          new Set(['left', 'right']),
        );
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  }, 120_000);
});

/**
 * A worker started while the broker is unreachable waits for it (as Kafka Streams does) instead of
 * exiting: the broker is reached through a loopback proxy that resets every connection until the
 * worker has logged a failed start attempt, then forwards. The worker must stay alive and not ready
 * meanwhile, then start by itself and process records.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFaultProxy } from '../../../chaos/proxy.ts';
import { loadConfig } from '../../../cli/config.ts';
import { createTopic, deleteTopicsWithPrefix, produceAll, readAll } from '../../../test/support/kafka.ts';
import { defineJob } from '../api.ts';
import { Worker } from '../worker.ts';

const cfg = loadConfig();
const brokers = cfg.kafkaBrokers;
const ns = `it-brokerwait-${Date.now().toString(36)}-`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-wait-'));

const job = defineJob({
  name: `${ns}count`,
  inputs: { events: { topic: `${ns}events`, schema: z.object({ n: z.number() }) } },
  stores: { counts: { schema: z.number() } },
  outputs: { counts: { topic: `${ns}counts`, partitions: 2 } },
  processor: () => ({
    async process(r, ctx) {
      const counts = ctx.store('counts');
      const key = r.key ?? '';
      const n = ((await counts.get(key)) ?? 0) + 1;
      counts.put(key, n);
      ctx.emit('counts', key, { key, count: n });
    },
  }),
});

afterAll(async () => {
  await deleteTopicsWithPrefix(brokers, ns);
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe('a worker started while the broker is unreachable', () => {
  it('waits for the broker, not ready but alive meanwhile, then starts and processes records', async () => {
    await createTopic(brokers, `${ns}events`, 2);
    const [host, port] = brokers[0]!.split(':');
    const proxy = await startFaultProxy({ host: host!, port: Number(port) });
    proxy.down();
    const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
    const errors: string[] = [];
    const worker = new Worker([job], {
      brokers: [proxy.address],
      stateDir,
      workerId: 'w1',
      port: 0,
      log: {
        info: () => undefined,
        warn: (msg, fields) => warnings.push({ msg, ...(fields ? { fields } : {}) }),
        error: (msg) => errors.push(msg),
      },
    });
    let startError: unknown;
    let started = false;
    const starting = worker.start().then(
      () => (started = true),
      (err: unknown) => (startError = err),
    );
    try {
      // Wait (on the event, not on time) until a start attempt has failed and been scheduled again.
      const deadline = Date.now() + 120_000;
      const retried = () => warnings.some((w) => w.msg === 'cannot reach Kafka at start; retrying');
      while (!retried() && startError === undefined && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(startError).toBeUndefined();
      expect(retried()).toBe(true);
      expect(String(warnings.find((w) => w.msg.startsWith('cannot reach'))?.fields?.error)).toMatch(
        /transport|timed out|broker/i,
      );
      expect(started).toBe(false);
      expect((await worker.app().request('/readyz')).status).toBe(503);
      expect((await worker.app().request('/healthz')).status).toBe(200);

      proxy.up();
      await starting;
      expect(startError).toBeUndefined();
      expect(started).toBe(true);

      await produceAll(
        brokers,
        `${ns}events`,
        ['a', 'b', 'a'].map((k, n) => ({ key: k, value: { n } })),
      );
      let out: Array<{ key: string; count: number }> = [];
      const until = Date.now() + 90_000;
      while (out.length < 3 && Date.now() < until) {
        out = (await readAll(brokers, `${ns}counts`)).map(
          (r) => JSON.parse(r.value!.toString()) as { key: string; count: number },
        );
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(out.filter((o) => o.key === 'a').map((o) => o.count)).toEqual([1, 2]);
      expect(out.filter((o) => o.key === 'b').map((o) => o.count)).toEqual([1]);
      expect((await worker.app().request('/readyz')).status).toBe(200);
      expect(errors).toEqual([]);
    } finally {
      proxy.up();
      await starting;
      await worker.close();
      await proxy.close();
    }
  }, 240_000);
});

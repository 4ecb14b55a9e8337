/**
 * The runtime's guarantee, tested the way Kafka tests Kafka Streams: real broker, real worker
 * processes, kill -9 at random moments and at every step of the commit cycle, partition moves, and
 * an independent check of the final state against the input.
 *
 * Final-state check: after the scenario, every worker is stopped and ONE fresh worker with an empty
 * state directory (so it must restore everything from the changelogs) gets one more record per key.
 * The count it emits for that record must be exactly (records of that key in the input) + 1: a lost
 * update gives less, an update applied twice gives more.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../cli/config.ts';
import { createTopic, deleteTopicsWithPrefix, produceAll, readAll } from '../../../test/support/kafka.ts';
import { waitCaughtUp, WorkerProcess } from '../../../test/support/worker-process.ts';
import type { CommitStep } from './job-runner.ts';

const cfg = loadConfig();
const brokers = cfg.kafkaBrokers;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-guarantees-'));
const namespaces: string[] = [];

type Mode = 'at_least_once' | 'exactly_once';
const jobFor = (mode: Mode) => (mode === 'exactly_once' ? 'count-by-key-eos' : 'count-by-key');

function namespace(tag: string): string {
  const ns = `it-${tag}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}-`;
  namespaces.push(ns);
  return ns;
}

function records(n: number, keys: number, seed: number): Array<{ key: string; value: unknown }> {
  // Skewed keys (a few hot ones) from a small deterministic generator.
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i) => {
    const k = `k${Math.floor(keys * rnd() ** 2)}`;
    return { key: k, value: { key: k, n: i } };
  });
}

function countsOf(rs: Array<{ key: string }>): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rs) m.set(r.key, (m.get(r.key) ?? 0) + 1);
  return m;
}

function worker(ns: string, id: string, mode: Mode, env: Record<string, string> = {}): WorkerProcess {
  return new WorkerProcess({
    id,
    jobs: jobFor(mode),
    namespace: ns,
    stateDir: path.join(root, ns, id),
    logDir: path.join(root, ns, 'logs'),
    env,
  });
}

/** Last count emitted per key (highest offset), read committed. */
async function lastCounts(topic: string): Promise<{ last: Map<string, number>; total: number }> {
  const out = await readAll(brokers, topic, { isolation: 'read_committed' });
  const best = new Map<string, { offset: number; count: number }>();
  for (const r of out) {
    const v = JSON.parse(r.value!.toString()) as { key: string; count: number };
    const prev = best.get(v.key);
    if (!prev || r.offset > prev.offset) best.set(v.key, { offset: r.offset, count: v.count });
  }
  return { last: new Map([...best].map(([k, v]) => [k, v.count])), total: out.length };
}

/** Stops everything, restores from the changelog on a fresh worker, and checks the state is exact. */
async function expectExactState(
  ns: string,
  mode: Mode,
  counts: Map<string, number>,
  workers: WorkerProcess[],
): Promise<void> {
  for (const w of workers) await w.stop();
  const job = `${ns}${jobFor(mode)}`;
  const probe = worker(ns, 'fresh', mode);
  probe.start();
  const extra = [...counts.keys()].map((k) => ({ key: k, value: { key: k } }));
  await produceAll(brokers, `${ns}counter-input`, extra);
  await waitCaughtUp(brokers, job, `${ns}counter-input`, 120_000, [probe]);
  await probe.stop();
  const { last } = await lastCounts(`${job}-counts`);
  const wrong = [...counts]
    .filter(([k, n]) => last.get(k) !== n + 1)
    .map(([k, n]) => `${k}: expected ${n + 1}, got ${last.get(k)}`);
  expect(wrong.slice(0, 10)).toEqual([]);
}

afterAll(async () => {
  for (const ns of namespaces) await deleteTopicsWithPrefix(brokers, ns).catch(() => undefined);
});

describe.each<Mode>(['at_least_once', 'exactly_once'])('guarantee: %s', (mode) => {
  it('keeps exact per-key counts while two workers are killed -9 at random moments', async () => {
    const ns = namespace(mode === 'exactly_once' ? 'crash-eos' : 'crash');
    const input = `${ns}counter-input`;
    await createTopic(brokers, input, 12);
    const all = records(200_000, 2000, 7);
    const workers = [worker(ns, 'w1', mode), worker(ns, 'w2', mode)];
    for (const w of workers) w.start();
    // Produce in waves while killing, so kills land in the middle of processing.
    const producing = (async () => {
      for (let i = 0; i < all.length; i += 20_000) {
        await produceAll(brokers, input, all.slice(i, i + 20_000));
        await new Promise((r) => setTimeout(r, 700));
      }
    })();
    let kills = 0;
    let seed = 11;
    while (kills < 6) {
      seed = (seed * 48271) % 2147483647;
      await new Promise((r) => setTimeout(r, 600 + (seed % 1800)));
      const victim = workers[seed % 2]!;
      await victim.kill9();
      kills++;
      victim.start();
    }
    await producing;
    await waitCaughtUp(brokers, `${ns}${jobFor(mode)}`, input, 150_000, workers);
    if (mode === 'exactly_once') {
      const { total } = await lastCounts(`${ns}${jobFor(mode)}-counts`);
      expect(total).toBe(all.length); // one committed output per input record: none twice, none lost
    }
    await expectExactState(ns, mode, countsOf(all), workers);
    expect(kills).toBeGreaterThanOrEqual(5);
  }, 330_000);

  const steps: CommitStep[] = [
    'changelog-produced',
    'outputs-flushed',
    'checkpoint-written',
    'first-store-persisted',
    'local-persisted',
    'group-committed',
  ];
  it.each(steps)('recovers exactly from a crash right after the commit step "%s"', async (step) => {
    const ns = namespace(`step-${mode === 'exactly_once' ? 'e' : 'a'}`);
    const input = `${ns}counter-input`;
    await createTopic(brokers, input, 4);
    const all = records(8000, 300, 3);
    const crashing = worker(ns, 'w1', mode, { PULSE_TEST_CRASH_AT: `${step}:2` });
    crashing.start();
    // Slow waves so the second commit happens with work in flight.
    for (let i = 0; i < all.length; i += 1000) {
      await produceAll(brokers, input, all.slice(i, i + 1000));
      if (crashing.running) await new Promise((r) => setTimeout(r, 250));
    }
    const code = await Promise.race([
      crashing.exited(),
      new Promise<'alive'>((r) => setTimeout(() => r('alive'), 60_000)),
    ]);
    expect(code).not.toBe('alive'); // the hook fired: the process died at that step
    // Restart with the same state directory: local state is behind, ahead or equal to the checkpoint.
    crashing.start({ PULSE_TEST_CRASH_AT: '' });
    await waitCaughtUp(brokers, `${ns}${jobFor(mode)}`, input, 120_000, [crashing]);
    await expectExactState(ns, mode, countsOf(all), [crashing]);
  });
});

describe('exactly-once transaction refused', () => {
  it('aborts it, restarts the tasks from their checkpoints, and stays exact with one output per input', async () => {
    const ns = namespace('txn-refused');
    const input = `${ns}counter-input`;
    await createTopic(brokers, input, 4);
    const all = records(8000, 300, 13);
    const w = worker(ns, 'w1', 'exactly_once', { PULSE_TEST_FAIL_TXN_AT: '3' });
    w.start();
    for (let i = 0; i < all.length; i += 1000) {
      await produceAll(brokers, input, all.slice(i, i + 1000));
      await new Promise((r) => setTimeout(r, 150));
    }
    await waitCaughtUp(brokers, `${ns}count-by-key-eos`, input, 120_000, [w]);
    const log = fs.readFileSync(path.join(root, ns, 'logs', 'w1.log'), 'utf8');
    expect(log).toContain('transaction failed; aborting it and restarting tasks');
    expect(w.running).toBe(true);
    const { total } = await lastCounts(`${ns}count-by-key-eos-counts`);
    expect(total).toBe(all.length);
    await expectExactState(ns, 'exactly_once', countsOf(all), [w]);
  });
});

describe('partition moves', () => {
  it('a second worker takes partitions over from the changelog, the first is killed -9, counts stay exact', async () => {
    const ns = namespace('migrate');
    const input = `${ns}counter-input`;
    await createTopic(brokers, input, 12);
    const all = records(60_000, 1000, 5);
    const w1 = worker(ns, 'w1', 'at_least_once');
    w1.start();
    await produceAll(brokers, input, all.slice(0, 30_000));
    await waitCaughtUp(brokers, `${ns}count-by-key`, input);
    const w2 = worker(ns, 'w2', 'at_least_once');
    w2.start();
    // While w1 is alive, w2 must be given a share of the partitions and restore their state from
    // the changelog (incremental rebalance), before any failure happens.
    const w2log = path.join(root, ns, 'logs', 'w2.log');
    const deadline = Date.now() + 30_000;
    while (
      !/"msg":"store restored".*"applied":[1-9]/.test(
        fs.existsSync(w2log) ? fs.readFileSync(w2log, 'utf8') : '',
      )
    ) {
      if (Date.now() > deadline) throw new Error('w2 never took over partitions from w1');
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(w1.running).toBe(true);
    await produceAll(brokers, input, all.slice(30_000, 45_000));
    await w1.kill9();
    await produceAll(brokers, input, all.slice(45_000));
    await waitCaughtUp(brokers, `${ns}count-by-key`, input);
    await expectExactState(ns, 'at_least_once', countsOf(all), [w2]);
  });
});

describe('poison records', () => {
  it('dead-letters exactly the bad records with their reason and counts every good one', async () => {
    const ns = namespace('poison');
    const input = `${ns}counter-input`;
    await createTopic(brokers, input, 3);
    const good = records(3000, 50, 9);
    const bad: Array<{ key: string; value: unknown }> = [];
    const mixed: Array<{ key: string; value: unknown }> = [];
    good.forEach((r, i) => {
      mixed.push(r);
      if (i % 100 === 0) {
        const poison = [
          { key: `bad-json-${i}`, value: Buffer.from('{"key": ') },
          { key: `bad-schema-${i}`, value: { key: 42 } },
          { key: `bad-empty-${i}`, value: { key: '' } },
        ][(i / 100) % 3]!;
        bad.push(poison);
        mixed.push(poison);
      }
    });
    await produceAll(brokers, input, mixed);
    const w = worker(ns, 'w1', 'at_least_once');
    w.start();
    await waitCaughtUp(brokers, `${ns}count-by-key`, input);
    const dlq = await readAll(brokers, `${ns}count-by-key.dlq`);
    expect(dlq.map((r) => r.key).sort()).toEqual(bad.map((b) => b.key).sort());
    for (const r of dlq) {
      expect(r.headers['pulse.error.code']).toMatch(/^(JSON_INVALID|SCHEMA_INVALID)$/);
      expect(r.headers['pulse.source.topic']).toBe(input);
      expect(Number(r.headers['pulse.source.offset'])).toBeGreaterThanOrEqual(0);
      expect(r.headers['pulse.job']).toBe(`${ns}count-by-key`);
    }
    const jsonBad = dlq.find((r) => r.key!.startsWith('bad-json'))!;
    expect(jsonBad.value!.toString()).toBe('{"key": '); // original bytes kept
    await expectExactState(ns, 'at_least_once', countsOf(good), [w]);
  });
});

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.ts';
import {
  committedOffsets,
  createTopics,
  deleteWithPrefix,
  endOffsets,
  produceRecords,
  withAdmin,
} from '../kafka.ts';
import { CEILING_NAMES, runCeilings, type CeilingFailure, type CeilingKind } from './ceilings.ts';
import type { CeilingResult } from './types.ts';
import { userEvents } from './workload.ts';

const config = loadConfig();
const brokers = config.kafkaBrokers;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const prefix = `it-ceilings-${process.pid}-${Date.now()}`;
const input = `${prefix}.raw-user-events`;
const output = `${prefix}.ceiling-out`;
const PARTITIONS = 4;
const PRODUCED = 50_000;

const total = (m: Map<number, number>) => [...m.values()].reduce((s, v) => s + v, 0);

function measured(r: CeilingResult | CeilingFailure): CeilingResult {
  if ('error' in r) throw new Error(`ceiling ${r.name} failed: ${r.error}`);
  return r;
}

/** The committed offsets of the ceiling groups of `kind` on the input topic, one map per group. */
async function committedByCeilingGroups(kind: CeilingKind): Promise<Array<Map<number, number>>> {
  return withAdmin(brokers, async (admin) => {
    const { groups } = await admin.listGroups();
    const ids = groups.map((g) => g.groupId).filter((g) => g.startsWith(`${input}.ceiling-${kind}-`));
    return Promise.all(ids.map((id) => committedOffsets(admin, id, input)));
  });
}

describe('pulse bench compare ceilings against the real broker', () => {
  let ends: Map<number, number>;

  beforeAll(async () => {
    await createTopics(brokers, [input], PARTITIONS);
    const events = userEvents({ events: PRODUCED, users: 5000, catalogEvents: 1000, seed: 7 });
    const produced = await produceRecords(
      brokers,
      input,
      (function* () {
        for (const e of events) yield { key: e.userId, value: JSON.stringify(e) };
      })(),
    );
    expect(produced.records).toBe(PRODUCED);
    ends = await withAdmin(brokers, (admin) => endOffsets(admin, input));
    expect(total(ends)).toBe(PRODUCED);
  });

  afterAll(async () => {
    await deleteWithPrefix(brokers, prefix);
  });

  it('reads every produced record exactly once in each ceiling, commits to the end, and reports figures', async () => {
    const logs: string[] = [];
    const results = (
      await runCeilings({
        root,
        brokers,
        topic: input,
        outputTopic: output,
        records: PRODUCED,
        commitIntervalMs: 200,
        protocol: 'consumer',
        log: (m) => logs.push(m),
      })
    ).map(measured);
    expect(results.map((r) => r.name)).toEqual([
      CEILING_NAMES.librdkafka,
      CEILING_NAMES['node-consume'],
      CEILING_NAMES['node-loop'],
    ]);
    for (const r of results) {
      expect(r.records, r.name).toBe(PRODUCED);
      expect(r.seconds, r.name).toBeGreaterThan(0);
      expect(r.eventsPerSec * r.seconds, r.name).toBeCloseTo(PRODUCED, -1);
      expect(r.cpuSeconds, r.name).not.toBeNull();
      expect(r.cpuSeconds!, r.name).toBeGreaterThan(0);
      expect(r.peakRssBytes, r.name).not.toBeNull();
      // Any process holding a Kafka client has more than 4 MiB resident and less than 4 GiB.
      expect(r.peakRssBytes!, r.name).toBeGreaterThan(4 * 2 ** 20);
      expect(r.peakRssBytes!, r.name).toBeLessThan(4 * 2 ** 30);
    }
    // Each ceiling's fresh group committed the end of every partition: nothing left unread.
    for (const kind of ['librdkafka', 'node-consume', 'node-loop'] as const) {
      const committed = await committedByCeilingGroups(kind);
      expect(committed, kind).toHaveLength(1);
      expect(Object.fromEntries(committed[0]!), kind).toEqual(Object.fromEntries(ends));
    }
    // The produce loop wrote one result per record it read.
    const written = await withAdmin(brokers, (admin) => endOffsets(admin, output));
    expect(total(written)).toBe(PRODUCED);
    expect(logs.some((l) => l.includes('rdkafka_performance'))).toBe(true);
  });

  it('runs only the ceilings asked for, with classic groups too', async () => {
    const results = (
      await runCeilings({
        root,
        brokers,
        topic: input,
        outputTopic: output,
        records: PRODUCED,
        commitIntervalMs: 200,
        protocol: 'classic',
        only: ['librdkafka', 'node-consume'],
      })
    ).map(measured);
    expect(results.map((r) => [r.name, r.records])).toEqual([
      [CEILING_NAMES.librdkafka, PRODUCED],
      [CEILING_NAMES['node-consume'], PRODUCED],
    ]);
  });

  it('reports each ceiling that cannot reach its count as a failure in its place, at the exact count it stopped', async () => {
    const results = await runCeilings({
      root,
      brokers,
      topic: input,
      outputTopic: output,
      records: PRODUCED + 1,
      commitIntervalMs: 200,
      protocol: 'consumer',
      only: ['librdkafka', 'node-consume'],
      idleLimitMs: 4000,
    });
    expect(results).toEqual([
      { name: CEILING_NAMES.librdkafka, error: expect.stringContaining(`at ${PRODUCED} of ${PRODUCED + 1}`) },
      {
        name: CEILING_NAMES['node-consume'],
        error: expect.stringContaining(`after ${PRODUCED} of ${PRODUCED + 1}`),
      },
    ]);
  });
});

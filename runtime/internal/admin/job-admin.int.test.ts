import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../cli/config.ts';
import { countByKeyJob } from '../../../jobs/count-by-key/job.ts';
import { createTopic, deleteTopicsWithPrefix, produceAll, readAll } from '../../../test/support/kafka.ts';
import type { Logger } from '../engine/job-runner.ts';
import { createAdmin } from '../kafka.ts';
import { Worker } from '../worker.ts';
import { jobStatus, replayJob, type JobStatus } from './job-admin.ts';

const config = loadConfig();
const brokers = config.kafkaBrokers;
const ns = `it-replay-${Date.now()}-`;
const job = countByKeyJob({ namespace: ns });
const KEYS = 100;
const RECORDS = 3000;

/** Keeps the worker quiet but remembers what it said. */
function capture(): Logger & { lines: Array<{ msg: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const push = (msg: string, fields?: Record<string, unknown>) => void lines.push({ msg, fields });
  return { lines, info: push, warn: push, error: push };
}

async function caughtUp(deadlineMs = 90_000): Promise<JobStatus> {
  const deadline = Date.now() + deadlineMs;
  let last: JobStatus | undefined;
  while (Date.now() < deadline) {
    last = await jobStatus(job, brokers);
    // lag counts from the committed checkpoint (from the earliest offset when it names none).
    if (last.partitions.every((p) => p.lag === 0 && p.epoch !== undefined)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`job did not catch up: ${JSON.stringify(last?.partitions.map((p) => p.lag))}`);
}

describe('jobs status and replay against the real broker', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await deleteTopicsWithPrefix(brokers, ns).catch(() => undefined);
    const admin = createAdmin(brokers);
    await admin.connect();
    await admin.deleteGroups([job.name]).catch(() => undefined);
    await admin.disconnect();
    for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
  });

  it('replay from earliest re-processes every input once more into fresh state, not on top of the old', async () => {
    await createTopic(brokers, `${ns}counter-input`, 6);
    const records = Array.from({ length: RECORDS }, (_, i) => ({
      key: `k${i % KEYS}`,
      value: { key: `k${i % KEYS}`, n: i },
    }));
    await produceAll(brokers, `${ns}counter-input`, records);
    const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pulse-replay-'));
    dirs.push(stateDir);
    const opts = { brokers, stateDir, workerId: 'w1', port: 0, protocol: config.groupProtocol };

    // 1. Process everything once.
    const log1 = capture();
    const w1 = new Worker([job], { ...opts, log: log1 });
    await w1.start();
    let status: JobStatus;
    try {
      status = await caughtUp();
      expect(status.partitions.reduce((a, p) => a + p.end[`${ns}counter-input`]!, 0)).toBe(RECORDS);
      // Owner, state size and restore progress come from the group and the worker's /status.
      expect(status.group.members).toHaveLength(1);
      expect(status.group.members[0]!.statusPort).toBe(w1.port);
      for (const p of status.partitions) {
        expect(p.owner).toMatchObject({ worker: 'w1', source: 'group', statusPort: w1.port });
        expect(p.task?.state).toBe('running');
        expect(Object.keys(p.task?.stateBytes ?? {})).toEqual(['counts']);
      }
      // A running job is never reset under its workers' feet.
      await expect(replayJob(job, brokers, { kind: 'earliest' })).rejects.toThrow(
        /stop the job's workers first/i,
      );
    } finally {
      await w1.close();
    }
    const before = new Map(status.partitions.map((p) => [p.partition, p.epoch!]));

    // 2. Replay from the earliest offsets.
    const lines: string[] = [];
    await replayJob(job, brokers, { kind: 'earliest' }, (l) => lines.push(l));
    expect(lines.filter((l) => /^ {2}partition \d+:/.test(l))).toHaveLength(6);
    const reset = await jobStatus(job, brokers);
    expect(reset.group.members).toHaveLength(0);
    for (const p of reset.partitions) {
      expect(p.committed[`${ns}counter-input`]).toBe(0);
      expect(p.epoch).toBe(before.get(p.partition)! + 1);
      expect(p.owner).toEqual({ worker: 'replay', source: 'last-committer' });
    }
    expect(reset.partitions.reduce((a, p) => a + p.lag, 0)).toBe(RECORDS);

    // 3. Run again on the SAME state dir: the local RocksDB state must be discarded by the base rule.
    const log2 = capture();
    const w2 = new Worker([job], { ...opts, log: log2 });
    await w2.start();
    try {
      await caughtUp();
    } finally {
      await w2.close();
    }
    const distrusted = log2.lines.filter(
      (l) => l.msg === 'local state not trusted; restoring from the changelog',
    );
    expect(distrusted.length).toBe(6);
    for (const l of distrusted) expect(String(l.fields?.reason)).toMatch(/predates the reset/);

    // 4. The outputs: every key's last emitted count equals its input count (not double).
    const out = await readAll(brokers, `${ns}count-by-key-counts`);
    expect(out.length).toBeGreaterThanOrEqual(2 * RECORDS); // at-least-once: every input emitted again
    const last = new Map<string, { offset: number; count: number; partition: number }>();
    for (const r of out) {
      const v = JSON.parse(r.value!.toString()) as { key: string; count: number };
      const prev = last.get(v.key);
      if (prev) expect(prev.partition).toBe(r.partition);
      if (!prev || r.offset > prev.offset)
        last.set(v.key, { offset: r.offset, count: v.count, partition: r.partition });
    }
    expect(last.size).toBe(KEYS);
    for (const [key, v] of last) expect({ key, count: v.count }).toEqual({ key, count: RECORDS / KEYS });
  });
});

/**
 * "Caught up", as the chaos suite measures it: each job of the pipeline has processed its input up to
 * a given end offset per partition. A partition counts as processed when the job's consumer group
 * committed that offset, or when a live worker's running task reports it as its next offset (group
 * offsets are only for monitoring in this runtime and may be missing, e.g. after a group was deleted
 * and before the task commits again).
 */
import type { KafkaAdmin } from '../runtime/index.ts';
import type { ChaosWorker } from './types.ts';

/** One hop of the pipeline: a job (= its group id) and its input topic. */
export interface Stage {
  job: string;
  topic: string;
}

export type Offsets = Map<number, number>;

export async function endOffsets(admin: KafkaAdmin, topic: string): Promise<Offsets> {
  const ends = await admin.fetchTopicOffsets(topic);
  return new Map(ends.map((e) => [e.partition, Number(e.high)]));
}

async function committed(admin: KafkaAdmin, stage: Stage): Promise<Offsets> {
  const r = await admin.fetchOffsets({ groupId: stage.job, topics: [stage.topic] }).catch(() => []);
  return new Map((r[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

/** Next offsets of the running tasks of live, unpaused workers, per partition (highest). */
async function taskPositions(workers: readonly ChaosWorker[], stage: Stage): Promise<Offsets> {
  const out: Offsets = new Map();
  const statuses = await Promise.all(
    workers.map((w) => (w.paused ? Promise.resolve(undefined) : w.status())),
  );
  for (const s of statuses) {
    const job = s?.jobs.find((j) => j.job === stage.job);
    for (const t of job?.tasks ?? []) {
      if (t.state !== 'running') continue;
      const next = t.nextOffsets[stage.topic];
      if (next !== undefined && next > (out.get(t.partition) ?? -1)) out.set(t.partition, next);
    }
  }
  return out;
}

/** Partitions of `stage` not yet processed up to `target` (empty: caught up). */
export async function behind(
  admin: KafkaAdmin,
  workers: readonly ChaosWorker[],
  stage: Stage,
  target: Offsets,
): Promise<string[]> {
  const pending = [...target].filter(([, end]) => end > 0);
  if (pending.length === 0) return [];
  const c = await committed(admin, stage);
  let left = pending.filter(([p, end]) => (c.get(p) ?? -1) < end);
  if (left.length === 0) return [];
  const pos = await taskPositions(workers, stage);
  left = left.filter(([p, end]) => (pos.get(p) ?? -1) < end);
  return left.map(([p, end]) => `${p}:${Math.max(c.get(p) ?? -1, pos.get(p) ?? -1)}/${end}`);
}

/**
 * Waits until every stage has processed its input as of the moment the previous stage caught up
 * (the first stage: as of the call). Resolves with the milliseconds taken; rejects after the
 * timeout with what was still behind.
 */
export async function waitCaughtUp(
  admin: KafkaAdmin,
  workers: () => readonly ChaosWorker[],
  stages: readonly Stage[],
  timeoutMs: number,
  pollMs = 250,
): Promise<number> {
  const t0 = Date.now();
  const deadline = t0 + timeoutMs;
  for (const stage of stages) {
    let target: Offsets | undefined;
    while (!target) {
      target = await endOffsets(admin, stage.topic).catch(() => undefined);
      if (target) break;
      if (Date.now() > deadline) throw new Error(`no end offsets for ${stage.topic}`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
    for (;;) {
      const left = await behind(admin, workers(), stage, target).catch((err: unknown) => [
        `(${(err as Error).message})`,
      ]);
      if (left.length === 0) break;
      if (Date.now() > deadline)
        throw new Error(`${stage.job} did not catch up on ${stage.topic}: ${left.join(' ')}`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  return Date.now() - t0;
}

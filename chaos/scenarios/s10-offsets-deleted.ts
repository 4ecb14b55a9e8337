/**
 * Scenario 10: the consumer groups' offsets deleted while the workers are stopped. The runtime keeps
 * its own position in each job's `<job>-checkpoints` topic and commits group offsets only for
 * monitoring, so every task must resume exactly where its checkpoint says, neither at the end of
 * its input (events lost) nor at the beginning (events applied twice).
 *
 * Every worker is stopped with SIGTERM, the three jobs' groups are deleted (and checked gone), the
 * load keeps arriving for a while (so each input holds records past the checkpoints), and the
 * workers start again. The check compares, per task, the position the new owner claimed with the
 * checkpoint committed before the deletion; the harness's recomputation catches the effect of any
 * skip or replay on the profiles.
 */
import { committedCheckpoint, readCheckpointLog } from '../checkpoints.ts';
import type { ChaosContext, Scenario } from '../types.ts';

interface Before {
  /** job → partition → the committed checkpoint's epoch and input offsets before the restart. */
  checkpoints: Map<string, Map<number, { epoch: number; offsets: Record<string, number> }>>;
}

const runs = new Map<string, Before>();

async function partitionsOf(ctx: ChaosContext): Promise<number[]> {
  const ends = await ctx.admin.fetchTopicOffsets(ctx.topic('raw-user-events'));
  return ends.map((e) => e.partition).sort((a, b) => a - b);
}

async function groupsEmpty(ctx: ChaosContext, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await ctx.admin.describeGroups([...ctx.jobs]);
    const busy = d.groups
      .filter((g) => g.members.length > 0)
      .map((g) => `${g.groupId} (${g.members.length})`);
    if (busy.length === 0) return;
    if (Date.now() > deadline) throw new Error(`groups still have members: ${busy.join(', ')}`);
    await ctx.sleep(250);
  }
}

async function run(ctx: ChaosContext): Promise<void> {
  await ctx.untilProgress(0.3);
  await Promise.all(ctx.workers.map((w) => w.stop(30_000)));
  ctx.log(`all ${ctx.workers.length} workers stopped at ${(ctx.progress() * 100).toFixed(0)} % of the load`);
  await groupsEmpty(ctx, 60_000);
  const partitions = await partitionsOf(ctx);
  const before: Before = { checkpoints: new Map() };
  for (const job of ctx.jobs) {
    const log = await readCheckpointLog(ctx.brokers, job, partitions);
    const m = new Map<number, { epoch: number; offsets: Record<string, number> }>();
    for (const [p, entries] of log) {
      const c = committedCheckpoint(entries);
      if (c) m.set(p, { epoch: c.epoch, offsets: c.offsets });
    }
    before.checkpoints.set(job, m);
  }
  const committedBefore = await Promise.all(
    ctx.jobs.map(
      async (job) =>
        (await ctx.admin.fetchOffsets({ groupId: job }))
          .flatMap((t) => t.partitions)
          .filter((p) => Number(p.offset) >= 0).length,
    ),
  );
  const results = await ctx.admin.deleteGroups([...ctx.jobs]);
  const refused = results.filter((r) => r.errorCode !== undefined && r.errorCode !== 0);
  if (refused.length) throw new Error(`group deletion refused: ${JSON.stringify(refused)}`);
  for (const job of ctx.jobs) {
    const left = (await ctx.admin.fetchOffsets({ groupId: job }))
      .flatMap((t) => t.partitions)
      .filter((p) => Number(p.offset) >= 0);
    if (left.length)
      throw new Error(`${job} still has ${left.length} committed offsets after its group was deleted`);
  }
  ctx.note(
    `deleted the groups of ${ctx.jobs.length} jobs (they held ${committedBefore.join('/')} committed offsets)`,
  );
  runs.set(ctx.namespace, before);
  // Let input pile up past the checkpoints while nothing consumes it.
  await ctx.sleep(ctx.short ? 3000 : 10_000);
  for (const w of ctx.workers) w.start();
  await Promise.all(ctx.workers.map((w) => w.waitReady(180_000)));
  ctx.faultEnded('group offsets deleted while the workers were stopped');
}

async function check(ctx: ChaosContext): Promise<string[]> {
  const before = runs.get(ctx.namespace);
  runs.delete(ctx.namespace);
  if (!before) return ['scenario 10 did not delete the offsets'];
  const failures: string[] = [];
  let resumed = 0;
  for (const [job, cps] of before.checkpoints) {
    const log = await readCheckpointLog(ctx.brokers, job, [...cps.keys()]);
    for (const [p, cp] of cps) {
      // The first claim after the restart names the position the task resumed from.
      const claim = (log.get(p) ?? []).find((c) => c.epoch > cp.epoch);
      if (!claim) {
        failures.push(`${job}/${p}: no task claimed it after the restart`);
        continue;
      }
      resumed++;
      for (const [topic, off] of Object.entries(cp.offsets))
        if (claim.offsets[topic] !== off)
          failures.push(
            `${job}/${p}: resumed ${topic} at ${claim.offsets[topic]}, its checkpoint said ${off}`,
          );
    }
  }
  const recommitted = await Promise.all(
    ctx.jobs.map(
      async (job) =>
        (await ctx.admin.fetchOffsets({ groupId: job }))
          .flatMap((t) => t.partitions)
          .filter((p) => Number(p.offset) >= 0).length,
    ),
  );
  ctx.note(
    `${resumed} tasks resumed at their checkpoints; group offsets committed again: ${recommitted.join('/')}`,
  );
  return failures.length > 8 ? [...failures.slice(0, 8), `... ${failures.length} problems in all`] : failures;
}

export const scenario: Scenario = {
  id: 10,
  name: 'consumer group offsets deleted while workers are stopped',
  inShort: true,
  run,
  check,
};

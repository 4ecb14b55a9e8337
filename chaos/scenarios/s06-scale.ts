/**
 * Scenario 6: scaling from 1 worker to 3 and back to 1 under load. The run starts with one worker;
 * two join (each waited for until ready); every worker must then own tasks of every job (the
 * partitions really spread); later the two newest leave with SIGTERM, and the first one takes their
 * partitions back. Twice in the full form.
 *
 * Not in the short form CI runs: partition moves between workers are in scenarios 1, 4 and 5 and in
 * the runtime's own test (guarantees.int.test.ts, 'partition moves').
 */
import type { ChaosContext, ChaosWorker, Scenario } from '../types.ts';

/** Tasks per job that `w` runs, e.g. `{ enrich: 4, ... }`; undefined when it does not answer. */
async function tasksOf(w: ChaosWorker): Promise<Map<string, number> | undefined> {
  const s = await w.status();
  if (!s) return undefined;
  return new Map(s.jobs.map((j) => [j.job, j.tasks.filter((t) => t.state === 'running').length]));
}

/** Waits until every worker runs at least one task of every job (the group spread the partitions). */
async function spread(ctx: ChaosContext, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const all = await Promise.all(ctx.workers.map(async (w) => [w.id, await tasksOf(w)] as const));
    last = all
      .map(([id, t]) => `${id}: ${t ? ctx.jobs.map((j) => t.get(j) ?? 0).join('/') : 'no status'}`)
      .join(', ');
    if (all.every(([, t]) => t && ctx.jobs.every((j) => (t.get(j) ?? 0) > 0))) return last;
    if (Date.now() > deadline)
      throw new Error(
        `partitions did not spread over ${ctx.workers.length} workers in ${timeoutMs / 1000} s: ${last}`,
      );
    await ctx.sleep(500);
  }
}

export const scenario: Scenario = {
  id: 6,
  name: 'scaling 1 to 3 workers and back to 1 under load',
  inShort: false,
  initialWorkers: 1,
  async run(ctx) {
    const cycles = ctx.short ? 1 : 2;
    for (let c = 0; c < cycles; c++) {
      await ctx.untilProgress(0.1 + (0.8 * c) / cycles);
      const added = [ctx.addWorker(), ctx.addWorker()];
      await Promise.all(added.map((w) => w.waitReady(180_000)));
      ctx.faultEnded(`scaled 1 → 3 (cycle ${c + 1})`);
      ctx.note(
        `tasks per job (${ctx.jobs.length} jobs) at 3 workers, cycle ${c + 1}: ${await spread(ctx, 60_000)}`,
      );
      await ctx.untilProgress(0.1 + (0.8 * (c + 0.5)) / cycles);
      for (const w of added) await ctx.removeWorker(w);
      const [only] = ctx.workers;
      if (!only || ctx.workers.length !== 1)
        throw new Error(`expected 1 worker left, have ${ctx.workers.length}`);
      await only.waitReady(180_000);
      ctx.faultEnded(`scaled 3 → 1 (cycle ${c + 1})`);
      ctx.note(`tasks per job back at 1 worker, cycle ${c + 1}: ${await spread(ctx, 60_000)}`);
    }
  },
};

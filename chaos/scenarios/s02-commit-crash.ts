/**
 * Scenario 2: a crash between every two steps of the commit cycle, under load.
 *
 * The runtime's commit cycle (runtime/internal/engine/job-runner.ts, `commit()`) is: sinks flushed,
 * changelog produced, outputs flushed, checkpoint written (the commit point), each store persisted
 * locally, group offsets committed. Its test-only hook `PULSE_TEST_CRASH_AT=<step>:<n>` makes the
 * worker SIGKILL itself right after the named step the n-th time a job reaches it with work in the
 * cycle. For each step, one worker (in turn) is stopped, started with the hook, and must die at that
 * step (its log says so); it is then started again without the hook and must recover exactly: the
 * harness checks every profile against the recomputation afterwards.
 *
 * Two workers crash at different steps at the same time (the short form's 30 s load has room for
 * three rounds, not six), so one worker of three always keeps running.
 *
 * Not in the short form (about 90 s): CI already crashes a worker after every commit step in the
 * runtime's own test (runtime/internal/engine/guarantees.int.test.ts, both guarantees).
 */
import type { ChaosContext, ChaosWorker, Scenario } from '../types.ts';
import { ChaosWorkerProcess } from '../worker.ts';

/** The steps after which the hook can crash, in the order of the cycle (job-runner.ts `CommitStep`). */
export const COMMIT_STEPS = [
  'changelog-produced',
  'outputs-flushed',
  'checkpoint-written',
  'first-store-persisted',
  'local-persisted',
  'group-committed',
] as const;

/** The worker's log line when the hook fires (job-runner.ts `crashPoint`). */
const HOOK_LINE = 'test crash hook: SIGKILL';

/** Times the worker's log says the hook fired at `step` (the hook logs a warning, then SIGKILLs). */
function hookFired(w: ChaosWorker, step: string): number {
  if (!(w instanceof ChaosWorkerProcess)) return 0;
  return w
    .notableLog(1_000_000)
    .split('\n')
    .filter((l) => l.includes(HOOK_LINE) && l.includes(`"step":"${step}"`)).length;
}

async function crashAt(ctx: ChaosContext, w: ChaosWorker, step: string): Promise<string | undefined> {
  const before = hookFired(w, step);
  await w.stop(30_000);
  // The second cycle with work after the restore, with input in flight; when the load is nearly
  // over, the first: every recovered task commits once (its claim) even without new input.
  const nth = ctx.progress() < 0.85 ? 2 : 1;
  w.start({ PULSE_TEST_CRASH_AT: `${step}:${nth}` });
  const exit = w.exited();
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    exit,
    new Promise<'alive'>((r) => (timer = setTimeout(() => r('alive'), 90_000))),
  ]).finally(() => clearTimeout(timer));
  let problem: string | undefined;
  if (code === 'alive') {
    problem = `${w.id} did not crash at "${step}" within 90 s`;
    await w.stop(30_000);
  } else if (code !== null) problem = `${w.id} exited with code ${code}, not killed by the hook at "${step}"`;
  else if (hookFired(w, step) <= before)
    problem = `${w.id} was killed without the hook's log line for "${step}"`;
  ctx.log(
    problem ??
      `${w.id} crashed right after "${step}" (cycle #${nth}) at ${(ctx.progress() * 100).toFixed(0)} % of the load`,
  );
  w.start();
  await w.waitReady(120_000);
  ctx.faultEnded(`crash after ${step} (${w.id})`);
  return problem;
}

export const scenario: Scenario = {
  id: 2,
  name: 'crash between every two steps of the commit cycle',
  inShort: false,
  async run(ctx) {
    const problems: string[] = [];
    const perRound = Math.max(1, Math.min(2, ctx.workers.length - 1));
    // Every step once (short form) or twice, each time on the next worker.
    const steps = ctx.short ? [...COMMIT_STEPS] : [...COMMIT_STEPS, ...COMMIT_STEPS];
    const rounds = Math.ceil(steps.length / perRound);
    for (let i = 0, round = 0; i < steps.length; i += perRound, round++) {
      await ctx.untilProgress(0.1 + (0.8 * round) / rounds);
      const results = await Promise.all(
        steps
          .slice(i, i + perRound)
          .map((step, k) => crashAt(ctx, ctx.workers[(i + k) % ctx.workers.length]!, step)),
      );
      problems.push(...results.filter((p): p is string => p !== undefined));
    }
    ctx.note(
      `crashed after each of the ${COMMIT_STEPS.length} commit steps ${steps.length / COMMIT_STEPS.length}×, ${perRound} workers at a time`,
    );
    if (problems.length) throw new Error(problems.join('; '));
  },
};

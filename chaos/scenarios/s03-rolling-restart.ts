/**
 * Scenario 3: a rolling restart of every worker with SIGTERM, under load, as a deployment does it:
 * one worker at a time is stopped (it must finish its batch, commit, leave the group and exit 0
 * within the grace period), started again, and waited for until ready before the next one goes.
 * Once in the short form; three rounds over all workers in the full form.
 *
 * Not in the short form CI runs (about 95 s, three slow worker starts in a row): SIGTERM of every
 * worker at once is part of scenario 10, of one worker part of scenario 4.
 */
import type { Scenario } from '../types.ts';

/** A deployment's grace period between SIGTERM and SIGKILL. */
const GRACE_MS = 30_000;

export const scenario: Scenario = {
  id: 3,
  name: 'rolling restart of all workers with SIGTERM',
  inShort: false,
  async run(ctx) {
    const rounds = ctx.short ? 1 : 3;
    const problems: string[] = [];
    for (let r = 0; r < rounds; r++) {
      await ctx.untilProgress(0.15 + (0.6 * r) / rounds);
      for (const w of [...ctx.workers]) {
        const t0 = Date.now();
        const exit = w.exited();
        await w.stop(GRACE_MS).catch((err: unknown) => {
          problems.push((err as Error).message);
          return w.kill();
        });
        const code = await exit;
        if (code !== 0) problems.push(`${w.id} exited with code ${code} after SIGTERM (round ${r + 1})`);
        const stopped = Date.now() - t0;
        w.start();
        await w.waitReady(120_000);
        ctx.log(
          `restarted ${w.id} (round ${r + 1}): stopped in ${(stopped / 1000).toFixed(1)} s, ` +
            `ready ${((Date.now() - t0 - stopped) / 1000).toFixed(1)} s later, at ${(ctx.progress() * 100).toFixed(0)} %`,
        );
        ctx.faultEnded(`SIGTERM and restart of ${w.id} (round ${r + 1})`);
      }
    }
    if (problems.length) throw new Error(`clean shutdown: ${problems.join('; ')}`);
  },
};

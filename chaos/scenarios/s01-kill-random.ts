/**
 * Scenario 1: kill -9 of a random worker, 20 times during the run (5 in the short form), each
 * restarted after a short random pause, spread evenly over the load.
 */
import type { Scenario } from '../types.ts';

export const scenario: Scenario = {
  id: 1,
  name: 'kill -9 of a random worker, repeatedly',
  inShort: true,
  async run(ctx) {
    const kills = ctx.short ? 5 : 20;
    for (let k = 0; k < kills; k++) {
      await ctx.untilProgress(0.05 + (0.85 * k) / kills + ctx.random() * (0.5 / kills));
      const live = ctx.workers.filter((w) => w.running);
      const victim = live[Math.floor(ctx.random() * live.length)];
      if (!victim) throw new Error('no running worker to kill');
      await victim.kill();
      ctx.log(`kill -9 ${victim.id} (${k + 1}/${kills}) at ${(ctx.progress() * 100).toFixed(0)} %`);
      await ctx.sleep(200 + Math.floor(ctx.random() * 1800));
      victim.start();
      ctx.faultEnded(`kill -9 ${victim.id} #${k + 1}`);
    }
  },
};

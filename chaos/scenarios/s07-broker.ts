/**
 * Scenario 7: the Kafka broker killed -9 under load and started again; then the broker down while
 * the workers start (they must wait for it, not exit and crash-loop). The broker stays down for
 * 45 s (90 s in the full form) after the workers start: longer than a client's connection attempt
 * gives up (about 35 s), so a worker that treats an unreachable broker at start as fatal shows it.
 *
 * Not in the short form: it kills the stack's one broker, which every other client of the stack
 * (other test files, a developer's services) shares, and its two restarts cost a minute or more.
 * CI runs it by name (`pulse chaos --short --only 7`) where it has the broker to itself; on a shared
 * machine, give it a broker of its own: `PULSE_STACK_DIR=/tmp/kstack KAFKA_BROKERS=127.0.0.1:19092
 * pulse stack up`, then the same variables for `pulse chaos`.
 * While the broker is down the ingestion API answers 503; the load retries those batches with the
 * same eventIds, so only 2xx answers count as acknowledged.
 */
import type { ChaosContext, Scenario } from '../types.ts';

async function brokerKill(ctx: ChaosContext, downMs: number): Promise<void> {
  await ctx.untilProgress(0.3);
  await ctx.broker.kill();
  const killedAt = Date.now();
  ctx.log(`broker killed -9 at ${(ctx.progress() * 100).toFixed(0)} % of the load`);
  await ctx.sleep(downMs);
  const gone = ctx.workers.filter((w) => !w.running).map((w) => w.id);
  if (gone.length) ctx.note(`workers not running while the broker was down: ${gone.join(', ')}`);
  const t0 = Date.now();
  await ctx.broker.start();
  ctx.note(
    `broker down ${((Date.now() - killedAt) / 1000).toFixed(1)} s (restart ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  ctx.faultEnded('broker killed -9 under load');
}

async function brokerDownAtStart(ctx: ChaosContext, waitMs: number): Promise<void> {
  // The first fault's recovery is measured by reading group offsets: let it end before the broker
  // goes again (an admin client asking for offsets across a broker restart can crash the process;
  // see chaos/broker.ts).
  await ctx.caughtUp(ctx.short ? 180_000 : 600_000);
  await ctx.sleep(1_000);
  await ctx.untilProgress(0.65);
  await Promise.all(ctx.workers.map((w) => w.stop(60_000)));
  ctx.log('workers stopped (SIGTERM)');
  const starts = new Map(ctx.workers.map((w) => [w, w.starts]));
  let exited: string[] = [];
  await ctx.broker.kill();
  let t0 = Date.now();
  try {
    for (const w of ctx.workers) w.start();
    ctx.log(`broker killed; ${ctx.workers.length} workers started without it`);
    await ctx.sleep(waitMs);
    exited = ctx.workers
      .filter((w) => !w.running || w.starts > starts.get(w)! + 1)
      .map((w) => `${w.id} (${w.starts - starts.get(w)!} starts, running: ${w.running})`);
  } finally {
    // Whatever the workers did, the broker comes back: the rest of the run (and the stack) needs it.
    t0 = Date.now();
    await ctx.broker.start();
  }
  // A worker that gave up may be between two restarts by the harness's supervisor, or past them.
  for (const w of ctx.workers) {
    if (w.running) continue;
    await ctx.sleep(1_500);
    if (!w.running) w.start();
  }
  await Promise.all(ctx.workers.map((w) => w.waitReady(180_000)));
  ctx.note(
    `workers waited ${(waitMs / 1000).toFixed(0)} s for the broker (${exited.length ? `exits: ${exited.join(', ')}` : 'no exit'}) ` +
      `and were ready ${((Date.now() - t0) / 1000).toFixed(1)} s after its start`,
  );
  ctx.faultEnded('broker down while the workers started');
  if (exited.length) throw new Error(`workers exited while waiting for the broker: ${exited.join(', ')}`);
}

export const scenario: Scenario = {
  id: 7,
  name: 'broker killed -9 under load; broker down when workers start',
  inShort: false,
  async run(ctx) {
    await brokerKill(ctx, ctx.short ? 5_000 : 15_000);
    await brokerDownAtStart(ctx, ctx.short ? 45_000 : 90_000);
  },
};

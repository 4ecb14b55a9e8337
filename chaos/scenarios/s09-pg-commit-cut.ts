/**
 * Scenario 9: the connection to PostgreSQL cut during a commit, several times under load.
 *
 * `write-profiles` writes each batch of profiles with one autocommitted upsert (extended protocol:
 * Parse/Bind/Execute/Sync; the implicit transaction commits at Sync), so "during a commit" is: the
 * statement has reached the server, the server has committed it, and the connection dies before
 * the answer reaches the worker (the proxy cuts at the server's first answer byte). The worker
 * sees an error for a write that happened, retries it, and the versioned upsert makes the retry
 * change nothing. (The pipeline sends no explicit COMMIT; the proxy's own tests cover that case
 * against PostgreSQL: chaos/proxy.int.test.ts.)
 */
import type { Scenario } from '../types.ts';

/** The start of write-profiles' upsert (state/internal/profiles/pg-profiles.ts). */
export const PROFILE_UPSERT = 'insert into user_profiles';

export const scenario: Scenario = {
  id: 9,
  name: 'connection cut during a PostgreSQL commit',
  inShort: true,
  async run(ctx) {
    const cuts = ctx.short ? 4 : 12;
    for (let k = 0; k < cuts; k++) {
      await ctx.untilProgress(0.1 + (0.8 * k) / cuts);
      let timer: NodeJS.Timeout | undefined;
      const cut = ctx.proxies.postgres.cutAfter(PROFILE_UPSERT);
      await Promise.race([
        cut,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no profile upsert reached PostgreSQL within 60 s (cut ${k + 1})`)),
            60_000,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      ctx.log(`cut a connection after its profile upsert committed (${k + 1}/${cuts})`);
      ctx.faultEnded(`postgres connection cut during commit #${k + 1}`);
    }
  },
};

import { ProfileUpdate } from '../../model/index.ts';
import { defineJob, RetriableError } from '../../runtime/index.ts';
import type { ProfileSink, VersionedProfile } from '../../state/index.ts';

const BATCH = 500;

/**
 * `write-profiles`: `user-profile-updates` → Redis (snapshots the API reads) and PostgreSQL (durable
 * rows). Updates are coalesced per user in memory and written at each commit, in batches, before
 * the commit point (the processor's `flush`). Both sinks write only newer versions, so the batch a
 * crash makes the job write again changes nothing: the effect is exactly once.
 */
export function writeProfilesJob(opts: { namespace?: string; sinks: () => ProfileSink[] }) {
  const ns = opts.namespace ?? '';
  // One set of connections per worker, shared by its tasks, closed when the last task closes.
  let shared: ProfileSink[] | undefined;
  let open = 0;
  const sinks = () => (shared ??= opts.sinks());
  return defineJob({
    name: `${ns}write-profiles`,
    description: 'writes versioned profile snapshots to Redis and PostgreSQL',
    inputs: { updates: { topic: `${ns}user-profile-updates`, schema: ProfileUpdate } },
    processor: () => {
      const pending = new Map<string, VersionedProfile>();
      open++;
      return {
        async close() {
          if (--open > 0 || !shared) return;
          const s = shared;
          shared = undefined;
          await Promise.all(s.map((x) => x.close().catch(() => undefined)));
        },
        process(record) {
          const u = record.value;
          const prev = pending.get(u.userId);
          if (!prev || prev.version < u.version) pending.set(u.userId, u);
        },
        async flush() {
          if (pending.size === 0) return;
          const all = [...pending.values()];
          for (const sink of sinks()) {
            for (let i = 0; i < all.length; i += BATCH) {
              try {
                await sink.write(all.slice(i, i + BATCH));
              } catch (err) {
                // Unavailable sinks are retried with backoff by the runtime; the commit waits.
                throw new RetriableError(`${sink.name} write failed: ${(err as Error).message}`, {
                  cause: err,
                });
              }
            }
          }
          pending.clear();
        },
      };
    },
  });
}

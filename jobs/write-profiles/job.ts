import { ProfileUpdate } from '../../model/index.ts';
import { defineJob, RetriableError } from '../../runtime/index.ts';
import type { ProfileSink, VersionedProfile } from '../../state/index.ts';

const BATCH = 500;

/**
 * `write-profiles`: `user-profile-updates` → Redis (snapshots the API reads) and PostgreSQL (durable
 * rows). Updates are coalesced per user and sink, and written in batches in the background, so the
 * task's loop never waits on a sink between commits:
 *
 * - serving sinks (Redis) every `servingIntervalMs` (default 20 ms): a profile shows within
 *   milliseconds of its update whatever the commit interval;
 * - the other sinks (PostgreSQL) every `durableIntervalMs` (default 250 ms);
 * - at each commit, before the commit point (the processor's `flush`), whatever is still unwritten
 *   or failed in the background, with retries while a sink is down: the commit waits for it.
 *
 * Every sink writes only newer versions, so writing early, writing concurrently, or writing again
 * after a crash changes nothing: the effect is exactly once.
 */
export function writeProfilesJob(opts: {
  namespace?: string;
  sinks: () => ProfileSink[];
  commitIntervalMs?: number | undefined;
  servingIntervalMs?: number;
  durableIntervalMs?: number;
}) {
  const ns = opts.namespace ?? '';
  const servingIntervalMs = opts.servingIntervalMs ?? 20;
  const durableIntervalMs = opts.durableIntervalMs ?? 250;
  // One set of connections per worker, shared by its tasks, closed when the last task closes.
  let shared: ProfileSink[] | undefined;
  let open = 0;
  const sinks = () => (shared ??= opts.sinks());
  const keep = (m: Map<string, VersionedProfile>, u: VersionedProfile) => {
    const prev = m.get(u.userId);
    if (!prev || prev.version < u.version) m.set(u.userId, u);
  };
  const write = async (sink: ProfileSink, all: VersionedProfile[]) => {
    for (let i = 0; i < all.length; i += BATCH) await sink.write(all.slice(i, i + BATCH));
  };
  return defineJob({
    name: `${ns}write-profiles`,
    description: 'writes versioned profile snapshots to Redis and PostgreSQL',
    inputs: { updates: { topic: `${ns}user-profile-updates`, schema: ProfileUpdate } },
    commitIntervalMs: opts.commitIntervalMs,
    processor: () => {
      /** Per sink: the newest update per user not yet written, its background write, its last start. */
      let lanes: Array<{
        sink: ProfileSink;
        todo: Map<string, VersionedProfile>;
        inflight: Promise<void> | undefined;
        startedAt: number;
      }> = [];
      const start = (lane: (typeof lanes)[number]) => {
        const batch = [...lane.todo.values()];
        lane.todo.clear();
        lane.inflight = write(lane.sink, batch).then(
          () => {
            lane.inflight = undefined;
          },
          () => {
            // Back in the queue (unless newer updates came meanwhile); the commit retries it.
            for (const u of batch) keep(lane.todo, u);
            lane.inflight = undefined;
          },
        );
      };
      open++;
      return {
        init(ctx) {
          lanes = sinks().map((sink) => ({
            sink,
            todo: new Map(),
            inflight: undefined,
            startedAt: ctx.now(),
          }));
          ctx.schedule(servingIntervalMs, () => {
            const now = ctx.now();
            for (const lane of lanes) {
              if (lane.inflight || lane.todo.size === 0) continue;
              if (!lane.sink.serving && now - lane.startedAt < durableIntervalMs) continue;
              lane.startedAt = now;
              start(lane);
            }
          });
        },
        async close() {
          for (const l of lanes) if (l.inflight) await l.inflight;
          if (--open > 0 || !shared) return;
          const s = shared;
          shared = undefined;
          await Promise.all(s.map((x) => x.close().catch(() => undefined)));
        },
        process(record) {
          for (const lane of lanes) keep(lane.todo, record.value);
        },
        async flush() {
          for (const lane of lanes) {
            await lane.inflight;
            if (lane.todo.size === 0) continue;
            try {
              await write(lane.sink, [...lane.todo.values()]);
            } catch (err) {
              // Unavailable sinks are retried with backoff by the runtime; the commit waits.
              throw new RetriableError(`${lane.sink.name} write failed: ${(err as Error).message}`, {
                cause: err,
              });
            }
            lane.todo.clear();
          }
        },
      };
    },
  });
}

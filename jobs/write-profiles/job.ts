import { ProfileUpdate } from '../../model/index.ts';
import { defineJob, RetriableError } from '../../runtime/index.ts';
import type { ProfileSink, VersionedProfile } from '../../state/index.ts';

const BATCH = 500;
/** Not a generation id (those are UUIDs): marks a serving sink whose copy has not completed. */
const REBUILD_PENDING = '(rebuild pending)';

/** Per task and sink: the newest update per user not yet written, the background write, its last start. */
interface Lane {
  sink: ProfileSink;
  todo: Map<string, VersionedProfile>;
  inflight: Promise<void> | undefined;
  /** What the background write in flight carries. */
  writing: VersionedProfile[];
  startedAt: number;
}

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
 *
 * A serving sink that loses its data (Redis restarted without persistence, flushed) is rebuilt: once
 * per `rebuildCheckMs` (default 1 s) each worker reads the serving sink's generation (an id stored
 * in it, created when absent); when it changed, the worker copies into it the updates the durable
 * sink has not confirmed yet (what its lanes hold or are writing: the only ones that can be newer
 * than the durable copy), then every snapshot of the durable sink (PostgreSQL). Versioned writes
 * make the copy safe against concurrent updates and against several workers copying. Limit: until
 * every worker has copied, a user owned by another worker may show the durable sink's version, older
 * than the one Redis held if PostgreSQL was lagging when Redis lost its data.
 */
export function writeProfilesJob(opts: {
  namespace?: string;
  sinks: () => ProfileSink[];
  commitIntervalMs?: number | undefined;
  servingIntervalMs?: number;
  durableIntervalMs?: number;
  rebuildCheckMs?: number;
}) {
  const ns = opts.namespace ?? '';
  const servingIntervalMs = opts.servingIntervalMs ?? 20;
  const durableIntervalMs = opts.durableIntervalMs ?? 250;
  const rebuildCheckMs = opts.rebuildCheckMs ?? 1000;
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

  // Per worker: the lanes of its live tasks, and the generation of each serving sink (by name: the
  // sink objects are replaced when the last task closes, the store behind them is the same).
  const liveLanes = new Set<Lane[]>();
  const generations = new Map<string, string>();
  let lastCheck = Number.NEGATIVE_INFINITY;
  let checking: Promise<void> | undefined;

  const rebuild = async (serving: ProfileSink, durable: ProfileSink | undefined) => {
    // Taken first: whatever leaves these lanes from now on is in the durable sink before the scan reads it.
    const unconfirmed = new Map<string, VersionedProfile>();
    for (const lanes of liveLanes)
      for (const lane of lanes) {
        if (lane.sink.serving) continue;
        for (const u of lane.todo.values()) keep(unconfirmed, u);
        for (const u of lane.writing) keep(unconfirmed, u);
      }
    // The newest first: a durable row older than what the lanes hold then never shows, even briefly.
    await write(serving, [...unconfirmed.values()]);
    for (let after = ''; durable;) {
      const rows = await durable.scan!(after, 1000);
      if (rows.length === 0) break;
      await write(serving, rows);
      after = rows[rows.length - 1]!.userId;
    }
  };

  const checkServing = async () => {
    const all = sinks();
    const durable = all.find((s) => !s.serving && s.scan !== undefined);
    for (const sink of all) {
      if (!sink.serving || !sink.generation) continue;
      const g = await sink.generation();
      const known = generations.get(sink.name);
      // A worker that just started adopts the current generation unless it had to create it.
      if (known === g.id || (known === undefined && !g.created)) {
        generations.set(sink.name, g.id);
        continue;
      }
      // Until the copy completes, no generation matches: a copy cut short (the sink went down
      // again) is started over at the next check rather than adopted half done.
      generations.set(sink.name, REBUILD_PENDING);
      await rebuild(sink, durable);
      generations.set(sink.name, g.id);
    }
  };
  return defineJob({
    name: `${ns}write-profiles`,
    description: 'writes versioned profile snapshots to Redis and PostgreSQL',
    inputs: { updates: { topic: `${ns}user-profile-updates`, schema: ProfileUpdate } },
    commitIntervalMs: opts.commitIntervalMs,
    processor: () => {
      let lanes: Lane[] = [];
      const start = (lane: Lane) => {
        const batch = [...lane.todo.values()];
        lane.todo.clear();
        lane.writing = batch;
        lane.inflight = write(lane.sink, batch).then(
          () => {
            lane.inflight = undefined;
            lane.writing = [];
          },
          () => {
            // Back in the queue (unless newer updates came meanwhile); the commit retries it.
            for (const u of batch) keep(lane.todo, u);
            lane.inflight = undefined;
            lane.writing = [];
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
            writing: [],
            startedAt: ctx.now(),
          }));
          liveLanes.add(lanes);
          ctx.schedule(servingIntervalMs, () => {
            const now = ctx.now();
            if (!checking && now - lastCheck >= rebuildCheckMs) {
              lastCheck = now;
              // In the background; a sink that is down fails the check, which runs again later.
              checking = checkServing()
                .catch(() => undefined)
                .finally(() => (checking = undefined));
            }
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
          liveLanes.delete(lanes);
          if (--open > 0 || !shared) return;
          await checking;
          const s = shared;
          shared = undefined;
          await Promise.all(s.map((x) => x.close().catch(() => undefined)));
        },
        process(record) {
          for (const lane of lanes) keep(lane.todo, record.value);
        },
        async flush() {
          // Every sink is written even when another is down, so one outage does not hold the others back.
          let failure: RetriableError | undefined;
          for (const lane of lanes) {
            await lane.inflight;
            if (lane.todo.size === 0) continue;
            try {
              await write(lane.sink, [...lane.todo.values()]);
              lane.todo.clear();
            } catch (err) {
              // Unavailable sinks are retried with backoff by the runtime; the commit waits.
              failure ??= new RetriableError(`${lane.sink.name} write failed: ${(err as Error).message}`, {
                cause: err,
              });
            }
          }
          if (failure) throw failure;
        },
      };
    },
  });
}

/**
 * `pulse jobs replay`: reset a stopped job to re-process its inputs from an earlier point, with
 * empty state (see the comments on {@link replayJob} for how every worker's local state is discarded).
 */
import type { AnyJob } from '../api.ts';
import { createAdmin, ErrorCodes, type KafkaAdmin } from '../kafka.ts';
import {
  CLAIM_PREFIX,
  EPOCH_HEADER,
  checkpointKey,
  newestCheckpoint,
  type Checkpoint,
} from '../engine/checkpoint.ts';
import { TrackedProducer } from '../engine/kafka-io.ts';
import { changelogTopic, checkpointTopic } from '../engine/topics.ts';
import { JobAdminError } from './errors.ts';
import type { ReplayFrom } from './replay-from.ts';
import {
  describeGroup,
  inputTopicsOf,
  partitionCount,
  readCheckpoints,
  watermarks,
  type GroupInfo,
  type Watermarks,
} from './cluster.ts';
import { describeReplayFrom } from './replay-from.ts';

// -----------------------------------------------------------------------------------------------
// Replay

export interface ReplayPartitionPlan {
  partition: number;
  /** The committed checkpoint's epoch; the replay writes epoch + 1. */
  epoch: number | undefined;
  committed: Record<string, number | undefined>;
  target: Record<string, number>;
  /** Current end of each store's changelog partition. */
  changelogEnds: Record<string, number>;
}

export interface ReplayPlan {
  job: string;
  from: ReplayFrom;
  inputs: string[];
  stores: string[];
  partitions: ReplayPartitionPlan[];
  /** Partitions a `p:o` replay does not name: their checkpoint and state stay as they are. */
  unchanged: number[];
}

interface Prepared {
  plan: ReplayPlan;
  checkpoints: Map<number, Checkpoint[]>;
}

function refuseActive(job: string, group: GroupInfo, when = ''): void {
  if (group.members.length === 0) return;
  const who = group.members.map((m) => `${m.workerId ?? m.clientId} (${m.host})`).join(', ');
  throw new JobAdminError(
    `${job}: the consumer group has ${group.members.length} active member(s)${when}: ${who}. ` +
      "Stop the job's workers first (a killed worker stays a member until its session times out, " +
      '45 s by default).',
    'GROUP_ACTIVE',
  );
}

async function prepare(
  admin: KafkaAdmin,
  brokers: string[],
  job: AnyJob,
  from: ReplayFrom,
): Promise<Prepared> {
  refuseActive(job.name, await describeGroup(admin, job.name));
  const inputs = inputTopicsOf(job);
  const stores = Object.keys(job.stores);
  const partitions = await partitionCount(admin, job);
  const existing = new Set(await admin.listTopics());
  const internal = [checkpointTopic(job.name), ...stores.map((s) => changelogTopic(job.name, s))];
  const missing = internal.filter((t) => !existing.has(t));
  if (missing.length)
    throw new JobAdminError(
      `${job.name}: ${missing.join(', ')} do(es) not exist; the job has never run, so there is nothing to replay ` +
        '(its first worker starts from the earliest input anyway)',
      'JOB_NOT_DEPLOYED',
    );

  let affected = Array.from({ length: partitions }, (_, p) => p);
  if (from.kind === 'offsets') {
    if (inputs.length > 1)
      throw new JobAdminError(
        `${job.name} reads ${inputs.length} topics; partition:offset is ambiguous, use earliest or a time`,
        'REPLAY_FROM_INVALID',
      );
    const unknown = [...from.offsets.keys()].filter((p) => p >= partitions);
    if (unknown.length)
      throw new JobAdminError(
        `${job.name}: partition(s) ${unknown.join(', ')} do not exist (the inputs have ${partitions})`,
        'REPLAY_FROM_INVALID',
      );
    affected = [...from.offsets.keys()].sort((a, b) => a - b);
  }

  // Targets per input topic and partition.
  const targets = new Map<string, Map<number, number>>();
  for (const t of inputs) {
    const w = await watermarks(admin, t);
    const m = new Map<number, number>();
    if (from.kind === 'earliest') for (const [p, x] of w) m.set(p, x.low);
    else if (from.kind === 'time') {
      // The first offset whose timestamp is >= ms; the end of the partition when there is none.
      for (const o of await admin.fetchTopicOffsetsByTimestamp(t, from.ms, {
        timeout: 10_000,
        isolationLevel: 0,
      }))
        m.set(o.partition, Math.max(Number(o.offset), w.get(o.partition)?.low ?? 0));
    } else {
      for (const [p, o] of from.offsets) {
        const x = w.get(p) ?? { low: 0, high: 0 };
        if (o < x.low || o > x.high)
          throw new JobAdminError(
            `${t}/${p}: offset ${o} is outside the retained range ${x.low}..${x.high}`,
            'REPLAY_FROM_INVALID',
          );
        m.set(p, o);
      }
    }
    targets.set(t, m);
  }

  const changelogEnds = new Map<string, Watermarks>();
  for (const s of stores) changelogEnds.set(s, await watermarks(admin, changelogTopic(job.name, s)));
  const checkpoints = await readCheckpoints(admin, brokers, job.name);

  const plan: ReplayPlan = {
    job: job.name,
    from,
    inputs,
    stores,
    partitions: affected.map((p) => {
      const cp = newestCheckpoint(checkpoints.get(p) ?? []);
      return {
        partition: p,
        epoch: cp?.epoch,
        committed: Object.fromEntries(inputs.map((t) => [t, cp?.offsets[t]])),
        target: Object.fromEntries(inputs.map((t) => [t, targets.get(t)?.get(p) ?? 0])),
        changelogEnds: Object.fromEntries(stores.map((s) => [s, changelogEnds.get(s)?.get(p)?.high ?? 0])),
      };
    }),
    unchanged: Array.from({ length: partitions }, (_, p) => p).filter((p) => !affected.includes(p)),
  };
  return { plan, checkpoints };
}

/** What {@link replayJob} would do now (also refuses, like it, while the job's workers run). */
export async function planReplay(job: AnyJob, brokers: string[], from: ReplayFrom): Promise<ReplayPlan> {
  const admin = createAdmin(brokers);
  await admin.connect();
  try {
    return (await prepare(admin, brokers, job, from)).plan;
  } finally {
    await admin.disconnect();
  }
}

const isCode = (err: unknown, code: number): boolean => (err as { code?: unknown } | null)?.code === code;

/**
 * Resets a stopped job so that it re-processes its inputs from `from` with empty state (like
 * kafka-streams-application-reset, but through the job's own commit protocol).
 *
 * Per affected partition, as one more claim in the epoch history:
 *   1. a claim marker for epoch = committed epoch + 1 into each store's changelog partition; the
 *      offset after it becomes the store's new `base` (state starts empty there);
 *   2. a checkpoint with that epoch: input offsets = the targets, changelog end = base = the end
 *      after the marker, the claim appended, worker 'replay'. Acknowledged by the broker, this is
 *      the commit point of the replay.
 * Then the changelog records below the bases are deleted where the broker allows it (it refuses
 * DeleteRecords on compact-only topics, which changelogs are; restores start at the base anyway),
 * and the consumer group is deleted so its monitoring offsets do not contradict the checkpoints.
 *
 * Local state on the workers needs no action: on its next start a task finds local state that
 * ends at or before the old changelog end, which is below the new base, and `judgeLocal()` wipes
 * it ("local state predates the reset"); the restore then reads from the base, i.e. nothing. The
 * marker is what makes the base strictly greater than any local changelog end: a worker stopped
 * cleanly records exactly the old high watermark, which `judgeLocal()` would still trust.
 *
 * Outputs are not touched: downstream readers see the results emitted again.
 */
export async function replayJob(
  job: AnyJob,
  brokers: string[],
  from: ReplayFrom,
  log: (line: string) => void = () => undefined,
): Promise<ReplayPlan> {
  const admin = createAdmin(brokers);
  await admin.connect();
  const producer = new TrackedProducer(brokers, `pulse-admin.${job.name}.replay`);
  try {
    const { plan, checkpoints } = await prepare(admin, brokers, job, from);
    await producer.connect();
    log(
      `${job.name}: replaying ${plan.partitions.length} partition(s) from ${describeReplayFrom(from)}` +
        (plan.unchanged.length ? `; partitions ${plan.unchanged.join(',')} unchanged` : ''),
    );
    const bases = new Map<string, Array<{ partition: number; offset: number }>>();
    const written = new Map<number, Checkpoint>();
    for (const pp of plan.partitions) {
      const p = pp.partition;
      const prev = newestCheckpoint(checkpoints.get(p) ?? []);
      const epoch = (prev?.epoch ?? 0) + 1;
      const now = Date.now();
      const base: Record<string, number> = {};
      for (const store of plan.stores) {
        const marker = await producer.send({
          topic: changelogTopic(job.name, store),
          partition: p,
          key: `${CLAIM_PREFIX}${epoch}`,
          value: JSON.stringify({ epoch, worker: 'replay', time: now }),
          headers: { [EPOCH_HEADER]: String(epoch) },
        });
        base[store] = marker + 1;
        let list = bases.get(store);
        if (!list) bases.set(store, (list = []));
        list.push({ partition: p, offset: marker + 1 });
      }
      const cp: Checkpoint = {
        v: 1,
        job: job.name,
        partition: p,
        epoch,
        offsets: { ...(prev?.offsets ?? {}), ...pp.target },
        changelogs: { ...base },
        base: { ...base },
        claims: [...(prev?.claims ?? []), { epoch, ends: { ...base } }].slice(-50),
        worker: 'replay',
        time: now,
      };
      await producer.send({
        topic: checkpointTopic(job.name),
        partition: p,
        key: checkpointKey(p, epoch),
        value: JSON.stringify(cp),
      });
      written.set(p, cp);
      const moves = plan.inputs
        .map((t) => `${t} ${pp.committed[t] ?? 'earliest'} -> ${pp.target[t]}`)
        .join(', ');
      const stores = plan.stores.map((s) => `${s} base ${base[s]}`).join(', ');
      log(`  partition ${p}: ${moves}; epoch ${prev?.epoch ?? '-'} -> ${epoch}; ${stores || 'no stores'}`);
    }

    // A worker that started meanwhile may have claimed (or may yet commit) over the replay.
    const after = await readCheckpoints(admin, brokers, job.name);
    for (const [p, cp] of written) {
      const now = newestCheckpoint(after.get(p) ?? []);
      if (!now || now.epoch !== cp.epoch || now.worker !== 'replay' || now.time !== cp.time)
        throw new JobAdminError(
          `${job.name}: partition ${p} was claimed by ${now?.worker ?? '?'} during the replay; ` +
            'stop all workers and replay again',
          'REPLAY_CONFLICT',
        );
    }
    refuseActive(job.name, await describeGroup(admin, job.name), ' (joined during the replay; replay again)');

    for (const [store, list] of bases) {
      const topic = changelogTopic(job.name, store);
      try {
        await admin.deleteTopicRecords({
          topic,
          partitions: list.map((b) => ({ partition: b.partition, offset: String(b.offset) })),
        });
        log(`  ${topic}: records below the new base deleted`);
      } catch (err) {
        const perPartition = (err as { partitions?: Array<{ error?: unknown }> }).partitions ?? [];
        const policy = perPartition.some((x) => isCode(x.error, ErrorCodes.ERR_POLICY_VIOLATION));
        log(
          policy
            ? `  ${topic}: the broker refuses DeleteRecords on compact-only topics; the old records stay ` +
                'until compaction replaces them, and restores skip them (they start at the base)'
            : `  ${topic}: deleting records below the base failed (${(err as Error).message}); ` +
                'harmless, restores start at the base',
        );
      }
    }

    try {
      await admin.deleteGroups([job.name]);
      log(`  consumer group ${job.name} deleted`);
    } catch (err) {
      const groups = (err as { groups?: Array<{ error?: unknown }> }).groups ?? [];
      if (groups.some((g) => isCode(g.error, ErrorCodes.ERR_NON_EMPTY_GROUP)))
        throw new JobAdminError(
          `${job.name}: a worker joined the group during the replay; stop all workers and replay again`,
          'REPLAY_CONFLICT',
        );
      if (!groups.some((g) => isCode(g.error, ErrorCodes.ERR_GROUP_ID_NOT_FOUND))) throw err;
      log(`  consumer group ${job.name}: none to delete`);
    }
    log(`${job.name}: replay committed; start the workers to re-process (local state is discarded on start)`);
    return plan;
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

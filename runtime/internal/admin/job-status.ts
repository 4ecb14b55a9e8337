/**
 * `pulse jobs status`: where each task stands, read from the job's truth (its `<job>-checkpoints`
 * topic) rather than the group's offsets, with restore progress and state size from the owner.
 */
import type { AnyJob } from '../api.ts';
import { createAdmin } from '../kafka.ts';
import { newestCheckpoint, type Checkpoint } from '../engine/checkpoint.ts';
import { checkpointTopic } from '../engine/topics.ts';
import {
  describeGroup,
  fetchWorkerStatus,
  inputTopicsOf,
  partitionCount,
  readCheckpoints,
  watermarks,
  type GroupInfo,
  type GroupMember,
  type Watermarks,
  type WorkerStatus,
} from './cluster.ts';

// -----------------------------------------------------------------------------------------------
// Status

export interface TaskOwner {
  worker: string;
  /**
   * 'group': owns the partition now; 'assigning': nobody owns it yet, the coordinator is moving it to
   * this member (KIP-848 target assignment); 'last-committer': no member has it, this worker (or
   * 'replay') wrote the committed checkpoint.
   */
  source: 'group' | 'assigning' | 'last-committer';
  host?: string | undefined;
  statusPort?: number | undefined;
  clientId?: string | undefined;
}

export interface PartitionStatus {
  partition: number;
  /** Next input offset per input topic in the committed checkpoint (absent: none yet, starts at the earliest). */
  committed: Record<string, number | undefined>;
  /** High watermark per input topic. */
  end: Record<string, number>;
  /** Records not yet covered by the checkpoint, over all inputs. */
  lag: number;
  epoch: number | undefined;
  owner: TaskOwner | undefined;
  /** From the owner's /status; undefined when it could not be asked. */
  task:
    | {
        state: string;
        epoch: number;
        restore: { store: string; done: number; total: number } | undefined;
        /** Approximate bytes on disk per store (RocksDB's estimate: unflushed memtables are not counted). */
        stateBytes: Record<string, number>;
      }
    | undefined;
}

export interface JobStatus {
  job: string;
  inputs: string[];
  stores: string[];
  group: GroupInfo;
  partitions: PartitionStatus[];
}

/**
 * Where every task of a job stands: committed checkpoint vs. end of input, epoch, owner, and — asked
 * of the owning worker — state size and restore progress. Unreachable workers leave those unknown.
 */
export async function jobStatus(
  job: AnyJob,
  brokers: string[],
  opts: { httpTimeoutMs?: number } = {},
): Promise<JobStatus> {
  const inputs = inputTopicsOf(job);
  const admin = createAdmin(brokers);
  await admin.connect();
  let partitions: number;
  let ends: Map<string, Watermarks>;
  let checkpoints: Map<number, Checkpoint[]>;
  let group: GroupInfo;
  try {
    partitions = await partitionCount(admin, job);
    ends = new Map(await Promise.all(inputs.map(async (t) => [t, await watermarks(admin, t)] as const)));
    const hasCheckpoints = (await admin.listTopics()).includes(checkpointTopic(job.name));
    checkpoints = hasCheckpoints
      ? await readCheckpoints(admin, brokers, job.name)
      : new Map<number, Checkpoint[]>();
    group = await describeGroup(admin, job.name);
  } finally {
    await admin.disconnect();
  }

  const ownerOf = new Map<number, GroupMember>();
  const targetOf = new Map<number, GroupMember>();
  for (const m of group.members) {
    for (const tp of m.partitions)
      if (inputs.includes(tp.topic) && !ownerOf.has(tp.partition)) ownerOf.set(tp.partition, m);
    for (const tp of m.targetPartitions)
      if (inputs.includes(tp.topic) && !targetOf.has(tp.partition)) targetOf.set(tp.partition, m);
  }

  // One /status request per reachable owner.
  const statuses = new Map<string, Promise<WorkerStatus | undefined>>();
  for (const m of new Set(ownerOf.values())) {
    if (m.workerId !== undefined && m.statusPort !== undefined)
      statuses.set(
        m.memberId,
        fetchWorkerStatus(m.host, m.statusPort, m.workerId, opts.httpTimeoutMs ?? 2000),
      );
  }

  const rows: PartitionStatus[] = [];
  for (let p = 0; p < partitions; p++) {
    const cp = newestCheckpoint(checkpoints.get(p) ?? []);
    const committed: Record<string, number | undefined> = {};
    const end: Record<string, number> = {};
    let lag = 0;
    for (const t of inputs) {
      const w = ends.get(t)?.get(p) ?? { low: 0, high: 0 };
      committed[t] = cp?.offsets[t];
      end[t] = w.high;
      // No committed offset: the task starts at the earliest retained record.
      lag += Math.max(0, w.high - Math.max(cp?.offsets[t] ?? w.low, w.low));
    }
    const m = ownerOf.get(p);
    const target = m ? undefined : targetOf.get(p);
    let owner: TaskOwner | undefined;
    const member = m ?? target;
    if (member)
      owner = {
        worker: member.workerId ?? member.clientId,
        source: m ? 'group' : 'assigning',
        host: member.host,
        statusPort: member.statusPort,
        clientId: member.clientId,
      };
    else if (cp?.worker) owner = { worker: cp.worker, source: 'last-committer' };
    const ws = m ? await statuses.get(m.memberId) : undefined;
    const t = ws?.jobs.find((j) => j.job === job.name)?.tasks.find((x) => x.partition === p);
    rows.push({
      partition: p,
      committed,
      end,
      lag,
      epoch: cp?.epoch,
      owner,
      task: t
        ? { state: t.state, epoch: t.epoch, restore: t.restore ?? undefined, stateBytes: t.stateBytes ?? {} }
        : undefined,
    });
  }
  return { job: job.name, inputs, stores: Object.keys(job.stores), group, partitions: rows };
}

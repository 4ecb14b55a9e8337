/**
 * What operator tools read from the cluster: group members (a worker's Kafka client.id is
 * `<job>.<worker>@<status port>`, so its HTTP /status can be asked), watermarks and checkpoints.
 */
import { z } from 'zod';
import type { AnyJob } from '../api.ts';
import { createAdmin, ErrorCodes, type KafkaAdmin } from '../kafka.ts';
import { parseCheckpoint, type Checkpoint } from '../engine/checkpoint.ts';
import { ReaderConsumer } from '../engine/kafka-io.ts';
import { checkpointTopic } from '../engine/topics.ts';
import { JobAdminError } from './errors.ts';

// -----------------------------------------------------------------------------------------------
// Group members and worker discovery

/** Parses `<job>.<worker>@<port>` (the port is absent for runners started without a worker). */
export function parseClientId(
  job: string,
  clientId: string,
): { workerId: string; port?: number } | undefined {
  if (!clientId.startsWith(`${job}.`)) return undefined;
  const rest = clientId.slice(job.length + 1);
  const at = rest.lastIndexOf('@');
  if (at < 0) return { workerId: rest };
  const port = Number(rest.slice(at + 1));
  if (!/^\d+$/.test(rest.slice(at + 1)) || port < 1 || port > 65535) return { workerId: rest };
  return { workerId: rest.slice(0, at), port };
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  /** As the broker saw the connection (the leading "/" of the Java InetAddress form removed). */
  host: string;
  workerId: string | undefined;
  statusPort: number | undefined;
  /** What the member owns now. */
  partitions: Array<{ topic: string; partition: number }>;
  /** KIP-848 only: where the coordinator is moving the member (differs while it reconciles). */
  targetPartitions: Array<{ topic: string; partition: number }>;
}

export interface GroupInfo {
  state: string;
  /** 'consumer' (KIP-848) or 'classic'. */
  type: string;
  members: GroupMember[];
}

export const GROUP_STATES = [
  'unknown',
  'preparing-rebalance',
  'completing-rebalance',
  'stable',
  'dead',
  'empty',
];
export const GROUP_TYPES = ['unknown', 'consumer', 'classic'];

export async function describeGroup(admin: KafkaAdmin, job: string): Promise<GroupInfo> {
  const { groups } = await admin.describeGroups([job]);
  const g = groups.find((x) => x.groupId === job);
  if (!g) return { state: 'dead', type: 'unknown', members: [] };
  if (g.error && g.error.code !== ErrorCodes.ERR_GROUP_ID_NOT_FOUND)
    throw new JobAdminError(`describing group ${job}: ${g.error.message}`, 'GROUP_DESCRIBE_FAILED');
  const type = GROUP_TYPES[g.type] ?? String(g.type);
  // The client's state enum predates KIP-848: its Assigning and Reconciling states come back as UNKNOWN.
  const state =
    Number(g.state) === 0 && type === 'consumer' ? 'assigning/reconciling' : GROUP_STATES[g.state];
  const tps = (a: { topicPartitions?: Array<{ topic: string; partition: number }> } | undefined) =>
    (a?.topicPartitions ?? []).map((tp) => ({ topic: tp.topic, partition: tp.partition }));
  return {
    state: state ?? String(g.state),
    type,
    members: g.members.map((m) => {
      const id = parseClientId(job, m.clientId);
      return {
        memberId: m.memberId,
        clientId: m.clientId,
        host: m.clientHost.replace(/^\//, ''),
        workerId: id?.workerId,
        statusPort: id?.port,
        // With KIP-848 groups `assignment` is what the member currently owns (`targetAssignment` is
        // where the coordinator is moving it); classic groups decode the same field from the
        // consumer protocol's member assignment.
        partitions: tps(m.assignment),
        targetPartitions: tps(m.targetAssignment),
      };
    }),
  };
}

export const WorkerStatusSchema = z.object({
  worker: z.string(),
  jobs: z.array(
    z.object({
      job: z.string(),
      tasks: z.array(
        z.object({
          partition: z.number(),
          state: z.string(),
          epoch: z.number(),
          restore: z.object({ store: z.string(), done: z.number(), total: z.number() }).nullish(),
          stateBytes: z.record(z.string(), z.number()).optional(),
        }),
      ),
    }),
  ),
});
export type WorkerStatus = z.infer<typeof WorkerStatusSchema>;

/** GET http://host:port/status; undefined when unreachable, slow, or another worker answers. */
export async function fetchWorkerStatus(
  host: string,
  port: number,
  workerId: string,
  timeoutMs: number,
): Promise<WorkerStatus | undefined> {
  const h = host.includes(':') ? `[${host}]` : host;
  try {
    const res = await fetch(`http://${h}:${port}/status`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const parsed = WorkerStatusSchema.safeParse(await res.json());
    return parsed.success && parsed.data.worker === workerId ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

// -----------------------------------------------------------------------------------------------
// Reading checkpoints and offsets

export const inputTopicsOf = (job: AnyJob): string[] => [
  ...new Set(Object.values(job.inputs).map((i) => i.topic)),
];

export type Watermarks = Map<number, { low: number; high: number }>;

export async function watermarks(
  admin: KafkaAdmin,
  topic: string,
  committedOnly = false,
): Promise<Watermarks> {
  const offs = await admin.fetchTopicOffsets(topic, {
    timeout: 10_000,
    isolationLevel: committedOnly ? 1 : 0,
  });
  return new Map(offs.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
}

/** Every parsed checkpoint record per partition of `<job>-checkpoints`. */
export async function readCheckpoints(
  admin: KafkaAdmin,
  brokers: string[],
  job: string,
): Promise<Map<number, Checkpoint[]>> {
  const topic = checkpointTopic(job);
  // Read committed: exactly-once jobs write checkpoints in transactions. The upper bound is the
  // last stable offset, so an open transaction cannot make the read wait.
  const marks = await watermarks(admin, topic, true);
  const out = new Map<number, Checkpoint[]>();
  const reader = new ReaderConsumer(brokers, `pulse-admin.${job}.${process.pid}`, 'read_committed');
  await reader.connect();
  try {
    for (const [partition, w] of [...marks].sort((a, b) => a[0] - b[0])) {
      const all: Checkpoint[] = [];
      await reader.readRange({ topic, partition }, w.low, w.high, (msgs) => {
        for (const m of msgs) {
          const c = parseCheckpoint(m.value);
          if (c && c.partition === partition) all.push(c);
        }
      });
      out.set(partition, all);
    }
  } finally {
    await reader.disconnect();
  }
  return out;
}

export async function partitionCount(admin: KafkaAdmin, job: AnyJob): Promise<number> {
  const inputs = inputTopicsOf(job);
  const existing = new Set(await admin.listTopics());
  const missing = inputs.filter((t) => !existing.has(t));
  if (missing.length)
    throw new JobAdminError(
      `${job.name}: input topic(s) ${missing.join(', ')} do not exist (has the job been deployed?)`,
      'JOB_NOT_DEPLOYED',
    );
  const meta = await admin.fetchTopicMetadata({ topics: inputs });
  return Math.max(...meta.map((m) => m.partitions.length));
}

/** The jobs whose input topics and checkpoint topic exist (i.e. that have run on this cluster). */
export async function existingJobs(jobs: AnyJob[], brokers: string[]): Promise<AnyJob[]> {
  const admin = createAdmin(brokers);
  await admin.connect();
  try {
    const topics = new Set(await admin.listTopics());
    return jobs.filter(
      (j) => topics.has(checkpointTopic(j.name)) && inputTopicsOf(j).every((t) => topics.has(t)),
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reading a job's own records of where its tasks stand, for scenarios that check them: the
 * `<job>-checkpoints` topic (every checkpoint and claim, with its epoch and writer) and the epochs
 * that tag a store's changelog records. The format is the runtime's (runtime/internal/engine/
 * checkpoint.ts); only the fields the suite reads are parsed, anything else passes.
 */
import { z } from 'zod';
import { checkpointTopic, ReaderConsumer, writerEpoch } from '../runtime/index.ts';

const CheckpointFields = z.object({
  partition: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative(),
  offsets: z.record(z.string(), z.number().int()),
  worker: z.string().default(''),
  time: z.number().default(0),
});

/** One record of a checkpoint topic, at its offset. */
export type CheckpointEntry = z.infer<typeof CheckpointFields> & { offset: number };

/** The runtime's claim-marker key prefix. */
export const CLAIM_PREFIX = '\u0000claim:';

export interface ChangelogEntry {
  offset: number;
  epoch: number | undefined;
  /** The epoch a claim marker claims (undefined for a data record). */
  claim: number | undefined;
}

async function readAll<T>(
  brokers: string[],
  topic: string,
  partitions: readonly number[],
  parse: (m: {
    offset: number;
    key: Buffer | null;
    value: Buffer | null;
    headers?: Array<Record<string, unknown>>;
  }) => T | undefined,
): Promise<Map<number, T[]>> {
  const reader = new ReaderConsumer(brokers, `chaos-read-${process.pid}-${Date.now()}`, 'read_committed');
  await reader.connect();
  const out = new Map<number, T[]>();
  try {
    for (const p of partitions) {
      const tp = { topic, partition: p };
      const { low, high } = await reader.watermarks(tp);
      const list: T[] = [];
      await reader.readRange(tp, low, high, (msgs) => {
        for (const m of msgs) {
          const v = parse({
            offset: m.offset,
            key: (m.key as Buffer | null | undefined) ?? null,
            value: m.value ?? null,
            headers: m.headers,
          });
          if (v !== undefined) list.push(v);
        }
      });
      out.set(p, list);
    }
  } finally {
    await reader.disconnect();
  }
  return out;
}

/** Every committed record of `job`'s checkpoint topic, per partition, in offset order. */
export function readCheckpointLog(
  brokers: string[],
  job: string,
  partitions: readonly number[],
): Promise<Map<number, CheckpointEntry[]>> {
  return readAll(brokers, checkpointTopic(job), partitions, (m) => {
    if (!m.value) return undefined;
    try {
      const r = CheckpointFields.safeParse(JSON.parse(m.value.toString('utf8')));
      return r.success ? { ...r.data, offset: m.offset } : undefined;
    } catch {
      return undefined;
    }
  });
}

/** The committed checkpoint of a partition: the last record of the highest epoch (as the runtime picks it). */
export function committedCheckpoint(entries: readonly CheckpointEntry[]): CheckpointEntry | undefined {
  let best: CheckpointEntry | undefined;
  for (const c of entries) if (!best || c.epoch >= best.epoch) best = c;
  return best;
}

/** Epoch tags and claim markers of a changelog topic's records, per partition, in offset order. */
export function readChangelogEpochs(
  brokers: string[],
  topic: string,
  partitions: readonly number[],
): Promise<Map<number, ChangelogEntry[]>> {
  return readAll(brokers, topic, partitions, (m) => {
    const key = m.key?.toString() ?? '';
    return {
      offset: m.offset,
      // A value's frame carries its writer's epoch; tombstones and claim markers carry a header.
      epoch: writerEpoch(m),
      claim: key.startsWith(CLAIM_PREFIX) ? Number(key.slice(CLAIM_PREFIX.length)) : undefined,
    };
  });
}

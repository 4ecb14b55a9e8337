import type { AnyJob } from '../api.ts';
import { createAdmin } from '../kafka.ts';

export const changelogTopic = (job: string, store: string): string => `${job}-${store}-changelog`;
export const checkpointTopic = (job: string): string => `${job}-checkpoints`;
export const deadLetterTopic = (job: string): string => `${job}.dlq`;

/** Changelogs keep a key's committed value at least this long before compaction may drop it. */
export const CHANGELOG_MIN_COMPACTION_LAG_MS = 24 * 60 * 60 * 1000;

export class TopologyError extends Error {
  readonly code = 'TOPOLOGY_INVALID';
  readonly retriable = false;
}

/**
 * Checks the job's inputs exist and are co-partitioned, then creates (idempotently) its outputs,
 * dead-letter topic, store changelogs and checkpoint topic with the input's partition count.
 * Returns that partition count.
 */
export async function ensureTopics(
  job: AnyJob,
  brokers: string[],
  /**
   * Wait for missing inputs instead of failing: a job deployed before the job (or producer) that
   * creates its input starts when the topic appears. `stopped()` ends the wait.
   */
  wait?: { log: { warn(msg: string, fields?: Record<string, unknown>): void }; stopped: () => boolean },
): Promise<number> {
  const admin = createAdmin(brokers);
  await admin.connect();
  try {
    const inputs = Object.values(job.inputs).map((i) => i.topic);
    let lastLog = 0;
    let existing: Set<string>;
    for (;;) {
      existing = new Set(await admin.listTopics());
      const missing = inputs.filter((t) => !existing.has(t));
      if (missing.length === 0) break;
      if (!wait || wait.stopped())
        throw new TopologyError(`${job.name}: input topic(s) ${missing.join(', ')} do not exist`);
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        wait.log.warn('waiting for input topic(s) to be created', { job: job.name, missing });
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const meta = await admin.fetchTopicMetadata({ topics: inputs });
    const counts = new Map(meta.map((m) => [m.name, m.partitions.length]));
    const distinct = new Set(counts.values());
    if (distinct.size !== 1) {
      throw new TopologyError(
        `${job.name}: inputs are not co-partitioned (${[...counts].map(([t, n]) => `${t}=${n}`).join(', ')})`,
      );
    }
    const partitions = [...distinct][0]!;

    const wanted: Array<{
      topic: string;
      numPartitions: number;
      configEntries: Array<{ name: string; value: string }>;
      exact: boolean;
    }> = [];
    for (const o of Object.values(job.outputs)) {
      wanted.push({
        topic: o.topic,
        numPartitions: o.partitions ?? partitions,
        configEntries: Object.entries(o.config ?? {}).map(([name, value]) => ({ name, value })),
        exact: false,
      });
    }
    wanted.push({
      topic: deadLetterTopic(job.name),
      numPartitions: partitions,
      configEntries: [],
      exact: false,
    });
    const compacted = [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'min.compaction.lag.ms', value: String(CHANGELOG_MIN_COMPACTION_LAG_MS) },
      { name: 'segment.bytes', value: String(64 * 1024 * 1024) },
    ];
    for (const s of Object.keys(job.stores)) {
      wanted.push({
        topic: changelogTopic(job.name, s),
        numPartitions: partitions,
        configEntries: compacted,
        exact: true,
      });
    }
    wanted.push({
      topic: checkpointTopic(job.name),
      numPartitions: partitions,
      configEntries: compacted,
      exact: true,
    });

    const toCreate = wanted.filter((w) => !existing.has(w.topic));
    if (toCreate.length) {
      try {
        await admin.createTopics({
          topics: toCreate.map((w) => ({
            topic: w.topic,
            numPartitions: w.numPartitions,
            replicationFactor: -1,
            configEntries: w.configEntries,
          })),
        });
      } catch (err) {
        // Another worker may have created them at the same moment.
        if (!/already exists/i.test((err as Error).message)) throw err;
      }
    }
    const internal = wanted.filter((w) => w.exact).map((w) => w.topic);
    // Freshly created topics can take a moment to appear in metadata.
    let internalMeta: Awaited<ReturnType<typeof admin.fetchTopicMetadata>> = [];
    for (let attempt = 0; ; attempt++) {
      try {
        internalMeta = await admin.fetchTopicMetadata({ topics: internal });
        break;
      } catch (err) {
        if (attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    for (const m of internalMeta) {
      if (m.partitions.length !== partitions) {
        throw new TopologyError(
          `${job.name}: ${m.name} has ${m.partitions.length} partitions but the inputs have ${partitions}; ` +
            'state cannot follow its partition. Reset the job (pulse jobs replay) after changing input partitions.',
        );
      }
    }
    return partitions;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Contracts between `pulse bench compare` (bench/compare/index.ts) and the systems it measures.
 * Every system reads the same pre-produced topics of one run (same broker, same partitions) and,
 * for the stateful ones, writes the same output topics, so one harness measures them all alike.
 */

/** The topics of one compare run; every name already carries the run's prefix. */
export interface CompareTopics {
  /** `raw-user-events`: UserEvent JSON keyed by userId, `partitions` partitions, pre-produced. */
  raw: string;
  /** `events-catalog`: CatalogEvent JSON keyed by event id, 1 partition, compacted, pre-produced. */
  catalog: string;
  /** `enriched-events`: EnrichedEvent JSON keyed by userId (written by the enrich stage). */
  enriched: string;
  /** `user-profile-updates`: ProfileUpdate JSON keyed by userId; created with LogAppendTime. */
  updates: string;
}

export type Guarantee = 'at_least_once' | 'exactly_once';

/** A stateful system (ours or Kafka Streams) running the enrich + aggregate topology. */
export interface StatefulLaunchOptions {
  /** Repository root. */
  root: string;
  brokers: string[];
  topics: CompareTopics;
  partitions: number;
  /** Consumer group / application id of this launch (unique per measured configuration). */
  appId: string;
  /** Worker processes (ours) or stream threads (Kafka Streams). */
  parallelism: number;
  guarantee: Guarantee;
  commitIntervalMs: number;
  /** Local state directory, empty for a fresh instance. */
  stateDir: string;
  /** Where to write the process logs. */
  logDir: string;
  /** Extra JVM / node flags (e.g. --cpu-prof). */
  extraArgs?: string[];
}

/** A launched stateful system. */
export interface StatefulSystem {
  /** OS process ids whose CPU time and RSS are the system's (the broker's are not). */
  pids(): number[];
  /** Consumer groups whose committed offsets show progress: `[group, topic]` pairs. */
  progressGroups: Array<{ group: string; topic: string }>;
  /** Changelog topics of the profile store (for restore MB/s). */
  changelogTopics: string[];
  /** Resolves once every task is running (state restored); rejects if the system dies first. */
  waitRunning(timeoutMs: number): Promise<void>;
  /** Graceful stop (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

/** A ceiling: a process that consumes a fixed number of records and reports on itself. */
export interface CeilingResult {
  name: string;
  records: number;
  /** Seconds from the first record to the last (the loop's own clock). */
  seconds: number;
  eventsPerSec: number;
  /** User + system CPU seconds of the process over the same span (null if not measurable). */
  cpuSeconds: number | null;
  peakRssBytes: number | null;
}

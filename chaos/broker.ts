/**
 * Kill -9 and restart of the stack's Kafka broker, with the stack's own functions (`cli/stack/`):
 * the broker must be one that `pulse stack up` started (its PID is in `<stackDir>/kafka/kafka.pid`);
 * a broker the stack only found (Docker, a remote cluster, another user's) cannot be killed from
 * here, and {@link BrokerControl.kill} says so instead of pretending.
 *
 * `start()` returns only once the restarted broker also coordinates groups again (every partition
 * of `__consumer_offsets` loaded). Until then an admin client's `fetchOffsets` gets NOT_COORDINATOR,
 * and librdkafka 2.15.1 answers that in an admin client by queueing a coordinator query on the
 * consumer group handle the admin client does not have: a null dereference that kills the process
 * (SIGSEGV in `rd_kafka_cgrp_op` from `rd_kafka_handle_OffsetFetch`, seen with a core dump;
 * confluentinc/confluent-kafka-javascript#374). The chaos harness reads group offsets with an admin
 * client to measure recovery, so it must not ask early. The check itself asks with consumers (which
 * have a group handle), one group per `__consumer_offsets` partition: the admin client's
 * `describeGroups` is no way to ask either, as the binding dereferences the null fields of a group
 * that failed (SIGSEGV in `FromConsumerGroupDescription`, also seen while the broker started).
 */
import path from 'node:path';
import { loadConfig, type AppConfig } from '../cli/config.ts';
import { kafkaService } from '../cli/stack/kafka.ts';
import { isPortOpen, pidAlive, readPid, waitUntil } from '../cli/stack/process.ts';
import { createAdmin, probeKafka, ReaderConsumer } from '../runtime/index.ts';

export interface BrokerControl {
  /** SIGKILL of the broker process; resolves once it is gone and its port is closed. */
  kill(): Promise<void>;
  /**
   * Starts the broker (no-op if it runs) and resolves once it answers metadata requests and the
   * group coordinator answers for every partition of `__consumer_offsets`.
   */
  start(): Promise<void>;
  /** PID of the running broker the stack started, if any. */
  pid(): number | undefined;
}

/** How long a restarted broker may take to answer metadata (log recovery after a kill -9 included). */
const START_TIMEOUT_MS = 120_000;

/** Java's `String.hashCode`, as Kafka uses it to place a group on a `__consumer_offsets` partition. */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The `__consumer_offsets` partition that coordinates `groupId` (Kafka's `partitionFor`). */
export function coordinatorPartition(groupId: string, partitions: number): number {
  const h = javaHashCode(groupId);
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}

/**
 * Client ids whose consumers' groups (`<client id>-reader`, as {@link ReaderConsumer} names them)
 * fall, together, on every one of `partitions` coordinator partitions.
 */
export function probeClientIds(partitions: number, prefix = 'pulse-chaos-coordinator-probe-'): string[] {
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < partitions; i++) {
    const id = `${prefix}${i}`;
    const p = coordinatorPartition(`${id}-reader`, partitions);
    if (!byPartition.has(p)) byPartition.set(p, id);
  }
  return [...byPartition.values()];
}

/** True once a consumer of a group on every coordinator partition can read its committed offsets. */
async function coordinatorsReady(brokers: string[]): Promise<boolean> {
  const admin = createAdmin(brokers);
  let n = 0;
  try {
    await admin.connect();
    const [meta] = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'], timeout: 5_000 });
    n = meta?.partitions.length ?? 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (n === 0) return false;
  const answers = await Promise.all(
    probeClientIds(n).map(async (clientId) => {
      const c = new ReaderConsumer(brokers, clientId, 'read_committed');
      try {
        await c.connect();
        return await new Promise<boolean>((resolve) =>
          c.raw.committed([{ topic: '__consumer_offsets', partition: 0 }], 5_000, (err) => resolve(!err)),
        );
      } catch {
        return false;
      } finally {
        await c.disconnect();
      }
    }),
  );
  return answers.every(Boolean);
}

export function brokerControl(
  config: Pick<AppConfig, 'stackDir' | 'kafkaBrokers'> = loadConfig(),
): BrokerControl {
  const service = kafkaService({ stackDir: config.stackDir, brokers: config.kafkaBrokers });
  const pidFile = path.join(config.stackDir, 'kafka', 'kafka.pid');
  const [host = '127.0.0.1', port = '9092'] = (config.kafkaBrokers[0] ?? '127.0.0.1:9092').split(':');

  const pid = () => {
    const p = readPid(pidFile);
    return p !== undefined && pidAlive(p) ? p : undefined;
  };

  return {
    pid,
    async kill() {
      const p = pid();
      if (p === undefined) {
        const open = await isPortOpen(host, Number(port));
        throw new Error(
          open
            ? `the broker at ${host}:${port} was not started by \`pulse stack up\` (no live PID in ${pidFile}): cannot kill it`
            : `no broker runs at ${host}:${port}`,
        );
      }
      process.kill(p, 'SIGKILL');
      await waitUntil(`broker pid ${p} to exit`, () => Promise.resolve(!pidAlive(p)), 30_000, 50);
      await waitUntil(
        `port ${host}:${port} to close`,
        async () => !(await isPortOpen(host, Number(port))),
        30_000,
        100,
      );
    },
    async start() {
      await service.up();
      await waitUntil(
        `the broker at ${host}:${port} to answer metadata`,
        async () => (await probeKafka(config.kafkaBrokers, 5_000)).ok,
        START_TIMEOUT_MS,
        500,
      );
      await waitUntil(
        `the broker at ${host}:${port} to coordinate groups again`,
        () => coordinatorsReady(config.kafkaBrokers),
        START_TIMEOUT_MS,
        500,
      );
    },
  };
}

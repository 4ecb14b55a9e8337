/**
 * The only file that imports the Kafka client library. Everything else in the project talks to the
 * small interfaces exported here, so the client (and its defaults) can be reasoned about in one place.
 */
import Kafka from '@confluentinc/kafka-javascript';

const { KafkaJS } = Kafka;

export type KafkaAdmin = Kafka.KafkaJS.Admin;
export type KafkaJSProducer = Kafka.KafkaJS.Producer;
export type KafkaJSConsumer = Kafka.KafkaJS.Consumer;
export type RdConsumer = Kafka.KafkaConsumer;
export type RdProducer = Kafka.Producer;
export type RdMessage = Kafka.Message;
export type RdTopicPartitionOffset = Kafka.TopicPartitionOffset;
export type RdConsumerConfig = Kafka.ConsumerGlobalConfig;
export type RdProducerConfig = Kafka.ProducerGlobalConfig;
export const RdKafkaConsumer = Kafka.KafkaConsumer;
export const RdKafkaProducer = Kafka.Producer;
export const librdkafkaVersion: string = Kafka.librdkafkaVersion;
export const ErrorCodes = Kafka.CODES.ERRORS;

const quietLogger = {
  info: () => undefined,
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  namespace() {
    return this;
  },
  setLogLevel: () => undefined,
};

/** Admin client (KafkaJS-compatible, promise based). The caller connects and disconnects it. */
export function createAdmin(brokers: string[]): KafkaAdmin {
  return new KafkaJS.Kafka({ kafkaJS: { brokers, logger: quietLogger } }).admin();
}

/**
 * How much a job's group consumer fetches per partition and request (`max.partition.fetch.bytes`);
 * see the GroupConsumer (engine/kafka-io.ts) for why it is small.
 */
export const GROUP_FETCH_PARTITION_BYTES = 128 * 1024;

/**
 * The producer's `batch.size` (uncompressed bytes per partition batch). Every batch must fit in a
 * consumer's per-partition fetch ({@link GROUP_FETCH_PARTITION_BYTES}): the broker returns a larger
 * batch only to the first partition of a fetch response that has records, and nothing (not a part)
 * to the others. With librdkafka's default batch.size (1 MB), a job's input partition holding such
 * a batch received nothing while its siblings had records, for as long as their backlog lasted:
 * tens of seconds in every catch-up of `pulse bench compare`, until the fetch watchdog logged it.
 * Compression only shrinks a batch. The Java producer's default is 16 KiB. A single record larger
 * than this still travels as a batch of its own: over 128 KiB compressed, it reaches a job only when
 * its partition comes first.
 */
export const PRODUCER_BATCH_BYTES = 64 * 1024;

/** Producer with correctness-first defaults: idempotent, acks=all. */
export function createKafkaJSProducer(
  brokers: string[],
  extra: Record<string, unknown> = {},
): KafkaJSProducer {
  return new KafkaJS.Kafka({ kafkaJS: { brokers, logger: quietLogger } }).producer({
    'enable.idempotence': true,
    acks: -1,
    'linger.ms': 5,
    'batch.size': PRODUCER_BATCH_BYTES,
    // Java's default partitioner, so keys land where Kafka Streams and Java producers put them.
    partitioner: 'murmur2_random',
    ...extra,
  });
}

/** Consumer (KafkaJS-compatible API) with auto-commit off and `earliest` reset. */
export function createKafkaJSConsumer(
  brokers: string[],
  groupId: string,
  extra: Record<string, unknown> = {},
): KafkaJSConsumer {
  return new KafkaJS.Kafka({ kafkaJS: { brokers, logger: quietLogger } }).consumer({
    'group.id': groupId,
    'enable.auto.commit': false,
    'auto.offset.reset': 'earliest',
    ...extra,
  });
}

/** Asks the cluster for metadata; `ok` only when at least one broker answers within `timeoutMs`. */
export async function probeKafka(
  brokers: string[],
  timeoutMs = 5000,
): Promise<{ ok: true; brokers: number } | { ok: false; error: string }> {
  const admin = createAdmin(brokers);
  const timer = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref(),
  );
  try {
    await Promise.race([admin.connect(), timer]);
    await Promise.race([admin.listTopics({ timeout: timeoutMs }), timer]);
    return { ok: true, brokers: brokers.length };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * The real {@link Publish}: an idempotent, acks=all producer (runtime defaults) writing canonical
 * UserEvents keyed by userId. `publish` resolves only after Kafka acknowledged every record and
 * rejects after `produceTimeoutMs` (the records may still land later: clients retrying after a 503
 * can produce duplicates, which downstream jobs dedupe by eventId).
 */
import {
  createAdmin,
  createKafkaJSProducer,
  type KafkaJSProducer,
  type Logger,
} from '../../runtime/index.ts';
import type { UserEvent } from '../../model/index.ts';

export const RAW_USER_EVENTS_TOPIC = 'raw-user-events';

export interface KafkaPublisherOptions {
  brokers: string[];
  topic?: string;
  /** Partitions when the topic has to be created (default 12). */
  partitions?: number;
  /** Per publish; past it the call rejects and the API answers 503 (default 5000 ms). */
  produceTimeoutMs?: number;
  log: Logger;
}

export class KafkaPublisherError extends Error {
  readonly code = 'KAFKA_PUBLISH_FAILED';
  readonly retriable = true;
}

/** Creates the topic when it does not exist; a concurrent creation by someone else is fine. */
export async function ensureTopic(brokers: string[], topic: string, partitions: number, log: Logger) {
  const admin = createAdmin(brokers);
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) return;
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: -1 }] });
      log.info('created topic', { topic, partitions });
    } catch (err) {
      if (!/already exists/i.test((err as Error).message)) throw err;
    }
  } finally {
    await admin.disconnect();
  }
}

export class KafkaPublisher {
  readonly topic: string;
  private readonly timeoutMs: number;
  private producer: KafkaJSProducer | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: KafkaPublisherOptions) {
    this.topic = opts.topic ?? RAW_USER_EVENTS_TOPIC;
    this.timeoutMs = opts.produceTimeoutMs ?? 5000;
  }

  /** Ensures the topic exists and connects the producer. */
  async start(): Promise<void> {
    await ensureTopic(this.opts.brokers, this.topic, this.opts.partitions ?? 12, this.opts.log);
    const producer = createKafkaJSProducer(this.opts.brokers, { 'message.timeout.ms': this.timeoutMs });
    await producer.connect();
    this.producer = producer;
  }

  readonly publish = async (events: UserEvent[]): Promise<void> => {
    const producer = this.producer;
    if (!producer || this.closing) throw new KafkaPublisherError('publisher is not running');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new KafkaPublisherError(`Kafka did not acknowledge within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([
        producer.send({
          topic: this.topic,
          messages: events.map((e) => ({ key: e.userId, value: JSON.stringify(e) })),
        }),
        timeout,
      ]);
    } catch (err) {
      if (err instanceof KafkaPublisherError) throw err;
      throw new KafkaPublisherError(`produce failed: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  };

  /** Flushes and disconnects; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const p = this.producer;
      this.producer = undefined;
      if (p) await p.disconnect();
    })();
    return this.closing;
  }
}

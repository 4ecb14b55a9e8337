/**
 * Starts the ingestion API: resolves keys, creates the topic if missing, connects the producer,
 * listens. `close()` (or aborting `signal`) stops accepting requests, waits for those in flight,
 * then flushes the producer; it is idempotent.
 */
import { listen } from '../http-server.ts';
import type { Logger } from '../../runtime/index.ts';
import { createIngestApp, type Publish } from './app.ts';
import { IngestConfigError } from './errors.ts';
import { KafkaPublisher } from './kafka-publisher.ts';
import { createIngestMetrics } from './metrics.ts';
import { createTokenBucket } from '../rate-limit.ts';

/** Accepted outside production only, documented in docs/api.md. */
export const DEV_INGEST_KEY = 'dev-ingest-key';

/**
 * The keys the API accepts. In production at least one configured key is required; elsewhere the
 * development key is accepted too, and a warning says so.
 */
export function resolveIngestKeys(
  configured: string | undefined,
  nodeEnv: 'development' | 'production' | 'test',
  log: Logger,
): string[] {
  const keys = (configured ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (nodeEnv === 'production') {
    if (keys.length === 0)
      throw new IngestConfigError(
        'PULSE_INGEST_KEYS is empty: in production (NODE_ENV=production) the ingestion API needs at least one key',
      );
    return keys;
  }
  log.warn(
    `NODE_ENV=${nodeEnv}: the development ingest key "${DEV_INGEST_KEY}" is accepted; never use it in production`,
  );
  return keys.includes(DEV_INGEST_KEY) ? keys : [...keys, DEV_INGEST_KEY];
}

export interface IngestServerOptions {
  brokers: string[];
  port: number;
  hostname?: string;
  keys: string | undefined;
  nodeEnv: 'development' | 'production' | 'test';
  ratePerSec: number;
  burst: number;
  partitions: number;
  /** Default `raw-user-events`; tests pass a unique name. */
  topic?: string;
  produceTimeoutMs?: number;
  /** `PULSE_METRICS_TOKEN`: restricts `/metrics`. */
  metricsToken?: string | undefined;
  log: Logger;
  signal?: AbortSignal;
}

export interface IngestServer {
  readonly port: number;
  readonly topic: string;
  close(): Promise<void>;
}

export async function startIngestServer(opts: IngestServerOptions): Promise<IngestServer> {
  const keys = resolveIngestKeys(opts.keys, opts.nodeEnv, opts.log);
  const publisher = new KafkaPublisher({
    brokers: opts.brokers,
    topic: opts.topic,
    partitions: opts.partitions,
    produceTimeoutMs: opts.produceTimeoutMs,
    log: opts.log,
  });
  await publisher.start();
  const publish: Publish = publisher.publish;
  const app = createIngestApp({
    publish,
    keys,
    rateLimiter: createTokenBucket({
      ratePerSec: opts.ratePerSec,
      burst: opts.burst,
      now: () => performance.now(),
    }),
    log: opts.log,
    metrics: createIngestMetrics(),
    metricsToken: opts.metricsToken,
  });
  const server = await listen({
    name: 'ingest API',
    fetch: app.fetch,
    port: opts.port,
    hostname: opts.hostname,
    log: opts.log,
    signal: opts.signal,
    release: () => publisher.close(),
    fields: { topic: publisher.topic },
  });
  return { port: server.port, topic: publisher.topic, close: () => server.close() };
}

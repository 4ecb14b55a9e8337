import { Counter, Histogram, Registry } from 'prom-client';

/** The ingestion API's Prometheus metrics, on their own registry (one per app). */
export function createIngestMetrics(registry = new Registry()) {
  return {
    registry,
    requests: new Counter({
      name: 'pulse_ingest_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    accepted: new Counter({
      name: 'pulse_ingest_events_accepted_total',
      help: 'Events acknowledged by Kafka',
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'pulse_ingest_events_rejected_total',
      help: 'Events rejected by validation',
      registers: [registry],
    }),
    produceLatency: new Histogram({
      name: 'pulse_ingest_produce_seconds',
      help: 'Time from produce to Kafka acknowledgement (or failure)',
      labelNames: ['outcome'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

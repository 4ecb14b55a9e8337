import { Counter, Histogram, Registry } from 'prom-client';

/** The query API's Prometheus metrics, on their own registry (one per app). */
export function createQueryMetrics(registry = new Registry()) {
  return {
    registry,
    requests: new Counter({
      name: 'pulse_query_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'pulse_query_request_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
export type QueryMetrics = ReturnType<typeof createQueryMetrics>;

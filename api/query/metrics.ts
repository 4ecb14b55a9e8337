import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SourceQuality } from '../../state/index.ts';

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

/**
 * The catalogue's data quality per source, the figures of `pulse catalog quality`, read from
 * PostgreSQL at each scrape. A failed read keeps the previous values (and is not an error of the
 * scrape): quality figures are not worth a failed scrape of the API's own metrics.
 */
export function registerCatalogQualityMetrics(
  registry: Registry,
  report: () => Promise<SourceQuality[]>,
): void {
  new Gauge({
    name: 'pulse_catalog_listings',
    help: 'Catalogue listings per source: fetched by the last run, rejected (adapter or normalisation), accepted, merged with another source, without coordinates',
    labelNames: ['source', 'state'] as const,
    registers: [registry],
    async collect() {
      let rows: SourceQuality[];
      try {
        rows = await report();
      } catch {
        return;
      }
      for (const q of rows) {
        const set = (state: string, value: number) => this.set({ source: q.source, state }, value);
        set('fetched', q.fetched);
        set('rejected', q.parseRejected + q.rejected);
        set('accepted', q.accepted);
        set('merged', q.mergedAsDuplicates);
        set('missing_coordinates', q.missingCoordinates);
        set(
          'unmapped_category',
          q.unmappedTerms.reduce((n, t) => n + t.listings, 0),
        );
      }
    },
  });
}

import client from 'prom-client';
import type { RunnerHooks } from './engine/job-runner.ts';

/** The worker's Prometheus metrics and the hooks that feed them. */
export function createRuntimeMetrics(): {
  registry: client.Registry;
  hooks: RunnerHooks;
  gauges: RuntimeGauges;
} {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'pulse_worker_' });
  const recordsIn = new client.Counter({
    name: 'pulse_records_in_total',
    help: 'Input records consumed',
    labelNames: ['job'],
    registers: [registry],
  });
  const processed = new client.Counter({
    name: 'pulse_records_processed_total',
    help: 'Input records processed successfully',
    labelNames: ['job'],
    registers: [registry],
  });
  const out = new client.Counter({
    name: 'pulse_records_out_total',
    help: 'Records emitted to outputs',
    labelNames: ['job'],
    registers: [registry],
  });
  const dlq = new client.Counter({
    name: 'pulse_records_dead_lettered_total',
    help: 'Records sent to the dead-letter topic',
    labelNames: ['job'],
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'pulse_processing_latency_seconds',
    help: 'Processing time per record (batch time divided by batch size)',
    labelNames: ['job'],
    buckets: [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.1],
    registers: [registry],
  });
  const commit = new client.Histogram({
    name: 'pulse_commit_duration_seconds',
    help: 'Duration of a commit cycle (flush outputs and changelog, checkpoint, local write batch)',
    labelNames: ['job'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const rebalances = new client.Counter({
    name: 'pulse_rebalances_total',
    help: 'Partition assignments and revocations',
    labelNames: ['job', 'kind'],
    registers: [registry],
  });
  const restoreRemaining = new client.Gauge({
    name: 'pulse_restore_remaining_records',
    help: 'Changelog records left to restore',
    labelNames: ['job', 'partition', 'store'],
    registers: [registry],
  });
  const restoreRatio = new client.Gauge({
    name: 'pulse_restore_progress_ratio',
    help: 'Restore progress (1 = done)',
    labelNames: ['job', 'partition', 'store'],
    registers: [registry],
  });
  const lag = new client.Gauge({
    name: 'pulse_consumer_lag',
    help: 'Records behind the end of the input partition',
    labelNames: ['job', 'topic', 'partition'],
    registers: [registry],
  });
  const stateSize = new client.Gauge({
    name: 'pulse_state_size_bytes',
    help: 'Approximate on-disk size of a task store',
    labelNames: ['job', 'partition', 'store'],
    registers: [registry],
  });

  const hooks: RunnerHooks = {
    records(job, _p, consumed, s) {
      recordsIn.inc({ job }, consumed);
      if (s.processed) processed.inc({ job }, s.processed);
      if (s.emitted) out.inc({ job }, s.emitted);
      if (s.deadLettered) dlq.inc({ job }, s.deadLettered);
    },
    batchLatency: (job, seconds) => latency.observe({ job }, seconds),
    commit: (job, seconds) => commit.observe({ job }, seconds),
    rebalance: (job, kind, n) => rebalances.inc({ job, kind }, n),
    restore(job, partition, store, done, total) {
      const labels = { job, partition: String(partition), store };
      restoreRemaining.set(labels, Math.max(0, total - done));
      restoreRatio.set(labels, total === 0 ? 1 : done / total);
    },
    lag: (job, topic, partition, n) => lag.set({ job, topic, partition: String(partition) }, n),
  };
  return { registry, hooks, gauges: { stateSize, lag } };
}

export interface RuntimeGauges {
  stateSize: client.Gauge;
  lag: client.Gauge;
}

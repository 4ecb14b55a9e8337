import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { AppConfig } from '../config.ts';
import { stackUp } from '../stack/index.ts';
import { createPool, migrate } from '../../state/index.ts';
import {
  createAdmin,
  createKafkaJSProducer,
  jsonLogger,
  kafkaRoundTrip,
  Worker,
} from '../../runtime/index.ts';
import { countByKeyJob } from '../../jobs/count-by-key/job.ts';
import { pipelineDemo } from '../demo/pipeline-demo.ts';

/**
 * `pulse demo`: the one command a new user runs. It brings the stack up, applies the database
 * migrations, proves Kafka round-trips, then runs a stateful job on the runtime (with a few poison
 * records in its input) and prints what happened. Later issues grow it into the full pipeline.
 */
export function registerDemoCommand(program: Command, config: () => AppConfig): void {
  program
    .command('demo')
    .description('bring the stack up and run the demo end to end, printing what it did')
    .option('--events <n>', 'events to push through the counting job', '20000')
    .option('--users <n>', 'simulated users of the pipeline demo', '1000')
    .option('--interactions <n>', 'interactions they post through the ingestion API', '50000')
    .option('--once', 'exit when done instead of leaving the ingestion API and worker running')
    .action(async (opts: { events: string; users: string; interactions: string; once?: boolean }) => {
      const cfg = config();
      const { mode } = await stackUp(cfg);
      console.log(`\ndemo: stack is up (${mode})`);

      const pool = createPool(cfg.databaseUrl, 2);
      try {
        const client = await pool.connect();
        try {
          const applied = await migrate(client);
          console.log(
            applied.length
              ? `demo: applied migrations ${applied.join(', ')}`
              : 'demo: database schema up to date',
          );
        } finally {
          client.release();
        }
      } finally {
        await pool.end();
      }

      const rt = await kafkaRoundTrip({
        brokers: cfg.kafkaBrokers,
        topic: `demo-round-trip-${Date.now()}`,
        partitions: 6,
        count: 1000,
      });
      console.log(
        `demo: Kafka round trip: ${rt.produced} keyed messages produced and ${rt.consumed} consumed back over partitions ` +
          `[${rt.partitionsSeen.join(', ')}], keys and partitions intact: ${rt.intact ? 'yes' : 'NO'}`,
      );
      if (!rt.intact) process.exitCode = 1;

      await runtimeDemo(cfg, Number(opts.events));
      await pipelineDemo(cfg, {
        users: Number(opts.users),
        interactions: Number(opts.interactions),
        once: opts.once ?? false,
      });
    });
}

async function runtimeDemo(cfg: AppConfig, events: number): Promise<void> {
  const ns = `demo-${Date.now().toString(36)}-`;
  const job = countByKeyJob({ namespace: ns });
  const input = job.inputs.records.topic;
  const admin = createAdmin(cfg.kafkaBrokers);
  await admin.connect();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-demo-'));
  try {
    await admin.createTopics({ topics: [{ topic: input, numPartitions: 6, replicationFactor: 1 }] });
    const producer = createKafkaJSProducer(cfg.kafkaBrokers);
    await producer.connect();
    const messages: Array<{ key: string; value: string }> = [];
    for (let i = 0; i < events; i++) {
      const key = `user-${Math.floor(200 * Math.random() ** 2)}`;
      messages.push({ key, value: JSON.stringify({ key, n: i }) });
      if (i % 4000 === 1999) messages.push({ key: 'oops', value: '{"key": 42}' }); // fails the schema
    }
    for (let i = 0; i < messages.length; i += 5000)
      await producer.send({ topic: input, messages: messages.slice(i, i + 5000) });
    await producer.disconnect();
    console.log(
      `demo: produced ${messages.length} events (${messages.length - events} of them invalid) to ${input}`,
    );

    const worker = new Worker([job], {
      brokers: cfg.kafkaBrokers,
      stateDir,
      workerId: 'demo',
      port: 0,
      log: jsonLogger({}, 'error'),
    });
    const t0 = Date.now();
    await worker.start();
    const ends = new Map((await admin.fetchTopicOffsets(input)).map((e) => [e.partition, Number(e.high)]));
    for (;;) {
      const tasks = worker.runners[0]!.status();
      const done =
        tasks.length === ends.size &&
        tasks.every((t) => (t.nextOffsets[input] ?? 0) >= (ends.get(t.partition) ?? 0));
      if (done || Date.now() - t0 > 120_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const tasks = worker.runners[0]!.status();
    const processed = tasks.reduce((n, t) => n + t.processed, 0);
    const dead = tasks.reduce((n, t) => n + t.deadLettered, 0);
    await worker.close();
    console.log(
      `demo: the count-by-key job ran on ${tasks.length} tasks (one per partition, RocksDB state in ${stateDir}): ` +
        `${processed} events counted, ${dead} dead-lettered to ${job.name}.dlq with the reason, in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  } finally {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(ns));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

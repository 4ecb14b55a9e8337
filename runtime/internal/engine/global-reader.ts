/**
 * Keeps a worker's global tables (GlobalKTable-like) up to date: reads every partition of each
 * global topic from the beginning, bootstraps to the end offsets seen at start before any task
 * runs, then applies new records between batches without blocking the job's loop.
 */
import { createAdmin, ErrorCodes, RdKafkaConsumer, type RdConsumer, type RdMessage } from '../kafka.ts';
import type { GlobalTables } from '../global-table.ts';
import type { Logger } from './job-runner.ts';
import { BULK_READ_PREFETCH } from './kafka-io.ts';

export class GlobalReader {
  private consumer: RdConsumer | undefined;

  constructor(
    private readonly tables: GlobalTables,
    private readonly brokers: string[],
    private readonly clientId: string,
    private readonly log: Logger,
  ) {}

  get empty(): boolean {
    return this.tables.byTopic.size === 0;
  }

  /** Loads every table up to the end offsets of now. */
  async bootstrap(): Promise<void> {
    if (this.empty) return;
    const topics = [...this.tables.byTopic.keys()];
    const admin = createAdmin(this.brokers);
    await admin.connect();
    const ends = new Map<string, number>();
    const tps: Array<{ topic: string; partition: number; offset: number }> = [];
    try {
      for (const topic of topics) {
        for (const o of await admin.fetchTopicOffsets(topic)) {
          tps.push({ topic, partition: o.partition, offset: -2 }); // OFFSET_BEGINNING
          if (Number(o.high) > Number(o.low)) ends.set(`${topic}/${o.partition}`, Number(o.high));
        }
      }
    } finally {
      await admin.disconnect();
    }
    const c = new RdKafkaConsumer(
      {
        'bootstrap.servers': this.brokers.join(','),
        'group.id': `${this.clientId}-global`,
        'client.id': `${this.clientId}.global`,
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        'fetch.wait.max.ms': 50,
        ...BULK_READ_PREFETCH,
      },
      { 'auto.offset.reset': 'earliest' },
    );
    await new Promise<void>((resolve, reject) =>
      c.connect({ timeout: 30_000 }, (err) => (err ? reject(new Error(err.message)) : resolve())),
    );
    c.assign(tps);
    this.consumer = c;
    const t0 = Date.now();
    let records = 0;
    while (ends.size > 0) {
      const msgs = await this.consume(5000, 200);
      records += msgs.length;
      for (const m of msgs) {
        const k = `${m.topic}/${m.partition}`;
        const end = ends.get(k);
        if (end !== undefined && m.offset >= end - 1) ends.delete(k);
      }
      if (Date.now() - t0 > 600_000) throw new Error('global tables did not load within 10 minutes');
      // Compaction or transaction markers can leave the last offsets without a record: check positions.
      if (msgs.length === 0) {
        for (const p of c.position()) {
          const k = `${p.topic}/${p.partition}`;
          const end = ends.get(k);
          if (end !== undefined && typeof p.offset === 'number' && p.offset >= end) ends.delete(k);
        }
      }
    }
    const sizes = Object.fromEntries(
      [...this.tables.byName].map(([n, t]) => [n, { entries: t.size, invalid: t.invalid }]),
    );
    this.log.info('global tables loaded', { records, ms: Date.now() - t0, tables: sizes });
  }

  /** Applies whatever new records are already fetched; never waits. */
  async poll(): Promise<number> {
    if (!this.consumer) return 0;
    return (await this.consume(5000, 0)).length;
  }

  private consume(max: number, timeoutMs: number): Promise<RdMessage[]> {
    const c = this.consumer!;
    c.setDefaultConsumeTimeout(timeoutMs);
    return new Promise((resolve, reject) =>
      c.consume(max, (err, msgs) => {
        if (err && err.code !== ErrorCodes.ERR__TIMED_OUT) return reject(new Error(err.message));
        for (const m of msgs ?? []) {
          const table = this.tables.byTopic.get(m.topic);
          if (table && m.key) table.apply(m.key.toString(), m.value ?? null);
        }
        resolve(msgs ?? []);
      }),
    );
  }

  async close(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    if (c) await new Promise<void>((resolve) => c.disconnect(() => resolve()));
  }
}

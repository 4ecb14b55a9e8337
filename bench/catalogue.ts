/** What the end-to-end and API benchmarks share: a catalogue topic, and the machine they ran on. */
import os from 'node:os';
import type { CatalogEvent } from '../model/index.ts';
import { createKafkaJSProducer, type KafkaAdmin } from '../runtime/index.ts';

/** Creates the compacted catalogue topic and writes every event to it, keyed by id. */
export async function publishCatalogue(
  admin: KafkaAdmin,
  brokers: string[],
  topic: string,
  partitions: number,
  catalogue: CatalogEvent[],
): Promise<void> {
  await admin.createTopics({
    topics: [
      {
        topic,
        numPartitions: partitions,
        replicationFactor: -1,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
  });
  const producer = createKafkaJSProducer(brokers);
  await producer.connect();
  try {
    for (let i = 0; i < catalogue.length; i += 500)
      await producer.send({
        topic,
        messages: catalogue.slice(i, i + 500).map((e) => ({ key: e.id, value: JSON.stringify(e) })),
      });
  } finally {
    await producer.disconnect();
  }
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

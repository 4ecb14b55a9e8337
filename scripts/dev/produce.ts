import { loadConfig } from '../../cli/config.ts';
import { createTopic, produceAll } from '../../test/support/kafka.ts';
const cfg = loadConfig();
const [topic, n, keys] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
await createTopic(cfg.kafkaBrokers, topic, 12).catch((e) => console.log('create:', (e as Error).message));
const recs = Array.from({ length: n }, (_, i) => ({
  key: `k${i % keys}`,
  value: { key: `k${i % keys}`, n: i },
}));
const t0 = Date.now();
await produceAll(cfg.kafkaBrokers, topic, recs);
console.log(`produced ${n} in ${Date.now() - t0} ms`);

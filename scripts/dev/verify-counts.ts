import { loadConfig } from '../../cli/config.ts';
import { readAll } from '../../test/support/kafka.ts';
const cfg = loadConfig();
const [topic, expectedPerKey, keys] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const recs = await readAll(cfg.kafkaBrokers, topic, {
  isolation: (process.argv[5] as 'read_committed') ?? 'read_uncommitted',
});
const max = new Map<string, number>();
for (const r of recs) {
  const v = JSON.parse(r.value!.toString()) as { key: string; count: number };
  max.set(v.key, Math.max(max.get(v.key) ?? 0, v.count));
}
let wrong = 0;
for (let i = 0; i < keys; i++) if (max.get(`k${i}`) !== expectedPerKey) wrong++;
console.log(
  `outputs=${recs.length} keys=${max.size} wrong=${wrong} sample=${JSON.stringify([...max].slice(0, 3))}`,
);

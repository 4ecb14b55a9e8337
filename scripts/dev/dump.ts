import { loadConfig } from '../../cli/config.ts';
import { readAll } from '../../test/support/kafka.ts';
const cfg = loadConfig();
const recs = await readAll(cfg.kafkaBrokers, process.argv[2]!);
const p = Number(process.argv[3] ?? 0);
for (const r of recs
  .filter((x) => x.partition === p)
  .sort((a, b) => a.offset - b.offset)
  .slice(0, Number(process.argv[4] ?? 20)))
  console.log(r.offset, JSON.stringify(r.key), r.value?.toString().slice(0, 200), JSON.stringify(r.headers));

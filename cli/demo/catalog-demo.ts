/**
 * The catalogue part of the demo: every source of configs/sources.yaml (the shipped fixtures:
 * iCal, JSON-LD pages, a ticketing API dump and a CSV export, in four languages) imported through
 * the real path, normalised and deduplicated by the worker's catalogue jobs, then searched through
 * the query API.
 */
import path from 'node:path';
import { loadSourcesFile, runImport, type CatalogEvent } from '../../catalog/index.ts';
import { createPool, PgCatalogQuality } from '../../state/index.ts';
import { projectRoot, type AppConfig } from '../config.ts';

interface SearchBody {
  total: number;
  items: Array<{ event: CatalogEvent }>;
}

export async function catalogDemo(cfg: AppConfig, queryPort: number, apiKey: string): Promise<void> {
  const configFile = path.join(projectRoot, 'configs/sources.yaml');
  const sources = loadSourcesFile(configFile).sources;
  const pool = createPool(cfg.databaseUrl, 2);
  try {
    const runs = new PgCatalogQuality(pool, cfg.namespace);
    for (const s of sources) {
      const line = await runImport(
        { brokers: cfg.kafkaBrokers, namespace: cfg.namespace, partitions: cfg.topicPartitions },
        s.url ?? path.resolve(path.dirname(configFile), s.path!),
        s,
        runs,
      );
      console.log(`demo: catalogue: ${line.split('\n')[0]}`);
    }
    const search = async (q: string): Promise<SearchBody> => {
      const res = await fetch(`http://127.0.0.1:${queryPort}/api/v1/events?${q}`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      if (!res.ok) throw new Error(`search answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as SearchBody;
    };
    // The jobs normalise, merge and store within seconds; wait for the last source's events.
    const deadline = Date.now() + 60_000;
    let found: SearchBody = { total: 0, items: [] };
    while (Date.now() < deadline) {
      found = await search('q=carmen&status=scheduled');
      if (found.items[0] && found.items[0].event.sources.length >= 3) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const report = await runs.report();
    const count = (f: (s: (typeof report)[number]) => number) => report.reduce((n, s) => n + f(s), 0);
    console.log(
      `demo: catalogue: ${count((s) => s.fetched)} listings from ${report.length} sources, ` +
        `${count((s) => s.parseRejected + s.rejected)} rejected with reasons, ` +
        `${count((s) => s.mergedAsDuplicates)} merged with another source's listing of the same event ` +
        `(pulse catalog quality has the details)`,
    );
    for (const q of ['q=carmen', 'q=misantrope', 'q=unendliche%20landschaft', 'city=berlin&category=music']) {
      const r = await search(q);
      const top = r.items[0]?.event;
      console.log(
        `demo: search ${decodeURIComponent(q)}: ${r.total} found` +
          (top
            ? `; first: "${top.title}", ${top.city}, ${top.startsAt}, from ${top.sources.map((x) => x.source).join(' + ')}`
            : ''),
      );
    }
  } finally {
    await pool.end();
  }
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_HORIZON_DAYS,
  evaluateMerge,
  importDocument,
  loadSourcesFile,
  OfflinePipeline,
  importSources,
  runImport,
  type ImportSource,
  type SourceConfig,
  type SourceFormat,
} from '../../catalog/index.ts';
import { createPool, migrate, PgCatalogQuality, type PgPool } from '../../state/index.ts';
import { projectRoot, type AppConfig } from '../config.ts';
import { table } from '../table.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const FORMATS = ['ics', 'jsonld', 'json', 'csv'] as const;
const DEFAULT_SOURCES = path.join(projectRoot, 'configs/sources.yaml');
const FIXTURES_NOW = Date.parse('2027-01-01T00:00:00Z');

interface ImportOpts {
  format?: string;
  source?: string;
  config: string;
  allowPrivate?: boolean;
  horizonDays: string;
  dryRun?: boolean;
  json?: boolean;
}

async function withQuality<T>(cfg: AppConfig, f: (q: PgCatalogQuality) => Promise<T>): Promise<T> {
  const pool: PgPool = createPool(cfg.databaseUrl, 2);
  try {
    const c = await pool.connect();
    try {
      await migrate(c);
    } finally {
      c.release();
    }
    return await f(new PgCatalogQuality(pool, cfg.namespace));
  } finally {
    await pool.end();
  }
}

/** The configured source called `name`, or an ad-hoc source named after the file. */
function resolveSource(location: string, opts: ImportOpts): { source: ImportSource; base: string } {
  const configured = existsSync(opts.config) ? loadSourcesFile(opts.config).sources : [];
  const base = path.dirname(opts.config);
  // A configured source by name, else the configured source that reads this very file or URL.
  const byName = opts.source
    ? configured.find((s) => s.name === opts.source)
    : configured.find((s) => (s.url ?? path.resolve(base, s.path!)) === location);
  if (opts.format && !FORMATS.includes(opts.format as SourceFormat))
    throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
  const format = (opts.format as SourceFormat | undefined) ?? byName?.format;
  const fallbackName = path
    .basename(location.replace(/[?#].*$/, ''))
    .replace(/\.[a-z]+$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-');
  return {
    source: {
      name: byName?.name ?? opts.source ?? (fallbackName || 'import'),
      priority: byName?.priority ?? 0,
      format,
      defaults: byName?.defaults ?? {},
      mapping: byName?.mapping,
    },
    base,
  };
}

const kafkaOf = (cfg: AppConfig) => ({
  brokers: cfg.kafkaBrokers,
  namespace: cfg.namespace,
  partitions: cfg.topicPartitions,
});

const locationOf = (s: SourceConfig, base: string) => s.url ?? path.resolve(base, s.path!);

/** `pulse catalog import|run|eval|quality`: fill the catalogue from its sources and check it. */
export function registerCatalogCommands(program: Command, config: () => AppConfig): void {
  const catalog = program
    .command('catalog')
    .description(
      'import cultural events from iCal, JSON-LD, JSON and CSV sources; evaluate and report quality',
    );

  catalog
    .command('import')
    .description(
      'import one file or URL into the catalogue (raw-listings topic; the catalogue jobs do the rest)',
    )
    .argument('<file-or-url>', 'a local file or an http(s) URL')
    .option('--format <format>', `one of ${FORMATS.join(', ')} (detected when omitted)`)
    .option('--source <name>', 'the source it belongs to (its settings come from the sources file)')
    .option('--config <file>', 'the sources file', DEFAULT_SOURCES)
    .option('--allow-private', 'allow private and loopback addresses (for local test servers)')
    .option(
      '--horizon-days <n>',
      'expand recurring events this many days ahead',
      String(DEFAULT_HORIZON_DAYS),
    )
    .option('--dry-run', 'print the listings instead of publishing them (no Kafka, no database)')
    .option('--json', 'with --dry-run: print JSON')
    .action(async (location: string, opts: ImportOpts) => {
      const cfg = config();
      const target = /^https?:\/\//.test(location) ? location : path.resolve(location);
      const { source } = resolveSource(target, opts);
      const common = { allowPrivate: !!opts.allowPrivate, horizonDays: Number(opts.horizonDays) };
      if (!(common.horizonDays > 0)) throw new Error('--horizon-days must be a positive number');
      if (opts.dryRun) {
        const r = await importDocument(target, source, common);
        if (r.status !== 'imported') return console.log('not modified');
        if (opts.json)
          return console.log(JSON.stringify({ listings: r.listings, rejected: r.rejected }, null, 2));
        console.log(
          table(
            ['SOURCE ID', 'TITLE', 'START', 'CATEGORIES'],
            r.listings.map((l) => [
              l.sourceId,
              l.payload.title,
              l.payload.start,
              l.payload.categories.join(','),
            ]),
          ),
        );
        for (const x of r.rejected) console.log(`rejected ${x.sourceId ?? '(no id)'}: ${x.reason}`);
        return;
      }
      console.log(await withQuality(cfg, (q) => runImport(kafkaOf(cfg), target, source, q, common)));
    });

  catalog
    .command('run')
    .description('import every configured source on its schedule (everyMinutes), with conditional requests')
    .option('--config <file>', 'the sources file', DEFAULT_SOURCES)
    .option('--once', 'import every source once now, then exit')
    .option('--allow-private', 'allow private and loopback addresses')
    .action(async (opts: { config: string; once?: boolean; allowPrivate?: boolean }) => {
      const cfg = config();
      const sources = loadSourcesFile(opts.config).sources;
      const base = path.dirname(opts.config);
      const nextAt = new Map<string, number>();
      const controller = new AbortController();
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort());
      await withQuality(cfg, async (q) => {
        let failures = 0;
        while (!controller.signal.aborted) {
          for (const s of sources) {
            if ((nextAt.get(s.name) ?? 0) > Date.now()) continue;
            nextAt.set(s.name, Date.now() + s.everyMinutes * 60_000);
            try {
              console.log(
                await runImport(kafkaOf(cfg), locationOf(s, base), s, q, {
                  allowPrivate: !!opts.allowPrivate,
                  horizonDays: DEFAULT_HORIZON_DAYS,
                }),
              );
            } catch (err) {
              failures++;
              console.error(`${s.name}: failed: ${(err as Error).message}`);
            }
          }
          if (opts.once) break;
          await sleep(5_000, undefined, { signal: controller.signal }).catch(() => undefined);
        }
        if (opts.once && failures) process.exitCode = 1;
      });
    });

  catalog
    .command('eval')
    .description(
      'precision and recall of the cross-source merge on the labelled fixtures (offline, no Kafka)',
    )
    .option('--config <file>', 'the sources file', DEFAULT_SOURCES)
    .option('--labels <file>', 'truth labels', path.join(projectRoot, 'catalog/fixtures/labels.json'))
    .option('--json', 'print JSON')
    .action(async (opts: { config: string; labels: string; json?: boolean }) => {
      const sources = loadSourcesFile(opts.config).sources.filter((s) => s.path);
      const pipeline = new OfflinePipeline();
      await importSources(pipeline, sources, path.dirname(opts.config), FIXTURES_NOW);
      const labels = JSON.parse(readFileSync(opts.labels, 'utf8')) as Record<string, string>;
      const clusters = [...pipeline.state.blocks.values()].flatMap((b) => b.clusters);
      const r = evaluateMerge(clusters, labels);
      if (opts.json) return console.log(JSON.stringify(r, null, 2));
      console.log(
        table(
          ['LISTINGS', 'EVENTS', 'PRECISION', 'RECALL', 'F1'],
          [
            [
              String(clusters.reduce((n, c) => n + c.members.length, 0)),
              String(clusters.length),
              r.precision.toFixed(3),
              r.recall.toFixed(3),
              r.f1.toFixed(3),
            ],
          ],
        ),
      );
      for (const p of r.falsePairs) console.log(`wrongly merged: ${p.join('  +  ')}`);
      for (const p of r.missedPairs) console.log(`missed:         ${p.join('  +  ')}`);
    });

  catalog
    .command('quality')
    .description(
      'per source: listings fetched, rejected (with reasons), merged, unmapped categories, missing coordinates',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const cfg = config();
      const report = await withQuality(cfg, (q) => q.report());
      if (opts.json) return console.log(JSON.stringify(report, null, 2));
      if (report.length === 0)
        return console.log('no source has been imported yet: try `pulse catalog run --once`');
      console.log(
        table(
          ['SOURCE', 'LAST RUN', 'FETCHED', 'REJECTED', 'ACCEPTED', 'MERGED', 'NO COORDS', 'UNMAPPED'],
          report.map((s) => [
            s.source,
            s.lastRunAt ? `${new Date(s.lastRunAt).toISOString().slice(0, 16)} ${s.lastOutcome}` : '-',
            String(s.fetched),
            String(s.parseRejected + s.rejected),
            String(s.accepted),
            String(s.mergedAsDuplicates),
            String(s.missingCoordinates),
            s.unmappedTerms.map((t) => `${t.term} (${t.listings})`).join(', ') || '-',
          ]),
        ),
      );
      for (const s of report)
        for (const r of s.topReasons) console.log(`${s.source}: rejected ${r.listings}x: ${r.reason}`);
    });
}

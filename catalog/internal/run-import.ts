/**
 * One import as the CLI runs it: fetch (conditionally, with the validators of the source's last
 * fetch), extract, publish to Kafka, and record the run (its counts and the adapter's rejection
 * reasons, for the quality report). A failed fetch is recorded too, then rethrown.
 */
import { importDocument, type ImportOptions, type ImportSource } from './importer.ts';
import { publishImport } from './publish.ts';
import type { SourceRun } from '../../state/index.ts';

/** Where runs are recorded (PostgreSQL's `catalog_source_runs`: `PgCatalogQuality`). */
export interface SourceRuns {
  lastValidators(source: string): Promise<{ etag: string | null; lastModified: string | null }>;
  recordRun(run: SourceRun): Promise<void>;
}

/** Returns a one-line summary of what was done. */
export async function runImport(
  kafka: { brokers: string[]; namespace: string; partitions: number },
  location: string,
  source: ImportSource,
  runs: SourceRuns,
  opts: ImportOptions = {},
): Promise<string> {
  const startedAt = Date.now();
  const validators = /^https?:/.test(location) ? await runs.lastValidators(source.name) : null;
  try {
    const r = await importDocument(location, source, { ...opts, ...validators });
    if (r.status === 'not-modified') {
      await runs.recordRun({
        source: source.name,
        startedAt,
        finishedAt: Date.now(),
        location,
        outcome: 'not-modified',
        listings: 0,
        rejected: 0,
        reasons: [],
        etag: validators?.etag ?? null,
        lastModified: validators?.lastModified ?? null,
        error: null,
      });
      return `${source.name}: not modified since the last fetch`;
    }
    await publishImport(
      kafka.brokers,
      kafka.namespace,
      source.name,
      r.listings,
      r.rejected,
      kafka.partitions,
    );
    await runs.recordRun({
      source: source.name,
      startedAt,
      finishedAt: Date.now(),
      location,
      outcome: 'imported',
      listings: r.listings.length,
      rejected: r.rejected.length,
      reasons: r.rejected.map((x) => x.reason),
      etag: r.etag,
      lastModified: r.lastModified,
      error: null,
    });
    const rej = r.rejected.map((x) => `\n  rejected ${x.sourceId ?? '(no id)'}: ${x.reason}`).join('');
    return `${source.name}: ${r.listings.length} listings (${r.format}) published, ${r.rejected.length} rejected${rej}`;
  } catch (err) {
    await runs.recordRun({
      source: source.name,
      startedAt,
      finishedAt: Date.now(),
      location,
      outcome: 'failed',
      listings: 0,
      rejected: 0,
      reasons: [],
      etag: null,
      lastModified: null,
      error: (err as Error).message,
    });
    throw err;
  }
}

import type pg from 'pg';

/** The latest outcome of one listing (the value of `catalog-listing-status`). */
export interface ListingOutcome {
  source: string;
  sourceId: string;
  outcome: 'accepted' | 'rejected';
  reasons: string[];
  canonicalId: string | null;
  unmappedTerms: string[];
  missingCoordinates: boolean;
  /** Epoch ms; an older outcome never replaces a newer one. */
  at: number;
}

/** One fetch of a source. */
export interface SourceRun {
  source: string;
  startedAt: number;
  finishedAt: number;
  location: string;
  outcome: 'imported' | 'not-modified' | 'failed';
  /** Listings read from the document (accepted by the adapter) and rejected by it. */
  listings: number;
  rejected: number;
  reasons: string[];
  etag: string | null;
  lastModified: string | null;
  error: string | null;
}

/** Per source: the figures `pulse catalog quality` prints and the metrics export. */
export interface SourceQuality {
  source: string;
  lastRunAt: number | null;
  lastOutcome: SourceRun['outcome'] | null;
  /** From the last run that read the document: listings found and rejected by the adapter. */
  fetched: number;
  parseRejected: number;
  /** From the listings' outcomes: accepted by normalisation, rejected by it. */
  accepted: number;
  rejected: number;
  /** Accepted listings whose canonical event also holds another source's listing. */
  mergedAsDuplicates: number;
  missingCoordinates: number;
  /** Unmapped category terms with the number of listings that used them, most used first. */
  unmappedTerms: Array<{ term: string; listings: number }>;
  /** The most frequent rejection reasons (adapter and normalisation), with counts. */
  topReasons: Array<{ reason: string; listings: number }>;
}

/**
 * The catalogue's data-quality tables (migration 0005): listing outcomes and source runs, in a
 * namespace like every other table the jobs write.
 */
export class PgCatalogQuality {
  constructor(
    private readonly pool: pg.Pool,
    private readonly namespace = '',
  ) {}

  /** Upserts outcomes; idempotent, and a newer outcome (by `at`) always wins. */
  async recordOutcomes(batch: ListingOutcome[]): Promise<void> {
    if (batch.length === 0) return;
    await this.pool.query(
      `insert into catalog_listings (namespace, source, source_id, outcome, reasons, canonical_id,
         unmapped_terms, missing_coordinates, at)
       select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[],
         $7::jsonb[], $8::boolean[], $9::bigint[])
       on conflict (namespace, source, source_id) do update set
         outcome = excluded.outcome, reasons = excluded.reasons, canonical_id = excluded.canonical_id,
         unmapped_terms = excluded.unmapped_terms,
         missing_coordinates = excluded.missing_coordinates, at = excluded.at
       where catalog_listings.at <= excluded.at`,
      [
        this.namespace,
        batch.map((o) => o.source),
        batch.map((o) => o.sourceId),
        batch.map((o) => o.outcome),
        batch.map((o) => JSON.stringify(o.reasons)),
        batch.map((o) => o.canonicalId),
        batch.map((o) => JSON.stringify(o.unmappedTerms)),
        batch.map((o) => o.missingCoordinates),
        batch.map((o) => o.at),
      ],
    );
  }

  async recordRun(run: SourceRun): Promise<void> {
    await this.pool.query(
      `insert into catalog_source_runs (namespace, source, started_at, finished_at, location, outcome,
         listings, rejected, reasons, etag, last_modified, error)
       values ($1, $2, to_timestamp($3 / 1000.0), to_timestamp($4 / 1000.0), $5, $6, $7, $8, $9, $10, $11, $12)
       on conflict do nothing`,
      [
        this.namespace,
        run.source,
        run.startedAt,
        run.finishedAt,
        run.location,
        run.outcome,
        run.listings,
        run.rejected,
        JSON.stringify(run.reasons),
        run.etag,
        run.lastModified,
        run.error,
      ],
    );
  }

  /** The validators of the source's last successful fetch, for a conditional request. */
  async lastValidators(source: string): Promise<{ etag: string | null; lastModified: string | null }> {
    const r = await this.pool.query<{ etag: string | null; last_modified: string | null }>(
      `select etag, last_modified from catalog_source_runs
       where namespace = $1 and source = $2 and outcome = 'imported'
       order by started_at desc limit 1`,
      [this.namespace, source],
    );
    return { etag: r.rows[0]?.etag ?? null, lastModified: r.rows[0]?.last_modified ?? null };
  }

  /** Quality figures of every source seen in runs or outcomes, by source name. */
  async report(): Promise<SourceQuality[]> {
    const ns = [this.namespace];
    const [runs, outcomes, unmapped, reasons] = await Promise.all([
      this.pool.query<{
        source: string;
        at: Date;
        outcome: SourceRun['outcome'];
        listings: number;
        rejected: number;
      }>(
        `select distinct on (source) source, started_at as at, outcome, listings, rejected
         from catalog_source_runs where namespace = $1 order by source, started_at desc`,
        ns,
      ),
      this.pool.query<{
        source: string;
        accepted: string;
        rejected: string;
        merged: string;
        missing: string;
      }>(
        `select l.source,
           count(*) filter (where l.outcome = 'accepted') as accepted,
           count(*) filter (where l.outcome = 'rejected') as rejected,
           count(*) filter (where l.outcome = 'accepted' and exists (
             select 1 from catalog_listings o
             where o.namespace = l.namespace and o.canonical_id = l.canonical_id
               and o.outcome = 'accepted' and o.source <> l.source)) as merged,
           count(*) filter (where l.outcome = 'accepted' and l.missing_coordinates) as missing
         from catalog_listings l where l.namespace = $1 group by l.source`,
        ns,
      ),
      this.pool.query<{ source: string; term: string; n: string }>(
        `select source, term, count(*) as n
         from catalog_listings, jsonb_array_elements_text(unmapped_terms) as term
         where namespace = $1 and outcome = 'accepted' group by source, term order by n desc, term`,
        ns,
      ),
      this.pool.query<{ source: string; reason: string; n: string }>(
        `select source, reason, sum(n)::bigint as n from (
           select source, reason, count(*) as n
           from catalog_listings, jsonb_array_elements_text(reasons) as reason
           where namespace = $1 and outcome = 'rejected' group by source, reason
           union all
           select source, reason, 1 from (
             select distinct on (source) source, reasons from catalog_source_runs
             where namespace = $1 and outcome = 'imported' order by source, started_at desc) last,
             jsonb_array_elements_text(last.reasons) as reason
         ) r group by source, reason order by n desc, reason`,
        ns,
      ),
    ]);
    const bySource = new Map<string, SourceQuality>();
    const entry = (source: string): SourceQuality => {
      let q = bySource.get(source);
      if (!q) {
        q = {
          source,
          lastRunAt: null,
          lastOutcome: null,
          fetched: 0,
          parseRejected: 0,
          accepted: 0,
          rejected: 0,
          mergedAsDuplicates: 0,
          missingCoordinates: 0,
          unmappedTerms: [],
          topReasons: [],
        };
        bySource.set(source, q);
      }
      return q;
    };
    for (const r of runs.rows) {
      const q = entry(r.source);
      q.lastRunAt = r.at.getTime();
      q.lastOutcome = r.outcome;
      q.fetched = r.listings + r.rejected;
      q.parseRejected = r.rejected;
    }
    for (const r of outcomes.rows) {
      const q = entry(r.source);
      q.accepted = Number(r.accepted);
      q.rejected = Number(r.rejected);
      q.mergedAsDuplicates = Number(r.merged);
      q.missingCoordinates = Number(r.missing);
    }
    for (const r of unmapped.rows)
      entry(r.source).unmappedTerms.push({ term: r.term, listings: Number(r.n) });
    for (const r of reasons.rows) {
      const q = entry(r.source);
      if (q.topReasons.length < 5) q.topReasons.push({ reason: r.reason, listings: Number(r.n) });
    }
    return [...bySource.values()].sort((a, b) => a.source.localeCompare(b.source));
  }
}

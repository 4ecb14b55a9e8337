/**
 * One import of one source document: read it (file or URL, conditionally), detect its format, run
 * its adapter, and turn what it extracted into raw listings. Publishing is separate
 * ({@link publishImport}), so the same path serves `pulse catalog import`, `pulse catalog run`,
 * the evaluation (no Kafka) and the benchmark.
 */
import { adapterFor } from './adapters/index.ts';
import type { ListingRejection, SourceFormat } from './adapters/adapter.ts';
import { detectFormat } from './detect-format.ts';
import { readDocument } from './fetch/read-document.ts';
import type { FetchOptions } from './fetch/http-fetcher.ts';
import type { RawListing } from './listing.ts';
import { toRawListings } from './raw-listing.ts';
import type { FieldMapping, SourceDefaults } from './sources-config.ts';

export interface ImportSource {
  name: string;
  priority: number;
  format?: SourceFormat | undefined;
  defaults: SourceDefaults;
  mapping?: FieldMapping | undefined;
}

export interface ImportOptions {
  /** Recurring events are expanded over [now, now + horizonDays). Default {@link DEFAULT_HORIZON_DAYS}. */
  horizonDays?: number;
  now?: number;
  /** Validators of the previous fetch, for a conditional request. */
  etag?: string | null;
  lastModified?: string | null;
  /** Allow private and loopback addresses (off by default: sources are outside). */
  allowPrivate?: boolean;
  timeoutMs?: number;
  maxBytes?: number;
  /** FOR TESTS ONLY: the fetcher's network seams (see {@link FetchOptions.network}). */
  network?: FetchOptions['network'];
}

export type ImportResult =
  | { status: 'not-modified'; fetchedAt: number }
  | {
      status: 'imported';
      format: SourceFormat;
      fetchedAt: number;
      listings: RawListing[];
      rejected: ListingRejection[];
      etag: string | null;
      lastModified: string | null;
    };

export class ImportError extends Error {
  readonly code = 'IMPORT_FAILED';
}

const DAY = 86_400_000;
/** How far ahead recurring events are expanded by default: half a year of a season's programme. */
export const DEFAULT_HORIZON_DAYS = 180;

/** Reads and extracts a document. Throws {@link ImportError} or a fetch error when it cannot be read. */
export async function importDocument(
  location: string,
  source: ImportSource,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const now = opts.now ?? Date.now();
  const doc = await readDocument(location, {
    etag: opts.etag ?? null,
    lastModified: opts.lastModified ?? null,
    allowPrivate: opts.allowPrivate ?? false,
    timeoutMs: opts.timeoutMs,
    maxBytes: opts.maxBytes,
    network: opts.network,
  });
  if (doc.status === 'not-modified') return { status: 'not-modified', fetchedAt: now };
  const document = { body: doc.body, contentType: doc.contentType, location };
  const format = source.format ?? detectFormat(document);
  if (!format)
    throw new ImportError(
      `${location}: cannot tell the format (ics, jsonld, json or csv); pass --format or set it in the sources file`,
    );
  if ((format === 'json' || format === 'csv') && !source.mapping)
    throw new ImportError(
      `${location}: ${format} sources need a field mapping: add the source to configs/sources.yaml and pass --source`,
    );
  const extracted = adapterFor(format).parse(document, {
    source: source.name,
    defaults: source.defaults,
    horizon: { fromMs: now, toMs: now + (opts.horizonDays ?? DEFAULT_HORIZON_DAYS) * DAY },
    mapping: source.mapping,
  });
  const batch = toRawListings(source, extracted.listings, now);
  return {
    status: 'imported',
    format,
    fetchedAt: now,
    listings: batch.listings,
    rejected: [...extracted.rejected, ...batch.rejected],
    etag: doc.etag ?? null,
    lastModified: doc.lastModified ?? null,
  };
}

/**
 * The mapped JSON and CSV source adapters: documents with no standard event vocabulary (ticketing
 * API dumps, spreadsheet exports), read record by record with the source's declarative
 * {@link FieldMapping} from `configs/sources.yaml`.
 *
 * A record without title or start, or with a date that does not match the mapping's format, is
 * rejected (the field and the column named); the other records are still returned. A document
 * that cannot be read at all (not JSON, broken CSV quoting, no mapping, records not an array) is
 * one rejection with sourceId null.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type {
  AdapterContext,
  AdapterResult,
  ExtractedListing,
  ListingRejection,
  SourceAdapter,
  SourceDocument,
} from './adapter.ts';
import type { FieldMapping } from '../sources-config.ts';
import { readPath } from './mapped-path.ts';
import { readRecord } from './mapped-record.ts';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

const failed = (reason: string): AdapterResult => ({
  listings: [],
  rejected: [{ sourceId: null, reason }],
});

function readAll(
  records: readonly { record: unknown; where: string }[],
  mapping: FieldMapping,
  ctx: AdapterContext,
): AdapterResult {
  const listings: ExtractedListing[] = [];
  const rejected: ListingRejection[] = [];
  for (const { record, where } of records) {
    const read = readRecord(record, where, mapping, ctx.defaults);
    if (read.ok) listings.push(read.listing);
    else rejected.push(read.rejection);
  }
  return { listings, rejected };
}

/** Mapped JSON: the records are the array at `mapping.records` (`data.events`), or the root. */
export const jsonAdapter: SourceAdapter = {
  format: 'json',
  parse(doc: SourceDocument, ctx: AdapterContext): AdapterResult {
    const mapping = ctx.mapping;
    if (!mapping) return failed('json sources need a field mapping');
    let root: unknown;
    try {
      root = JSON.parse(doc.body.replace(/^\uFEFF/, ''));
    } catch (err) {
      return failed(`invalid JSON: ${message(err)}`);
    }
    const path = mapping.records;
    const records: unknown = path === undefined ? root : readPath(root, path);
    if (!Array.isArray(records)) return failed(`records (${path ?? 'the document'}): not an array`);
    const prefix = path ?? '';
    return readAll(
      (records as unknown[]).map((record, i) => ({ record, where: `${prefix}[${i}]` })),
      mapping,
      ctx,
    );
  },
};

/**
 * Mapped CSV: a header row names the columns; quoted fields may hold delimiters and line breaks;
 * a byte order mark is ignored; cells are trimmed; rows with missing trailing cells are read with
 * those cells blank.
 */
export const csvAdapter: SourceAdapter = {
  format: 'csv',
  parse(doc: SourceDocument, ctx: AdapterContext): AdapterResult {
    const mapping = ctx.mapping;
    if (!mapping) return failed('csv sources need a field mapping');
    let rows: Record<string, string>[];
    try {
      rows = parseCsv<Record<string, string>>(doc.body, {
        columns: (header: string[]) => header.map((h) => h.trim()),
        bom: true,
        delimiter: mapping.delimiter ?? ',',
        skip_empty_lines: true,
        relax_column_count: true,
        trim: true,
      });
    } catch (err) {
      return failed(`unreadable CSV: ${message(err)}`);
    }
    return readAll(
      rows.map((record, i) => ({ record, where: `row ${i + 1}` })),
      mapping,
      ctx,
    );
  },
};

/**
 * One adapter per source type (iCalendar, schema.org JSON-LD, mapped JSON, mapped CSV), one
 * interface: a fetched document in, the listings it holds out (each as a {@link ListingDraft}), plus
 * the listings it could not read, with reasons. Adapters only extract: they never interpret prices,
 * categories or local times (normalisation does), but they do fill in the source's configured
 * defaults (zone, country, city, currency, language) where the document says nothing.
 */
import type { ListingDraftInput } from '../listing.ts';
import type { FieldMapping, SourceDefaults } from '../sources-config.ts';

export type SourceFormat = 'ics' | 'jsonld' | 'json' | 'csv';

export interface SourceDocument {
  body: string;
  /** The HTTP `Content-Type`, or null for local files. */
  contentType: string | null;
  /** Where it came from (URL or file path), for messages and relative links. */
  location: string | null;
}

export interface AdapterContext {
  source: string;
  defaults: SourceDefaults;
  /** Recurring events are expanded to the occurrences starting in [fromMs, toMs). */
  horizon: { fromMs: number; toMs: number };
  /** The declarative field mapping of a `json` or `csv` source. */
  mapping?: FieldMapping | undefined;
}

export interface ExtractedListing {
  /** Stable within the source: the same listing gets the same id on every import. */
  sourceId: string;
  draft: ListingDraftInput;
}

export interface ListingRejection {
  /** The listing's id if it could be read, else null. */
  sourceId: string | null;
  reason: string;
}

export interface AdapterResult {
  listings: ExtractedListing[];
  rejected: ListingRejection[];
}

export interface SourceAdapter {
  readonly format: SourceFormat;
  /** Never throws for bad content: unreadable documents or listings come back as rejections. */
  parse(doc: SourceDocument, ctx: AdapterContext): AdapterResult;
}

/**
 * The contract of catalogue search: what a query may ask, what it answers, and the one error a
 * caller must tell apart (a cursor that does not belong to the query). {@link PgEventStore}
 * implements it over PostgreSQL; the query API depends only on this interface.
 */
import type { CatalogEvent, Category } from '../../../model/index.ts';

type EventStatus = CatalogEvent['status'];

export const SEARCH_DEFAULT_LIMIT = 20;
export const SEARCH_MAX_LIMIT = 100;
/** Statuses searched when a query names none: cancelled and postponed events are opt-in. */
export const SEARCH_DEFAULT_STATUSES: readonly EventStatus[] = ['scheduled'];
/** The city facet lists at most this many cities (the most frequent first). */
export const CITY_FACET_LIMIT = 50;

export interface EventSearchQuery {
  /**
   * Free text (websearch syntax: `"phrase"`, `-not`, `or`), matched against title, performers,
   * venue, city and category in the event's language and, accent-free, in any language; also
   * matches titles that are close in spelling (typos). Orders the answer by relevance.
   */
  q?: string | undefined;
  /** Only events in this city; case and accents do not matter. */
  city?: string | undefined;
  /** Origin of `distanceKm` (both or neither). */
  lat?: number | undefined;
  lon?: number | undefined;
  /** Only events whose venue has coordinates within this distance of (lat, lon); needs both. */
  radiusKm?: number | undefined;
  /** Only events of these top-level categories (none or empty: all). */
  categories?: readonly Category[] | undefined;
  /**
   * The window (epoch ms): events overlapping it, i.e. starting before `toMs` and either starting at
   * or after `fromMs` or still running after it (endsAt > fromMs). Either bound may be absent.
   */
  fromMs?: number | undefined;
  toMs?: number | undefined;
  /** Only free events and events whose cheapest ticket costs at most this (any currency). */
  maxPrice?: number | undefined;
  /** Default {@link SEARCH_DEFAULT_STATUSES}. */
  statuses?: readonly EventStatus[] | undefined;
  /** Items per page: default {@link SEARCH_DEFAULT_LIMIT}, at most {@link SEARCH_MAX_LIMIT}. */
  limit?: number | undefined;
  /** `nextCursor` of the previous page of the same query (same filters; limit may change). */
  cursor?: string | undefined;
}

export interface EventSearchItem {
  event: CatalogEvent;
  /** From (lat, lon) when the query gave them and the venue has coordinates; else null. */
  distanceKm: number | null;
  /** Relevance (higher is better) when the query has `q`; else null. */
  score: number | null;
}

export interface FacetCount<V extends string = string> {
  value: V;
  count: number;
}

export interface EventSearchResult {
  items: EventSearchItem[];
  /**
   * Counts over every match, not just the page. As in faceted search, the category facet ignores
   * the category filter and the city facet the city filter (so the other choices stay visible).
   * Most frequent first, then by value; at most {@link CITY_FACET_LIMIT} cities.
   */
  facets: { category: FacetCount<Category>[]; city: FacetCount[] };
  /** Number of events matching every filter. */
  total: number;
  /** Pass as `cursor` (with the same filters) for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Reading the catalogue: what the query API needs. */
export interface EventSearch {
  /** The event with this id, or null. */
  get(id: string): Promise<CatalogEvent | null>;
  /**
   * One page of the events matching `q`. Rejects with an error whose `code` is `'INVALID_CURSOR'`
   * ({@link InvalidSearchCursorError}) when `q.cursor` is malformed or was issued for other filters.
   */
  search(q: EventSearchQuery): Promise<EventSearchResult>;
}

/**
 * The cursor is not one this store wrote, or was written for a query with other filters. Callers
 * that must not depend on this class (the query API sees only the interface) test `code`.
 */
export class InvalidSearchCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
  readonly retriable = false;
  override name = 'InvalidSearchCursorError';
}

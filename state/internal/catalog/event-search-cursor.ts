/**
 * Search cursors: the sort key of the last row served plus a hash of the filters it was served for.
 * Opaque to clients (base64url JSON). The key is exactly what the SQL orders by, so the next page
 * starts strictly after it (keyset pagination: stable under inserts, never repeats or skips):
 *
 * - `rank` (a query with `q`): the relevance score as PostgreSQL rounded it (a decimal string, so it
 *   compares exactly), then the id;
 * - `time` (no `q`): startsAt as a UTC instant with microseconds (PostgreSQL's precision), then the id.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidSearchCursorError, SEARCH_DEFAULT_STATUSES, type EventSearchQuery } from './event-search.ts';

export type SortMode = 'rank' | 'time';

export interface SearchCursor {
  /** Hash of the filters ({@link searchFilterHash}). */
  f: string;
  k: SortMode;
  /** The last row's sort key: a rounded score or a UTC instant (see the module comment). */
  s: string;
  id: string;
}

const SCORE = /^-?\d{1,12}(?:\.\d{1,12})?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

// The key is cast in SQL (::numeric, ::timestamptz), so its format is checked here: a bad one is a
// 400 about the cursor, not a failed statement.
const CursorJson = z
  .strictObject({
    v: z.literal(1),
    f: z.string().min(1).max(64),
    k: z.enum(['rank', 'time']),
    s: z.string().max(40),
    id: z.string().min(1).max(1000),
  })
  .refine((c) => (c.k === 'rank' ? SCORE : INSTANT).test(c.s));

export function encodeSearchCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, ...c })).toString('base64url');
}

/**
 * The cursor's sort key, if `raw` is a cursor this module wrote for a query with these filters;
 * else throws {@link InvalidSearchCursorError}.
 */
export function decodeSearchCursor(raw: string, q: EventSearchQuery): SearchCursor {
  const invalid = () => new InvalidSearchCursorError('cursor is not a cursor of this API');
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(raw)) throw invalid();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = CursorJson.safeParse(json);
  if (!parsed.success) throw invalid();
  const { f, k, s, id } = parsed.data;
  if (f !== searchFilterHash(q) || k !== sortModeOf(q))
    throw new InvalidSearchCursorError('cursor was issued for other filters than this request');
  return { f, k, s, id };
}

/** Relevance when there is text to rank by; else chronological. */
export const sortModeOf = (q: EventSearchQuery): SortMode => (searchText(q) === undefined ? 'time' : 'rank');

/** The query's text, trimmed; undefined when absent or blank. */
export function searchText(q: EventSearchQuery): string | undefined {
  const t = q.q?.trim();
  return t ? t : undefined;
}

/** How the city filter compares: trimmed, lower case, without accents (as `city_norm` in SQL). */
export const cityKey = (city: string): string =>
  city.trim().toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');

/**
 * Hash of everything that selects the events of a search (not `limit` or `cursor`, which may change
 * between pages), each in the form that decides the result, so equivalent queries hash alike.
 */
export function searchFilterHash(q: EventSearchQuery): string {
  const city = q.city?.trim() ? cityKey(q.city) : null;
  const canonical = JSON.stringify([
    searchText(q) ?? null,
    city,
    q.lat ?? null,
    q.lon ?? null,
    q.radiusKm ?? null,
    q.categories?.length ? [...new Set(q.categories)].sort() : null,
    q.fromMs ?? null,
    q.toMs ?? null,
    q.maxPrice ?? null,
    [...new Set(q.statuses?.length ? q.statuses : SEARCH_DEFAULT_STATUSES)].sort(),
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

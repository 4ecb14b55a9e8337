import type pg from 'pg';
import type { CatalogEvent, Category } from '../../../model/index.ts';
import {
  SEARCH_DEFAULT_LIMIT,
  SEARCH_MAX_LIMIT,
  type EventSearch,
  type EventSearchQuery,
  type EventSearchResult,
} from './event-search.ts';
import {
  decodeSearchCursor,
  encodeSearchCursor,
  searchFilterHash,
  sortModeOf,
} from './event-search-cursor.ts';
import { buildSearchSql, type SearchRow } from './event-search-sql.ts';
import { eventRow, UPSERT_EVENTS_SQL } from './event-row.ts';

/** Events per upsert statement: one JSON parameter each, a few MB at most. */
export const UPSERT_BATCH = 500;

/**
 * The searchable event catalogue in PostgreSQL (`events`, migration 0004): written by the
 * catalog-store job from the `events-catalog` topic (upserts, deletes on tombstones), read by the
 * query API. Rows belong to a namespace (the deployment's `PULSE_NAMESPACE`, empty by default), as
 * the topics do. {@link close} ends the pool.
 */
export class PgEventStore implements EventSearch {
  constructor(
    private readonly pool: pg.Pool,
    private readonly namespace = '',
  ) {}

  /**
   * Inserts or replaces the events (the last one wins when an id repeats), in statements of
   * {@link UPSERT_BATCH}. An event identical to its row is skipped, so re-delivery changes nothing.
   * Returns the number of rows inserted or changed.
   */
  async upsertMany(events: readonly CatalogEvent[]): Promise<number> {
    // One statement cannot touch a row twice (ON CONFLICT), so repeated ids are collapsed first.
    const latest = [...new Map(events.map((e) => [e.id, e])).values()];
    let changed = 0;
    for (let i = 0; i < latest.length; i += UPSERT_BATCH) {
      const rows = latest.slice(i, i + UPSERT_BATCH).map(eventRow);
      const r = await this.pool.query(UPSERT_EVENTS_SQL, [JSON.stringify(rows), this.namespace]);
      changed += r.rowCount ?? 0;
    }
    return changed;
  }

  /** Removes these events; returns how many existed. */
  async deleteMany(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.pool.query('delete from events where namespace = $1 and id = any($2::text[])', [
      this.namespace,
      [...ids],
    ]);
    return r.rowCount ?? 0;
  }

  async get(id: string): Promise<CatalogEvent | null> {
    const r = await this.pool.query<{ doc: CatalogEvent }>(
      'select doc from events where namespace = $1 and id = $2',
      [this.namespace, id],
    );
    return r.rows[0]?.doc ?? null;
  }

  /**
   * One page of matches (see {@link EventSearchQuery} for each filter). Ordered by relevance, then
   * id, when `q` is given; else by startsAt, then id. Rejects with InvalidSearchCursorError for a
   * cursor of other filters, and with a RangeError for a query the API would have refused (lat
   * without lon, radius without origin), which is a bug of the caller.
   */
  async search(q: EventSearchQuery): Promise<EventSearchResult> {
    if ((q.lat === undefined) !== (q.lon === undefined)) throw new RangeError('lat and lon go together');
    if (q.radiusKm !== undefined && q.lat === undefined) throw new RangeError('radiusKm needs lat and lon');
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? SEARCH_DEFAULT_LIMIT), 1), SEARCH_MAX_LIMIT);
    const after = q.cursor === undefined ? null : decodeSearchCursor(q.cursor, q);

    const sql = buildSearchSql(this.namespace, q, limit, after);
    const r = await this.pool.query<SearchRow>(sql.text, sql.values);
    const row = r.rows[0];
    if (!row) throw new Error('search statement returned no row');

    const page = row.items.slice(0, limit);
    const last = page.at(-1);
    const mode = sortModeOf(q);
    const nextCursor =
      row.items.length > limit && last
        ? encodeSearchCursor({
            f: searchFilterHash(q),
            k: mode,
            s: mode === 'rank' ? (last.score ?? '0') : last.startsKey,
            id: last.id,
          })
        : null;
    return {
      items: page.map((it) => ({
        event: it.doc as CatalogEvent,
        distanceKm: it.distanceKm,
        score: it.score === null ? null : Number(it.score),
      })),
      facets: {
        category: row.category_facet as Array<{ value: Category; count: number }>,
        city: row.city_facet,
      },
      total: row.total,
      nextCursor,
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

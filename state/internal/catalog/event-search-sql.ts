/**
 * The one statement behind a search page: matches, total, both facets and the page, from one
 * snapshot in one round trip. Every value of the query is a bind parameter ($n); the only text
 * spliced into the SQL is this module's own (column names, text search configuration names).
 *
 * Matching `q` (see the migration 0004 for how `search` is built):
 * - full text: `websearch_to_tsquery` in the row's own language (`lang`, stemmed: 'Landschaft'
 *   finds 'Landschaften') or in 'simple' over the unaccented text (names, any language, accents
 *   ignored). The OR of the query in every configuration is tested first, so the GIN index on
 *   `search` can be used; the row's language is then checked exactly;
 * - typos: the unaccented, lower-case query is close to a part of the title (`<%`, pg_trgm's word
 *   similarity, threshold `pg_trgm.word_similarity_threshold`, 0.6 by default), via the trigram index.
 *
 * Relevance = ts_rank + word similarity, rounded to 6 decimals so that the cursor can hold it exactly.
 */
import { CITY_FACET_LIMIT, SEARCH_DEFAULT_STATUSES, type EventSearchQuery } from './event-search.ts';
import { searchText, sortModeOf, type SearchCursor } from './event-search-cursor.ts';
import { TEXT_SEARCH_CONFIGS } from './event-row.ts';

export interface Sql {
  text: string;
  values: unknown[];
}

/** One item as the statement returns it (inside the `items` JSON array). */
export interface SearchRowItem {
  id: string;
  doc: unknown;
  /** Rounded relevance as a decimal string, or null without `q`. */
  score: string | null;
  distanceKm: number | null;
  /** startsAt, UTC, microseconds: the time sort key. */
  startsKey: string;
}

export interface SearchRow {
  total: number;
  category_facet: Array<{ value: string; count: number }>;
  city_facet: Array<{ value: string; count: number }>;
  items: SearchRowItem[];
}

/** Collects bind parameters; `add` returns the placeholder of a value. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/**
 * The events of `namespace` matching `q`: at most `limit + 1` items after `after` (the extra one
 * tells whether there is a next page).
 */
export function buildSearchSql(
  namespace: string,
  q: EventSearchQuery,
  limit: number,
  after: SearchCursor | null,
): Sql {
  const p = new Params();
  const ns = p.add(namespace);
  const where: string[] = [`e.namespace = ${ns}`];

  const statuses = [...new Set(q.statuses?.length ? q.statuses : SEARCH_DEFAULT_STATUSES)];
  where.push(`e.status = any(${p.add(statuses)}::text[])`);

  if (q.toMs !== undefined) where.push(`e.starts_at < ${p.add(iso(q.toMs))}::timestamptz`);
  if (q.fromMs !== undefined) {
    const from = p.add(iso(q.fromMs));
    where.push(`(e.starts_at >= ${from}::timestamptz or e.ends_at > ${from}::timestamptz)`);
  }
  if (q.maxPrice !== undefined) where.push(`(e.is_free or e.price_min <= ${p.add(q.maxPrice)}::numeric)`);

  let distance = 'null::numeric';
  if (q.lat !== undefined && q.lon !== undefined) {
    const origin = `ll_to_earth(${p.add(q.lat)}::float8, ${p.add(q.lon)}::float8)`;
    distance = `case when e.geo is null then null else round((earth_distance(${origin}, e.geo) / 1000)::numeric, 3) end`;
    if (q.radiusKm !== undefined) {
      const metres = p.add(q.radiusKm * 1000);
      // earth_box (a cube around the circle, indexable) then the exact great-circle distance.
      where.push(`earth_box(${origin}, ${metres}::float8) @> e.geo`);
      where.push(`earth_distance(${origin}, e.geo) <= ${metres}::float8`);
    }
  }

  let score = 'null::numeric';
  const text = searchText(q);
  if (text !== undefined) {
    const t = p.add(text);
    const norm = `lower(unaccent(${t}::text))`;
    const simple = `websearch_to_tsquery('simple', ${norm})`;
    const own = `websearch_to_tsquery(e.lang::regconfig, ${t}::text)`;
    const anyLanguage = [
      simple,
      ...TEXT_SEARCH_CONFIGS.map((c) => `websearch_to_tsquery('${c}', ${t}::text)`),
    ];
    where.push(
      `((e.search @@ (${anyLanguage.join(' || ')}) and (e.search @@ ${own} or e.search @@ ${simple}))` +
        ` or ${norm} <% e.title_norm)`,
    );
    score = `round((ts_rank(e.search, ${own} || ${simple})::float8 + word_similarity(${norm}, e.title_norm)::float8)::numeric, 6)`;
  }

  const catOk = q.categories?.length
    ? `e.category = any(${p.add([...new Set(q.categories)])}::text[])`
    : 'true';
  const cityOk = q.city?.trim() ? `e.city_norm = lower(unaccent(${p.add(q.city.trim())}::text))` : 'true';

  const mode = sortModeOf(q);
  const order = (t: string) => (mode === 'rank' ? `${t}.score desc, ${t}.id` : `${t}.starts_at, ${t}.id`);
  let keyset = 'true';
  if (after) {
    const id = p.add(after.id);
    const key = p.add(after.s);
    keyset =
      mode === 'rank'
        ? `(m.score < ${key}::numeric or (m.score = ${key}::numeric and m.id > ${id}))`
        : `(m.starts_at, m.id) > (${key}::timestamptz, ${id})`;
  }

  const sql = `
with matched as materialized (
  select e.id, e.category, e.city, e.city_norm, e.starts_at,
         ${catOk} as cat_ok, ${cityOk} as city_ok, ${score} as score, ${distance} as distance_km
  from events e
  where ${where.join('\n    and ')}
), page as (
  select m.* from matched m
  where m.cat_ok and m.city_ok and ${keyset}
  order by ${order('m')}
  limit ${p.add(limit + 1)}
)
select
  (select count(*)::int from matched where cat_ok and city_ok) as total,
  (select coalesce(jsonb_agg(jsonb_build_object('value', f.category, 'count', f.n)
            order by f.n desc, f.category), '[]'::jsonb)
     from (select category, count(*)::int as n from matched where city_ok group by category) f
  ) as category_facet,
  (select coalesce(jsonb_agg(jsonb_build_object('value', f.city, 'count', f.n)
            order by f.n desc, f.city), '[]'::jsonb)
     from (select min(city) as city, count(*)::int as n from matched where cat_ok
           group by city_norm order by n desc, city limit ${p.add(CITY_FACET_LIMIT)}) f
  ) as city_facet,
  (select coalesce(jsonb_agg(jsonb_build_object(
            'id', pp.id, 'doc', e.doc, 'score', pp.score::text, 'distanceKm', pp.distance_km,
            'startsKey', to_char(pp.starts_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
            order by ${order('pp')}), '[]'::jsonb)
     from page pp join events e on e.namespace = ${ns} and e.id = pp.id
  ) as items`;
  return { text: sql, values: p.values };
}

const iso = (ms: number) => new Date(ms).toISOString();

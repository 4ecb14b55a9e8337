/**
 * A {@link CatalogEvent} as a row of the `events` table (migration 0004), and the batched upsert
 * that writes rows. TypeScript flattens the event and picks its text search configuration; the SQL
 * derives what needs PostgreSQL (unaccent, tsvector, ll_to_earth), since unaccent is not IMMUTABLE
 * and so cannot feed generated columns.
 */
import { createHash } from 'node:crypto';
import type { CatalogEvent } from '../../../model/index.ts';

/** Configurations of the events' languages (plus 'simple', always used); see {@link textSearchConfig}. */
export const TEXT_SEARCH_CONFIGS = [
  'english',
  'german',
  'french',
  'spanish',
  'italian',
  'dutch',
  'portuguese',
] as const;
export type TextSearchConfig = (typeof TEXT_SEARCH_CONFIGS)[number];

const CONFIG_OF_COUNTRY: Readonly<Record<string, TextSearchConfig>> = {
  DE: 'german',
  AT: 'german',
  FR: 'french',
  ES: 'spanish',
  IT: 'italian',
  NL: 'dutch',
  PT: 'portuguese',
};

/** The language the event is most likely described in, from its country; English otherwise. */
export const textSearchConfig = (country: string): TextSearchConfig =>
  CONFIG_OF_COUNTRY[country.toUpperCase()] ?? 'english';

/**
 * Bump when the derived columns change (how `search` is built, a new column...): every event's hash
 * changes, so the next delivery of each event rewrites its row instead of being skipped as unchanged.
 */
const ROW_FORMAT = 1;

/** Hash of the event's content (key order does not matter) and of {@link ROW_FORMAT}. */
export function docHash(event: CatalogEvent): string {
  return createHash('sha256')
    .update(`${ROW_FORMAT}:${canonicalJson(event)}`)
    .digest('base64url');
}

/** JSON with object keys sorted at every level; `undefined` members are left out, as JSON.stringify does. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x ?? null)).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const members = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The columns TypeScript provides, by name (the record type of the upsert's jsonb_to_recordset). */
export interface EventRow {
  id: string;
  doc: CatalogEvent;
  doc_hash: string;
  title: string;
  category: string;
  subcategory: string | null;
  city: string;
  country: string;
  starts_at: string;
  ends_at: string | null;
  lat: number | null;
  lon: number | null;
  price_min: number | null;
  price_max: number | null;
  currency: string | null;
  is_free: boolean;
  status: string;
  lang: TextSearchConfig;
  /** Weight B of the search vector: performers and venue name. */
  people: string;
  /** Weight C: city, category, subcategory. */
  place: string;
}

export function eventRow(e: CatalogEvent): EventRow {
  return {
    id: e.id,
    doc: e,
    doc_hash: docHash(e),
    title: e.title,
    category: e.category,
    subcategory: e.subcategory,
    city: e.city,
    country: e.country,
    starts_at: e.startsAt,
    ends_at: e.endsAt,
    lat: e.venue.lat,
    lon: e.venue.lon,
    price_min: e.price?.min ?? null,
    price_max: e.price?.max ?? null,
    currency: e.price?.currency ?? null,
    is_free: e.price?.isFree ?? false,
    status: e.status,
    lang: textSearchConfig(e.country),
    people: [...(e.performers ?? []), e.venue.name].join(' '),
    place: [e.city, e.category, e.subcategory ?? ''].join(' ').trim(),
  };
}

/**
 * Upserts the rows of `$1` (a JSON array of {@link EventRow}) into namespace `$2`. A row is rewritten
 * only when its hash changed, so a re-delivered event changes nothing; the row count is the rows
 * changed.
 */
export const UPSERT_EVENTS_SQL = `
insert into events as t (
  namespace, id, doc, doc_hash, title, title_norm, category, subcategory, city, city_norm, country,
  starts_at, ends_at, lat, lon, geo, price_min, price_max, currency, is_free, status, lang, search,
  updated_at
)
select
  $2::text, r.id, r.doc, r.doc_hash, r.title, lower(unaccent(r.title)), r.category, r.subcategory,
  r.city, lower(unaccent(btrim(r.city))), r.country, r.starts_at, r.ends_at, r.lat, r.lon,
  case when r.lat is null or r.lon is null then null else ll_to_earth(r.lat, r.lon) end,
  r.price_min, r.price_max, r.currency, r.is_free, r.status, r.lang,
  setweight(to_tsvector(r.lang::regconfig, r.title), 'A')
    || setweight(to_tsvector(r.lang::regconfig, r.people), 'B')
    || setweight(to_tsvector(r.lang::regconfig, r.place), 'C')
    || setweight(to_tsvector('simple', unaccent(r.title)), 'A')
    || setweight(to_tsvector('simple', unaccent(r.people)), 'B')
    || setweight(to_tsvector('simple', unaccent(r.place)), 'C'),
  now()
from jsonb_to_recordset($1::jsonb) as r(
  id text, doc jsonb, doc_hash text, title text, category text, subcategory text, city text,
  country text, starts_at timestamptz, ends_at timestamptz, lat float8, lon float8,
  price_min numeric, price_max numeric, currency text, is_free boolean, status text,
  lang text, people text, place text
)
on conflict (namespace, id) do update set
  doc = excluded.doc, doc_hash = excluded.doc_hash, title = excluded.title,
  title_norm = excluded.title_norm, category = excluded.category,
  subcategory = excluded.subcategory, city = excluded.city, city_norm = excluded.city_norm,
  country = excluded.country, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
  lat = excluded.lat, lon = excluded.lon, geo = excluded.geo, price_min = excluded.price_min,
  price_max = excluded.price_max, currency = excluded.currency, is_free = excluded.is_free,
  status = excluded.status, lang = excluded.lang, search = excluded.search,
  updated_at = excluded.updated_at
where t.doc_hash is distinct from excluded.doc_hash`;

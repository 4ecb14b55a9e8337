-- The event catalogue, searchable: one row per CatalogEvent (`doc`, as published on the compacted
-- `events-catalog` topic) plus the columns that filters, ordering and full-text search read.
-- Rows are written only by PgEventStore's upsert, which computes the derived columns (title_norm,
-- city_norm, geo, search): unaccent() is not IMMUTABLE, so they cannot be generated columns.
-- Rows are namespaced like every table the jobs write (`PULSE_NAMESPACE`, empty in production), so
-- two deployments or test runs sharing one database never see each other's catalogue.
create extension if not exists pg_trgm;
create extension if not exists unaccent;
create extension if not exists cube;
create extension if not exists earthdistance;

create table events (
  namespace text not null default '',
  id text not null,
  doc jsonb not null,
  -- Hash of the event's canonical JSON: an upsert with the same hash (a re-delivery) is a no-op.
  doc_hash text not null,
  title text not null,
  -- lower(unaccent(title)), for typo-tolerant trigram matching.
  title_norm text not null,
  category text not null,
  subcategory text,
  city text not null,
  -- lower(unaccent(trim(city))): the city filter ignores case and accents.
  city_norm text not null,
  country text not null,
  starts_at timestamptz not null,
  ends_at timestamptz,
  lat double precision,
  lon double precision,
  -- ll_to_earth(lat, lon), stored rather than indexed as an expression: ll_to_earth's body names
  -- cube and earth unqualified, so an expression index breaks ANALYZE, autovacuum and pg_restore,
  -- which run with a restricted search_path.
  geo earth,
  price_min numeric,
  price_max numeric,
  currency text,
  is_free boolean not null,
  status text not null,
  -- The text search configuration of the event's language (from its country: 'german', ...), which
  -- built `search` and parses queries against it. Text, not regconfig: pg_upgrade refuses tables
  -- with regconfig columns.
  lang text not null,
  -- Weighted: A title, B performers and venue, C city and category; in `lang` and, unaccented, in
  -- 'simple' (so names match whatever the language of the query).
  search tsvector not null,
  updated_at timestamptz not null default now(),
  primary key (namespace, id)
);

-- Full text; typo-tolerant title match (pg_trgm's word similarity, `<%`); chronological order and
-- keyset paging; the city (as compared: normalised) and category filters; the radius filter
-- (earth_box @> geo).
create index events_search_idx on events using gin (search);
create index events_title_norm_trgm_idx on events using gin (title_norm gin_trgm_ops);
create index events_starts_at_id_idx on events (namespace, starts_at, id);
create index events_city_norm_idx on events (namespace, city_norm);
create index events_category_idx on events (namespace, category);
create index events_geo_idx on events using gist (geo) where geo is not null;

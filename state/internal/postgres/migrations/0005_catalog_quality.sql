-- Data quality of the catalogue's sources. `catalog_listings`: what became of each listing (the
-- latest outcome per listing, written by the catalog-store job from `catalog-listing-status`).
-- `catalog_source_runs`: one row per fetch of a source (`pulse catalog import` and `run`), with the
-- validators (ETag, Last-Modified) the next conditional fetch sends.
create table if not exists catalog_listings (
  namespace text not null default '',
  source text not null,
  source_id text not null,
  outcome text not null check (outcome in ('accepted', 'rejected')),
  reasons jsonb not null default '[]',
  canonical_id text,
  unmapped_terms jsonb not null default '[]',
  missing_coordinates boolean not null default false,
  at bigint not null,
  primary key (namespace, source, source_id)
);
create index if not exists catalog_listings_canonical on catalog_listings (namespace, canonical_id);

create table if not exists catalog_source_runs (
  namespace text not null default '',
  source text not null,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  location text not null,
  outcome text not null check (outcome in ('imported', 'not-modified', 'failed')),
  listings integer not null default 0,
  rejected integer not null default 0,
  reasons jsonb not null default '[]',
  etag text,
  last_modified text,
  error text,
  primary key (namespace, source, started_at)
);

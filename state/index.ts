/**
 * State: local stores, checkpoints, Redis snapshots and PostgreSQL. The public door of `state/`.
 */
export { createPool } from './internal/postgres/pool.ts';
export type { PgPool } from './internal/postgres/pool.ts';
export {
  loadMigrations,
  migrate,
  migrateOnce,
  MigrationError,
  MIGRATIONS_DIR,
} from './internal/postgres/migrator.ts';
export type { Migration } from './internal/postgres/migrator.ts';
export { RedisProfileStore } from './internal/profiles/redis-profiles.ts';
export { PgProfileStore } from './internal/profiles/pg-profiles.ts';
export type { ProfileSink, VersionedProfile } from './internal/profiles/profile-sink.ts';
export { RedisTrendingStore } from './internal/trending/redis-trending.ts';
export type { TrendingEntry, TrendingScore, TrendingSink } from './internal/trending/redis-trending.ts';
export { PgCatalogQuality } from './internal/catalog/pg-catalog-quality.ts';
export type { ListingOutcome, SourceQuality, SourceRun } from './internal/catalog/pg-catalog-quality.ts';
export { PgEventStore } from './internal/catalog/pg-events.ts';
export {
  InvalidSearchCursorError,
  SEARCH_DEFAULT_LIMIT,
  SEARCH_DEFAULT_STATUSES,
  SEARCH_MAX_LIMIT,
} from './internal/catalog/event-search.ts';
export type {
  EventSearch,
  EventSearchItem,
  EventSearchQuery,
  EventSearchResult,
  FacetCount,
} from './internal/catalog/event-search.ts';

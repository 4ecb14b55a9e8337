/**
 * State: local stores, checkpoints, Redis snapshots and PostgreSQL. The public door of `state/`.
 */
export { createPool } from './internal/postgres/pool.ts';
export type { PgPool } from './internal/postgres/pool.ts';
export { loadMigrations, migrate, MigrationError, MIGRATIONS_DIR } from './internal/postgres/migrator.ts';
export type { Migration } from './internal/postgres/migrator.ts';
export { RedisProfileStore } from './internal/profiles/redis-profiles.ts';
export { PgProfileStore } from './internal/profiles/pg-profiles.ts';
export type { ProfileSink, VersionedProfile } from './internal/profiles/profile-sink.ts';
export { RedisTrendingStore } from './internal/trending/redis-trending.ts';
export type { TrendingEntry, TrendingScore, TrendingSink } from './internal/trending/redis-trending.ts';

/** The product's HTTP APIs: the public door. */
export { createIngestApp, BATCH_MAX_BYTES, SINGLE_EVENT_MAX_BYTES } from './ingest/app.ts';
export type { IngestAppDeps, Publish } from './ingest/app.ts';
export { IngestConfigError, IngestError } from './ingest/errors.ts';
export { KafkaPublisher, RAW_USER_EVENTS_TOPIC, ensureTopic } from './ingest/kafka-publisher.ts';
export type { KafkaPublisherOptions } from './ingest/kafka-publisher.ts';
export { createTokenBucket } from './rate-limit.ts';
export type { RateLimiter, RateLimiterOptions } from './rate-limit.ts';
export { DEV_INGEST_KEY, resolveIngestKeys, startIngestServer } from './ingest/server.ts';
export type { IngestServer, IngestServerOptions } from './ingest/server.ts';
export { MAX_BATCH_EVENTS, validateBatch, validateEvent } from './ingest/validation.ts';
export {
  createQueryApp,
  PERSONALIZE_ROUTE,
  PROFILE_ROUTE,
  UNAVAILABLE_RETRY_AFTER_SEC,
} from './query/app.ts';
export type { QueryAppDeps } from './query/app.ts';
export { createQueryAuth, DEV_API_KEY, resolveQueryAuth } from './query/auth.ts';
export type { Principal, QueryAuth, QueryAuthConfig } from './query/auth.ts';
export { ProfileStoreUnavailable, QueryConfigError, QueryError } from './query/errors.ts';
export { applyCatalogueRecord, CatalogueIndex, followCatalogue, haversineKm } from './query/catalogue.ts';
export type { CatalogueFollower, CatalogueQuery, FollowCatalogueOptions } from './query/catalogue.ts';
export {
  buildFeed,
  COLD_START_MIN_EVENTS,
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
} from './query/feed.ts';
export type { Feed, FeedItem, FeedParams, Strategy, TrendingResults, TrendingSource } from './query/feed.ts';
export { createQueryMetrics } from './query/metrics.ts';
export type { QueryMetrics } from './query/metrics.ts';
export { buildOpenApiDocument } from './query/openapi.ts';
export { createProfileSource } from './query/profile-source.ts';
export type { ProfileSource, ProfileSourceDeps } from './query/profile-source.ts';
export { startQueryServer } from './query/server.ts';
export type { QueryServer, QueryServerOptions } from './query/server.ts';

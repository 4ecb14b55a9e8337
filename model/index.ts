/**
 * The domain model shared by the APIs, the jobs and the catalogue: one zod schema per message, the
 * type inferred from it.
 */
export { CATEGORIES, Category, CategoryPath, SUBCATEGORIES } from './taxonomy.ts';
export { EVENT_TYPES, EventContext, EventType, UserEvent } from './user-event.ts';
export { CatalogEvent, EventStatus, Price, Venue } from './catalog-event.ts';
export { DeviceType, EnrichedEvent, Enrichment, GeoRegion } from './enriched-event.ts';
export { Profile, ProfileUpdate } from './profile.ts';

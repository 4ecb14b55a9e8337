import { z } from 'zod';
import { Category } from './taxonomy.ts';
import { UserEvent } from './user-event.ts';

export const DeviceType = z.enum(['MOBILE', 'DESKTOP', 'TABLET', 'TV', 'OTHER']);
export type DeviceType = z.infer<typeof DeviceType>;

export const GeoRegion = z.enum(['EMEA', 'AMER', 'APAC']);
export type GeoRegion = z.infer<typeof GeoRegion>;

/** What the enrich job adds to a user event: the item's categories, the device, the place. */
export const Enrichment = z
  .object({
    /** The item's category first, then any others; empty when the item is unknown. */
    categories: z.array(Category),
    subcategory: z.string().nullable(),
    deviceType: DeviceType,
    geoRegion: GeoRegion.nullable(),
    city: z.string().nullable(),
    lat: z.number().min(-90).max(90).nullable(),
    lon: z.number().min(-180).max(180).nullable(),
    /** Whether `context.itemId` was found in the catalogue. */
    itemKnown: z.boolean(),
  })
  .strict();
export type Enrichment = z.infer<typeof Enrichment>;

/**
 * A {@link UserEvent} with its {@link Enrichment}: the value of `enriched-events` (keyed by userId),
 * produced by the enrich job and read by aggregate-profiles.
 */
export const EnrichedEvent = UserEvent.extend({ enrichment: Enrichment }).strict();
export type EnrichedEvent = z.infer<typeof EnrichedEvent>;

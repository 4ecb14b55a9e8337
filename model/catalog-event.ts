import { z } from 'zod';
import { Category } from './taxonomy.ts';

export const EventStatus = z.enum(['scheduled', 'cancelled', 'postponed']);

export const Venue = z.object({
  name: z.string().min(1),
  address: z.string().nullable(),
  lat: z.number().min(-90).max(90).nullable(),
  lon: z.number().min(-180).max(180).nullable(),
});

export const Price = z.object({
  min: z.number().nonnegative(),
  max: z.number().nonnegative(),
  currency: z.string().length(3),
  isFree: z.boolean(),
});

/**
 * The canonical cultural event, the value of the compacted `events-catalog` topic (keyed by `id`).
 * Instants are UTC ISO-8601 strings; `timezone` is the venue's IANA zone.
 */
export const CatalogEvent = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  category: Category,
  subcategory: z.string().nullable(),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }).nullable(),
  timezone: z.string().min(1),
  venue: Venue,
  city: z.string().min(1),
  country: z.string().length(2),
  price: Price.nullable(),
  status: EventStatus,
  url: z.string().nullable(),
  /** Every source listing merged into this event: the source's name, its id there, its page. */
  sources: z.array(
    z.object({ source: z.string(), sourceId: z.string(), url: z.string().nullable().default(null) }),
  ),
  performers: z.array(z.string()).default([]),
});
export type CatalogEvent = z.infer<typeof CatalogEvent>;

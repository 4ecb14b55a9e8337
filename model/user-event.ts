import { z } from 'zod';

export const EVENT_TYPES = ['VIEW', 'CLICK', 'LIKE', 'SAVE', 'SHARE', 'PURCHASE', 'DISMISS'] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

/** Where and how an interaction happened; every field optional. */
export const EventContext = z
  .object({
    page: z.string().max(200),
    itemId: z.string().min(1).max(200),
    category: z.string().max(100),
    device: z.string().max(50),
    geo: z.string().max(50),
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    city: z.string().max(100),
  })
  .partial()
  .strict();
export type EventContext = z.infer<typeof EventContext>;

/**
 * An interaction as it is stored on `raw-user-events` (keyed by userId): canonical, after the
 * ingestion API validated and normalised it (eventId assigned if absent, eventType upper case).
 */
export const UserEvent = z
  .object({
    eventId: z.string().min(1).max(100),
    userId: z.string().min(1).max(128),
    eventType: EventType,
    /** Epoch milliseconds. */
    timestamp: z.number().int().nonnegative(),
    context: EventContext.default({}),
  })
  .strict();
export type UserEvent = z.infer<typeof UserEvent>;

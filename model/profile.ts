import { z } from 'zod';
import { Category } from './taxonomy.ts';
import { EventType } from './user-event.ts';

/**
 * A user's profile as aggregate-profiles computes it from `enriched-events`. Every field is a pure
 * function of the user's (deduplicated) events, whatever their arrival order; the definitions are in
 * `jobs/aggregate-profiles/README.md`.
 */
export const Profile = z.object({
  /** Decayed interest per category at `lastEventAt` (may be negative: DISMISS weighs -2). */
  interests: z.partialRecord(Category, z.number()),
  eventCounts: z.record(EventType, z.number().int().nonnegative()),
  totalEvents: z.number().int().nonnegative(),
  /** Largest event timestamp seen (epoch ms); null before the first event. */
  lastEventAt: z.number().int().nonnegative().nullable(),
  /** Distinct itemIds, most recent event first. */
  recentItems: z.array(z.string()),
  dismissedItems: z.array(z.string()),
  purchasedItems: z.array(z.string()),
  activityScore: z.number().min(0).max(1),
  /** The city the user is most active in, or null when no event had a city. */
  home: z.string().nullable(),
});
export type Profile = z.infer<typeof Profile>;

/** The value of `user-profile-updates` (keyed by userId): a user's whole profile, versioned. */
export const ProfileUpdate = z.object({
  userId: z.string().min(1),
  /** Grows by one per update emitted for the user; a consumer keeps the highest it has seen. */
  version: z.number().int().positive(),
  /** Wall-clock time of the emission (epoch ms). */
  updatedAt: z.number().int().nonnegative(),
  profile: Profile,
});
export type ProfileUpdate = z.infer<typeof ProfileUpdate>;

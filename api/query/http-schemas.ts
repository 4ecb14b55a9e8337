/** Schemas of the query API's path parameters and of every HTTP body it sends. */
import { z } from 'zod';
import {
  checkPlaceAndWindow,
  number,
  placeParams,
  rejectUnknownParameters,
  single,
  windowParams,
} from './query-params.ts';
import { CATEGORIES, Category, Price, ProfileUpdate, Venue } from '../../model/index.ts';

export const PERSONALIZE_DEFAULT_LIMIT = 20;
export const PERSONALIZE_MAX_LIMIT = 100;

export const USER_ID_MAX_LENGTH = 128;

/** The `{userId}` path parameter. */
export const UserIdParam = z
  .string()
  .min(1, 'userId must not be empty')
  .max(USER_ID_MAX_LENGTH, `userId must be at most ${USER_ID_MAX_LENGTH} characters`);

export const FieldErrorBody = z.object({ path: z.string(), message: z.string() });

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    errors: z.array(FieldErrorBody).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** 200 from `GET /api/v1/users/{userId}/profile`: the latest profile snapshot, versioned. */
export const ProfileBody = ProfileUpdate;
export type ProfileBody = z.infer<typeof ProfileBody>;

export const HealthBody = z.object({ status: z.literal('ok') });
export type HealthBody = z.infer<typeof HealthBody>;

// ---------------------------------------------------------------------------------------------
// GET /api/v1/personalize

/**
 * The query of `GET /api/v1/personalize`, from Hono's `c.req.queries()` (every parameter as a list
 * of values). Unknown parameters are rejected, so a typo does not silently widen the feed.
 */
export const PersonalizeQuery = z
  .strictObject(
    {
      userId: single('userId', UserIdParam).pipe(z.string({ error: 'userId is required' })),
      limit: single(
        'limit',
        number(
          'limit',
          z
            .number()
            .int('limit must be an integer')
            .min(1, 'limit must be at least 1')
            .max(PERSONALIZE_MAX_LIMIT, `limit must be at most ${PERSONALIZE_MAX_LIMIT}`),
        ),
      ).transform((v) => v ?? PERSONALIZE_DEFAULT_LIMIT),
      ...placeParams,
      category: z
        .array(Category, { error: `category must be one of ${CATEGORIES.join(', ')}` })
        .max(CATEGORIES.length, 'too many categories')
        .optional(),
      ...windowParams,
      cursor: single('cursor', z.string().min(1, 'cursor must not be empty').max(8192, 'cursor is too long')),
    },
    rejectUnknownParameters,
  )
  .superRefine(checkPlaceAndWindow);
export type PersonalizeQuery = z.infer<typeof PersonalizeQuery>;

export const FeedItemBody = z.object({
  eventId: z.string(),
  title: z.string(),
  category: Category,
  startsAt: z.string(),
  venue: Venue,
  city: z.string(),
  /** From (lat, lon) if given, else from the centre of the user's home city; null when unknown. */
  distanceKm: z.number().nonnegative().nullable(),
  price: Price.nullable(),
  score: z.number(),
  reasons: z.array(z.string()),
});

/** 200 from `GET /api/v1/personalize`. */
export const PersonalizeBody = z.object({
  userId: z.string(),
  generatedAt: z.string(),
  strategy: z.enum(['personalized', 'trending', 'soonest']),
  items: z.array(FeedItemBody),
  /** Pass as `cursor` (with the same filters) for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type PersonalizeBody = z.infer<typeof PersonalizeBody>;

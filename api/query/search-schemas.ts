/** Schemas of catalogue search: the query of `GET /api/v1/events` and the bodies of both routes. */
import { z } from 'zod';
import {
  checkPlaceAndWindow,
  number,
  placeParams,
  rejectUnknownParameters,
  single,
  windowParams,
} from './query-params.ts';
import { CATEGORIES, CatalogEvent, Category, EventStatus } from '../../model/index.ts';

export const EVENTS_DEFAULT_LIMIT = 20;
export const EVENTS_MAX_LIMIT = 100;
export const EVENTS_Q_MAX_LENGTH = 200;
export const EVENT_ID_MAX_LENGTH = 256;

const STATUSES = EventStatus.options;

/** The `{id}` path parameter. */
export const EventIdParam = z
  .string()
  .min(1, 'id must not be empty')
  .max(EVENT_ID_MAX_LENGTH, `id must be at most ${EVENT_ID_MAX_LENGTH} characters`);

/**
 * The query of `GET /api/v1/events`. Unknown parameters are rejected, so a typo does not silently
 * widen the search. `category` and `status` repeat (`category=music&category=dance`).
 */
export const EventsQuery = z
  .strictObject(
    {
      q: single(
        'q',
        z
          .string()
          .trim()
          .min(1, 'q must not be empty')
          .max(EVENTS_Q_MAX_LENGTH, `q must be at most ${EVENTS_Q_MAX_LENGTH} characters`),
      ),
      ...placeParams,
      category: z
        .array(z.enum(CATEGORIES, { error: `category must be one of ${CATEGORIES.join(', ')}` }))
        .max(CATEGORIES.length, 'too many categories')
        .optional(),
      ...windowParams,
      status: z
        .array(z.enum(STATUSES, { error: `status must be one of ${STATUSES.join(', ')}` }))
        .max(STATUSES.length, 'too many statuses')
        .optional(),
      limit: single(
        'limit',
        number(
          'limit',
          z
            .number()
            .int('limit must be an integer')
            .min(1, 'limit must be at least 1')
            .max(EVENTS_MAX_LIMIT, `limit must be at most ${EVENTS_MAX_LIMIT}`),
        ),
      ).transform((v) => v ?? EVENTS_DEFAULT_LIMIT),
      cursor: single(
        'cursor',
        z
          .string()
          .max(4096, 'cursor is too long')
          .regex(/^[A-Za-z0-9_-]+$/, 'cursor is not a cursor of this API'),
      ),
    },
    rejectUnknownParameters,
  )
  .superRefine(checkPlaceAndWindow);
export type EventsQuery = z.infer<typeof EventsQuery>;

export const FacetCountBody = z.object({ value: z.string(), count: z.number().int().nonnegative() });

/** 200 from `GET /api/v1/events`. */
export const EventSearchBody = z.object({
  items: z.array(
    z.object({
      event: CatalogEvent,
      /** From (lat, lon) when given and the venue has coordinates; else null. */
      distanceKm: z.number().nonnegative().nullable(),
      /** Relevance (higher is better) when `q` is given; else null. */
      score: z.number().nullable(),
    }),
  ),
  /** Over all matches; the category facet ignores the category filter, the city facet the city filter. */
  facets: z.object({
    category: z.array(FacetCountBody.extend({ value: Category })),
    city: z.array(FacetCountBody),
  }),
  /** Events matching every filter. */
  total: z.number().int().nonnegative(),
  /** Pass as `cursor` (with the same other parameters) for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type EventSearchBody = z.infer<typeof EventSearchBody>;

/** 200 from `GET /api/v1/events/{id}`: the catalogue event. */
export const EventBody = CatalogEvent;
export type EventBody = z.infer<typeof EventBody>;

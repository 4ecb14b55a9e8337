/**
 * The query API's OpenAPI 3.1 document. Component schemas are generated from the zod schemas of
 * http-schemas.ts (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses); the paths around
 * them are written by hand.
 */
import { z } from 'zod';
import { CATEGORIES, EventStatus } from '../../model/index.ts';
import {
  ErrorBody,
  HealthBody,
  PERSONALIZE_DEFAULT_LIMIT,
  PERSONALIZE_MAX_LIMIT,
  PersonalizeBody,
  ProfileBody,
  USER_ID_MAX_LENGTH,
  UserIdParam,
} from './http-schemas.ts';
import {
  EVENT_ID_MAX_LENGTH,
  EventBody,
  EVENTS_DEFAULT_LIMIT,
  EVENTS_MAX_LIMIT,
  EVENTS_Q_MAX_LENGTH,
  EventSearchBody,
} from './search-schemas.ts';

const schema = (s: z.ZodType): Record<string, unknown> => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io: 'output', unrepresentable: 'any' });
  return rest;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const query = (name: string, required: boolean, description: string, s: Record<string, unknown>) => ({
  name,
  in: 'query',
  required,
  description,
  schema: s,
});

/** A query parameter that may repeat (`category=music&category=dance`). */
const repeatable = (name: string, description: string, values: readonly string[]) => ({
  ...query(name, false, description, { type: 'array', items: { type: 'string', enum: [...values] } }),
  style: 'form',
  explode: true,
});

// Parameters the feed and the search share, word for word.
const radiusKmParam = query('radiusKm', false, 'Only events within this distance of (lat, lon)', {
  type: 'number',
  exclusiveMinimum: 0,
});
const categoryParam = repeatable('category', 'Only these top-level categories (repeatable)', CATEGORIES);
const maxPriceParam = query(
  'maxPrice',
  false,
  'Only free events or events whose cheapest ticket costs at most this',
  { type: 'number', minimum: 0 },
);
const cursorParam = query(
  'cursor',
  false,
  'nextCursor of the previous page, with the same other parameters',
  {
    type: 'string',
  },
);

const errorResponse = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers && { headers }),
  content: { 'application/json': { schema: ref('Error') } },
});

export function buildOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pulsecity query API',
      version: '1.0.0',
      description:
        'Reads user profiles computed by the Pulsecity stream jobs, serves personalised feeds of upcoming events and searches the event catalogue. See docs/api.md.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: {
        Profile: schema(ProfileBody),
        Personalize: schema(PersonalizeBody),
        EventSearch: schema(EventSearchBody),
        Event: schema(EventBody),
        Error: schema(ErrorBody),
        Health: schema(HealthBody),
      },
      securitySchemes: {
        serviceKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A service key from PULSE_API_KEYS; may read any user.',
        },
        userToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'HS256 JWT signed with PULSE_JWT_SECRET; sub = userId, exp required; reads only its own user.',
        },
      },
    },
    paths: {
      '/api/v1/users/{userId}/profile': {
        get: {
          operationId: 'getUserProfile',
          summary: "A user's latest profile snapshot",
          security: [{ serviceKey: [] }, { userToken: [] }],
          parameters: [
            {
              name: 'userId',
              in: 'path',
              required: true,
              description: `1 to ${USER_ID_MAX_LENGTH} characters`,
              schema: schema(UserIdParam),
            },
          ],
          responses: {
            '200': {
              description: 'The profile',
              headers: { 'Cache-Control': { schema: { type: 'string', const: 'private, max-age=0' } } },
              content: { 'application/json': { schema: ref('Profile') } },
            },
            '400': errorResponse('Invalid userId (INVALID_USER_ID)'),
            '401': errorResponse('Missing, malformed, unknown or expired credential (UNAUTHENTICATED)'),
            '403': errorResponse("A user token reading another user's profile (FORBIDDEN)"),
            '404': errorResponse('No profile for this user (PROFILE_NOT_FOUND)'),
            '503': errorResponse('A profile store is unavailable (PROFILE_STORE_UNAVAILABLE)', {
              'Retry-After': { description: 'seconds', schema: { type: 'integer' } },
            }),
          },
        },
      },
      '/api/v1/personalize': {
        get: {
          operationId: 'personalize',
          summary: "A user's ranked feed of upcoming events",
          description:
            'Rule-based ranking (personalized: 0.5·interest + 0.2·proximity + 0.15·soon + 0.15·popularity; cold start, fewer than 5 events: trending, else soonest). See docs/api.md for the formula and the cursor.',
          security: [{ serviceKey: [] }, { userToken: [] }],
          parameters: [
            query('userId', true, `1 to ${USER_ID_MAX_LENGTH} characters`, schema(UserIdParam)),
            query('limit', false, `Items per page, default ${PERSONALIZE_DEFAULT_LIMIT}`, {
              type: 'integer',
              minimum: 1,
              maximum: PERSONALIZE_MAX_LIMIT,
            }),
            query('city', false, 'Only events in this city (case-insensitive)', { type: 'string' }),
            query('lat', false, 'Latitude of the user, with lon: origin of distances', {
              type: 'number',
              minimum: -90,
              maximum: 90,
            }),
            query('lon', false, 'Longitude of the user, with lat', {
              type: 'number',
              minimum: -180,
              maximum: 180,
            }),
            radiusKmParam,
            categoryParam,
            query('from', false, 'ISO instant or date; default now', { type: 'string' }),
            query('to', false, 'ISO instant (exclusive) or date (inclusive); default 30 days after from', {
              type: 'string',
            }),
            maxPriceParam,
            cursorParam,
          ],
          responses: {
            '200': {
              description: 'A page of the feed',
              headers: { 'Cache-Control': { schema: { type: 'string', const: 'private, max-age=0' } } },
              content: { 'application/json': { schema: ref('Personalize') } },
            },
            '400': errorResponse('A parameter is invalid; errors[].path names it (INVALID_PARAMETER)'),
            '401': errorResponse('Missing, malformed, unknown or expired credential (UNAUTHENTICATED)'),
            '403': errorResponse("A user token reading another user's feed (FORBIDDEN)"),
            '503': errorResponse(
              'A profile store is unavailable (PROFILE_STORE_UNAVAILABLE) or the catalogue is loading (CATALOGUE_LOADING)',
              { 'Retry-After': { description: 'seconds', schema: { type: 'integer' } } },
            ),
          },
        },
      },
      '/api/v1/events': {
        get: {
          operationId: 'searchEvents',
          summary: 'Search the event catalogue',
          description:
            'Full text (stemmed per language, unaccented, typo-tolerant), place, category, date, price and status filters, facet counts, keyset cursors. See docs/api.md.',
          security: [{ serviceKey: [] }, { userToken: [] }],
          parameters: [
            query('q', false, `Words to find, at most ${EVENTS_Q_MAX_LENGTH} characters`, { type: 'string' }),
            query('city', false, 'Only events in this city (case and accents do not matter)', {
              type: 'string',
            }),
            query('lat', false, 'Latitude, with lon', { type: 'number', minimum: -90, maximum: 90 }),
            query('lon', false, 'Longitude, with lat', { type: 'number', minimum: -180, maximum: 180 }),
            radiusKmParam,
            categoryParam,
            query('from', false, 'Events running at or after this ISO instant or date', { type: 'string' }),
            query('to', false, 'Events starting before this ISO instant or date', { type: 'string' }),
            maxPriceParam,
            repeatable('status', 'Only these statuses (repeatable); default scheduled', EventStatus.options),
            query('limit', false, `Items per page, default ${EVENTS_DEFAULT_LIMIT}`, {
              type: 'integer',
              minimum: 1,
              maximum: EVENTS_MAX_LIMIT,
            }),
            cursorParam,
          ],
          responses: {
            '200': {
              description: 'A page of matching events, with facet counts over all matches',
              headers: { 'Cache-Control': { schema: { type: 'string', const: 'public, max-age=30' } } },
              content: { 'application/json': { schema: ref('EventSearch') } },
            },
            '400': errorResponse('A parameter is invalid; errors[].path names it (INVALID_PARAMETER)'),
            '401': errorResponse('Missing, malformed, unknown or expired credential (UNAUTHENTICATED)'),
          },
        },
      },
      '/api/v1/events/{id}': {
        get: {
          operationId: 'getEvent',
          summary: 'One catalogue event',
          security: [{ serviceKey: [] }, { userToken: [] }],
          parameters: [
            {
              name: 'id',
              in: 'path',
              required: true,
              description: `Canonical event id, at most ${EVENT_ID_MAX_LENGTH} characters`,
              schema: { type: 'string', maxLength: EVENT_ID_MAX_LENGTH },
            },
          ],
          responses: {
            '200': { description: 'The event', content: { 'application/json': { schema: ref('Event') } } },
            '400': errorResponse('The id is invalid (INVALID_EVENT_ID)'),
            '401': errorResponse('Missing, malformed, unknown or expired credential (UNAUTHENTICATED)'),
            '404': errorResponse('No such event (EVENT_NOT_FOUND)'),
          },
        },
      },
      '/api/v1/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': {} } } },
        },
      },
      '/healthz': {
        get: {
          operationId: 'health',
          summary: 'Liveness',
          security: [],
          responses: {
            '200': { description: 'Alive', content: { 'application/json': { schema: ref('Health') } } },
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus metrics',
          security: [],
          responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': {} } } },
        },
      },
    },
  };
}

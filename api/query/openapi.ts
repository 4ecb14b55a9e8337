/**
 * The query API's OpenAPI 3.1 document. Component schemas are generated from the zod schemas of
 * http-schemas.ts (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses); the paths around
 * them are written by hand.
 */
import { z } from 'zod';
import { ErrorBody, HealthBody, ProfileBody, USER_ID_MAX_LENGTH, UserIdParam } from './http-schemas.ts';

const schema = (s: z.ZodType): Record<string, unknown> => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io: 'output', unrepresentable: 'any' });
  return rest;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

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
      description: 'Reads user profiles computed by the Pulsecity stream jobs. See docs/api.md.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: {
        Profile: schema(ProfileBody),
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

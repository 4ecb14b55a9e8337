/** Schemas of the query API's path parameters and of every HTTP body it sends. */
import { z } from 'zod';
import { ProfileUpdate } from '../../model/index.ts';

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

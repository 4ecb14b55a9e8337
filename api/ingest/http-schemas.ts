/** Schemas of every HTTP body the ingestion API sends (requests are in validation.ts). */
import { z } from 'zod';
import { FieldError } from './validation.ts';

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    errors: z.array(FieldError).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** 202 from `POST /events`. */
export const EventAcceptedBody = z.object({ eventId: z.string() });
export type EventAcceptedBody = z.infer<typeof EventAcceptedBody>;

/** 202 / 207 / 400 from `POST /events/batch`. */
export const BatchResultBody = z.object({
  accepted: z.array(z.object({ index: z.number().int(), eventId: z.string() })),
  rejected: z.array(z.object({ index: z.number().int(), errors: z.array(FieldError) })),
});
export type BatchResultBody = z.infer<typeof BatchResultBody>;

export const HealthBody = z.object({ status: z.literal('ok') });
export type HealthBody = z.infer<typeof HealthBody>;

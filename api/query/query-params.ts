/**
 * Query parameters as Hono's `c.req.queries()` gives them (every one a list of strings), for the
 * query API's zod schemas, and the one 400 that names each parameter at fault.
 */
import { z } from 'zod';
import { QueryError, type FieldError } from './errors.ts';

/** An ISO-8601 instant with an offset, or a calendar date (UTC; `endOfDay` makes a date inclusive). */
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const instantOrDate = (name: string, endOfDay: boolean) =>
  z
    .string()
    .refine((s) => ISO_DATE.test(s) || z.iso.datetime({ offset: true }).safeParse(s).success, {
      message: `${name} must be an ISO-8601 instant (2026-05-01T18:00:00Z) or date (2026-05-01)`,
    })
    .transform((s) =>
      ISO_DATE.test(s) ? Date.parse(`${s}T00:00:00Z`) + (endOfDay ? 86_400_000 : 0) : Date.parse(s),
    )
    .refine((ms) => Number.isFinite(ms), { message: `${name} is not a valid date` });

export const number = (name: string, check: z.ZodNumber) =>
  z
    .string()
    .refine((s) => s.trim() !== '' && Number.isFinite(Number(s)), { message: `${name} must be a number` })
    .transform(Number)
    .pipe(check);

/** At most one value of a query parameter, then `inner`. */
export const single = <T extends z.ZodType<unknown, string>>(name: string, inner: T) =>
  z
    .array(z.string())
    .max(1, `${name} must be given at most once`)
    .optional()
    .transform((v) => v?.[0])
    .pipe(inner.optional());

/** A 400 naming each parameter at fault (`errors[].path` is the parameter's name). */
export function invalidParameters(
  issues: ReadonlyArray<{
    path: ReadonlyArray<PropertyKey>;
    message: string;
    code?: string;
    keys?: string[];
  }>,
): QueryError {
  const errors: FieldError[] = issues.flatMap((i) =>
    i.code === 'unrecognized_keys' && i.keys
      ? i.keys.map((k) => ({ path: k, message: `unknown parameter: ${k}` }))
      : [{ path: String(i.path[0] ?? ''), message: i.message }],
  );
  return new QueryError(400, 'INVALID_PARAMETER', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {
    errors,
  });
}

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
/** Where: shared by the feed and the catalogue search (same names, bounds and messages). */
export const placeParams = {
  city: single('city', z.string().trim().min(1, 'city must not be empty').max(100, 'city is too long')),
  lat: single('lat', number('lat', z.number().min(-90, 'lat must be ≥ -90').max(90, 'lat must be ≤ 90'))),
  lon: single('lon', number('lon', z.number().min(-180, 'lon must be ≥ -180').max(180, 'lon must be ≤ 180'))),
  radiusKm: single(
    'radiusKm',
    number('radiusKm', z.number().gt(0, 'radiusKm must be positive').max(20_000, 'radiusKm must be ≤ 20000')),
  ),
};

/** When and how much: shared by the feed and the catalogue search. */
export const windowParams = {
  from: single('from', instantOrDate('from', false)),
  to: single('to', instantOrDate('to', true)),
  maxPrice: single('maxPrice', number('maxPrice', z.number().min(0, 'maxPrice must be ≥ 0'))),
};

/** The strict-object option that names an unknown parameter, so a typo does not widen a query. */
export const rejectUnknownParameters: { error: z.core.$ZodErrorMap } = {
  error: (iss) =>
    iss.code === 'unrecognized_keys' ? `unknown parameter: ${iss.keys.join(', ')}` : undefined,
};

/** The rules across parameters of {@link placeParams} and {@link windowParams}. */
export function checkPlaceAndWindow(
  q: {
    lat?: number | undefined;
    lon?: number | undefined;
    radiusKm?: number | undefined;
    from?: number | undefined;
    to?: number | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if ((q.lat === undefined) !== (q.lon === undefined))
    ctx.addIssue({
      code: 'custom',
      path: [q.lat === undefined ? 'lat' : 'lon'],
      message: 'lat and lon must be given together',
    });
  if (q.radiusKm !== undefined && (q.lat === undefined || q.lon === undefined))
    ctx.addIssue({ code: 'custom', path: ['radiusKm'], message: 'radiusKm needs lat and lon' });
  if (q.from !== undefined && q.to !== undefined && q.to <= q.from)
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
}

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

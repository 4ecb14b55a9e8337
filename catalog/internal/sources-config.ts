/**
 * `configs/sources.yaml`: the catalogue's sources, one entry per source, each with where to read it,
 * its format, its schedule, its defaults and (for JSON and CSV) its declarative field mapping.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** What a source assumes where its documents say nothing. */
export const SourceDefaults = z
  .object({
    /** IANA zone of local times without offset (and of the venues, unless the gazetteer knows). */
    timezone: z.string().optional(),
    /** ISO 3166-1 alpha-2. */
    country: z.string().length(2).optional(),
    city: z.string().optional(),
    /** ISO 4217, for prices without a currency. */
    currency: z.string().length(3).optional(),
    /** ISO 639-1 language of the source's text. */
    language: z.string().length(2).optional(),
  })
  .strict()
  .default({});
export type SourceDefaults = z.infer<typeof SourceDefaults>;

/**
 * A path into a record: `event_name`, `venue.geo.lat`, `offers[0].price`, or `lineup[].name` (that
 * field of every element, for list fields). A key equal to the whole path wins, so CSV headers and
 * JSON keys containing dots still work.
 */
const FieldPath = z.string().min(1);

/**
 * Where each draft field is in a record. Only `title` and `start` are required; a field that is
 * not mapped, or absent or blank in a record, is left to the source's defaults or to null.
 */
export const MappedFields = z
  .object({
    /** A stable id within the source; without it, a hash of title, start and venue name. */
    sourceId: FieldPath.optional(),
    title: FieldPath,
    description: FieldPath.optional(),
    /** The start: an ISO date or date-time, or a date in `dateFormat` (plus `startTime`). */
    start: FieldPath,
    /** For sources that split date and time: the start's time, in `timeFormat`; blank = all day. */
    startTime: FieldPath.optional(),
    end: FieldPath.optional(),
    endTime: FieldPath.optional(),
    /** IANA zone of the record's local times, when records carry one (else `defaults.timezone`). */
    timezone: FieldPath.optional(),
    'venue.name': FieldPath.optional(),
    'venue.address': FieldPath.optional(),
    'venue.postalCode': FieldPath.optional(),
    'venue.city': FieldPath.optional(),
    'venue.country': FieldPath.optional(),
    'venue.lat': FieldPath.optional(),
    'venue.lon': FieldPath.optional(),
    /** A string (split on `listSeparator`, if set) or an array of strings. */
    categories: FieldPath.optional(),
    /** Free-text price (`35-120 EUR`, `4,50 €`). */
    priceText: FieldPath.optional(),
    /** Structured price fields: any of them present makes one offer, in `currency` or the default. */
    price: FieldPath.optional(),
    lowPrice: FieldPath.optional(),
    highPrice: FieldPath.optional(),
    currency: FieldPath.optional(),
    status: FieldPath.optional(),
    url: FieldPath.optional(),
    /** Like `categories`: names as a string list or array (`lineup[].name`). */
    performers: FieldPath.optional(),
    language: FieldPath.optional(),
  })
  .strict();
export type MappedFields = z.infer<typeof MappedFields>;

/**
 * Declarative mapping from a JSON or CSV record to a listing draft: where the records are, how
 * dates, numbers and lists are written, and where each draft field is ({@link MappedFields}). CSV
 * records are flat, keyed by header.
 */
export const FieldMapping = z
  .object({
    /** JSON only: path to the array of records in the document (`data.events`); root if absent. */
    records: z.string().min(1).optional(),
    /** CSV only: the delimiter (default `,`). */
    delimiter: z.string().length(1).optional(),
    /**
     * Luxon format of start/end values (`dd/MM/yyyy`, `dd.MM.yyyy HH:mm`). Without it values are
     * taken as ISO 8601 and passed through unchanged. Dates become `YYYY-MM-DD` (all day), date-times
     * local `YYYY-MM-DDTHH:mm:ss` without offset (read later in the source's zone) unless the format
     * itself parses an offset.
     */
    dateFormat: z.string().min(1).optional(),
    /** Luxon format of `startTime`/`endTime` values (default `HH:mm`). */
    timeFormat: z.string().min(1).optional(),
    /** Decimal separator of numbers written as text, such as coordinates `40,4184` (default `.`). */
    decimalSeparator: z.enum(['.', ',']).optional(),
    /** Splits text values of `categories` and `performers` (`Konzert, Klassik`); unset: one term. */
    listSeparator: z.string().min(1).optional(),
    fields: MappedFields,
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.fields.endTime !== undefined && m.fields.end === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['fields', 'endTime'],
        message: 'endTime needs end (the column with the end date)',
      });
  });
export type FieldMapping = z.infer<typeof FieldMapping>;

export const SourceConfig = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    format: z.enum(['ics', 'jsonld', 'json', 'csv']),
    /** An http(s) URL, or a file path relative to the config file. Exactly one. */
    url: z.string().url().optional(),
    path: z.string().optional(),
    /** Minutes between fetches for `pulse catalog run`. */
    everyMinutes: z.number().int().positive().default(60),
    /**
     * Higher wins when merged listings disagree on a field: primary sources (the venue's own
     * calendar) above aggregators.
     */
    priority: z.number().int().default(0),
    defaults: SourceDefaults,
    mapping: FieldMapping.optional(),
  })
  .strict()
  .refine((s) => (s.url === undefined) !== (s.path === undefined), {
    message: 'give exactly one of url and path',
  })
  .refine((s) => (s.format === 'json' || s.format === 'csv') === (s.mapping !== undefined), {
    message: 'json and csv sources need a mapping; other formats take none',
  });
export type SourceConfig = z.infer<typeof SourceConfig>;

export const SourcesFile = z.object({ sources: z.array(SourceConfig) }).strict();
export type SourcesFile = z.infer<typeof SourcesFile>;

/** Reads and validates a sources file; throws an Error naming the bad field. */
export function loadSourcesFile(path: string): SourcesFile {
  const parsed = SourcesFile.safeParse(parseYaml(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${path}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

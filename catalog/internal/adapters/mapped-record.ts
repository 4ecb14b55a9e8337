/**
 * One JSON record or CSV row as a listing draft, by a source's declarative {@link FieldMapping}.
 * Shared by the JSON and CSV adapters: they differ only in how they find their records.
 */
import type { DraftOffer, DraftVenue, ListingDraftInput } from '../listing.ts';
import type { FieldMapping, MappedFields, SourceDefaults } from '../sources-config.ts';
import type { ExtractedListing, ListingRejection } from './adapter.ts';
import { readPath } from './mapped-path.ts';
import { readTime, type TimeSpec } from './mapped-time.ts';
import { contentId, coordinate, firstText, priceValue, textList } from './mapped-values.ts';

export type RecordRead = { ok: true; listing: ExtractedListing } | { ok: false; rejection: ListingRejection };

/** Reads one mapped record; `where` locates it in the document for reasons (`row 4`, `data.events[3]`). */
export function readRecord(
  record: unknown,
  where: string,
  mapping: FieldMapping,
  defaults: SourceDefaults,
): RecordRead {
  const f = mapping.fields;
  const value = (field: keyof MappedFields): unknown => {
    const path = f[field];
    return path === undefined ? undefined : readPath(record, path);
  };
  const textOf = (field: keyof MappedFields): string | null => firstText(value(field));

  const declaredId = textOf('sourceId');
  const reject = (reason: string): RecordRead => ({
    ok: false,
    rejection: { sourceId: declaredId, reason: declaredId === null ? `${reason} (${where})` : reason },
  });

  const title = textOf('title');
  if (title === null) return reject(`title (${f.title}): missing`);
  const timeSpec = (
    field: 'start' | 'end',
    dateColumn: string,
    timeColumn: string | undefined,
  ): TimeSpec => ({
    field,
    dateColumn,
    timeColumn,
    dateFormat: mapping.dateFormat,
    timeFormat: mapping.timeFormat ?? 'HH:mm',
  });
  const start = readTime(textOf('start'), textOf('startTime'), timeSpec('start', f.start, f.startTime));
  if (!start.ok) return reject(start.reason);
  if (start.value === null) return reject(`start (${f.start}): missing`);
  const end =
    f.end === undefined
      ? ({ ok: true, value: null, allDay: false } as const)
      : readTime(textOf('end'), textOf('endTime'), timeSpec('end', f.end, f.endTime));
  if (!end.ok) return reject(end.reason);

  const decimal = mapping.decimalSeparator ?? '.';
  const lat = coordinate(value('venue.lat'), 90, decimal);
  const lon = coordinate(value('venue.lon'), 180, decimal);
  // A venue with half its coordinates is as good as one with none.
  const located = lat !== null && lon !== null;
  const venue: DraftVenue = {
    name: textOf('venue.name'),
    address: textOf('venue.address'),
    postalCode: textOf('venue.postalCode'),
    city: textOf('venue.city') ?? defaults.city ?? null,
    country: textOf('venue.country') ?? defaults.country ?? null,
    lat: located ? lat : null,
    lon: located ? lon : null,
  };

  const offer: DraftOffer = {
    price: priceValue(value('price')),
    lowPrice: priceValue(value('lowPrice')),
    highPrice: priceValue(value('highPrice')),
    currency: textOf('currency') ?? defaults.currency ?? null,
  };
  const priced = offer.price !== null || offer.lowPrice !== null || offer.highPrice !== null;

  const draft: ListingDraftInput = {
    title,
    description: textOf('description'),
    start: start.value,
    end: end.value,
    allDay: start.allDay,
    timezone: textOf('timezone') ?? defaults.timezone ?? null,
    venue,
    categories: textList(value('categories'), mapping.listSeparator),
    priceText: textOf('priceText'),
    offers: priced ? [offer] : [],
    status: textOf('status'),
    url: textOf('url'),
    performers: textList(value('performers'), mapping.listSeparator),
    language: textOf('language') ?? defaults.language ?? null,
  };
  return { ok: true, listing: { sourceId: declaredId ?? contentId(title, start.value, venue.name), draft } };
}

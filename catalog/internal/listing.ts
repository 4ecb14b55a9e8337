/**
 * The catalogue's message shapes between its stages:
 *
 *   source document --adapter--> RawListing (topic `raw-listings`, keyed by `source:sourceId`)
 *     --normalise--> NormalisedListing (topic `catalog-listings`, keyed by its block)
 *     --dedup--> CatalogEvent (compacted topic `events-catalog`, keyed by canonical id)
 *
 * An adapter only extracts what the source says (a {@link ListingDraft}: raw strings, no
 * interpretation of prices, categories or local times); every interpretation happens in
 * normalisation, so it is the same for every source type and can be replayed.
 */
import { z } from 'zod';
import { CatalogEvent } from '../../model/index.ts';

/** A place as the source gives it. Every field is optional: normalisation fills in what it can. */
export const DraftVenue = z.object({
  name: z.string().nullable().default(null),
  /** Street address as one line (`Herbert-von-Karajan-Str. 1, 10785 Berlin`). */
  address: z.string().nullable().default(null),
  city: z.string().nullable().default(null),
  postalCode: z.string().nullable().default(null),
  /** Country name or ISO 3166-1 alpha-2 code, as given. */
  country: z.string().nullable().default(null),
  lat: z.number().min(-90).max(90).nullable().default(null),
  lon: z.number().min(-180).max(180).nullable().default(null),
});
export type DraftVenue = z.infer<typeof DraftVenue>;

/** One offer (ticket price) as the source gives it: numbers or strings such as `ab 19,00 €`. */
export const DraftOffer = z.object({
  price: z.union([z.string(), z.number()]).nullable().default(null),
  lowPrice: z.union([z.string(), z.number()]).nullable().default(null),
  highPrice: z.union([z.string(), z.number()]).nullable().default(null),
  currency: z.string().nullable().default(null),
});
export type DraftOffer = z.infer<typeof DraftOffer>;

/**
 * What an adapter extracts from one listing (one occurrence: recurring iCal events are expanded by
 * the adapter into one draft per occurrence).
 *
 * Times are strings in one of three forms, interpreted by normalisation:
 * - an instant with an offset or `Z` (`2027-03-28T18:00:00Z`, `2027-03-28T20:00:00+02:00`);
 * - a local date-time without offset (`2027-03-28T20:00:00`), read in `timezone` (the source's
 *   zone: iCal TZID or X-WR-TIMEZONE, a mapping's default) or else the venue's zone;
 * - a date (`2027-03-10`) for all-day events; `end` of an all-day event is inclusive (the last day).
 */
export const ListingDraft = z.object({
  title: z.string(),
  description: z.string().nullable().default(null),
  start: z.string(),
  end: z.string().nullable().default(null),
  allDay: z.boolean().default(false),
  /** The IANA zone the source states for its local times, if any. */
  timezone: z.string().nullable().default(null),
  venue: DraftVenue,
  /** Category terms as the source writes them, in its language (`Konzert`, `Ballett`, `théâtre`). */
  categories: z.array(z.string()).default([]),
  /** A free-text price (`28-96 EUR`, `kostenlos`), when the source has no structured offers. */
  priceText: z.string().nullable().default(null),
  offers: z.array(DraftOffer).default([]),
  /** Status as the source says it: a schema.org `eventStatus`, iCal `STATUS`, or wording. */
  status: z.string().nullable().default(null),
  url: z.string().nullable().default(null),
  performers: z.array(z.string()).default([]),
  /** ISO 639-1 language of the listing's text, when known (helps category and price wording). */
  language: z.string().nullable().default(null),
});
export type ListingDraft = z.infer<typeof ListingDraft>;
export type ListingDraftInput = z.input<typeof ListingDraft>;

/** The value of `raw-listings`, keyed by `${source}:${sourceId}`. */
export const RawListing = z.object({
  source: z.string().min(1),
  /** Stable id of the listing within its source (an iCal occurrence: `UID@start`). */
  sourceId: z.string().min(1),
  /** Epoch ms at which the source document was fetched. */
  fetchedAt: z.number().int(),
  /** SHA-256 (hex) of the canonical JSON of `payload`: equal payloads, equal hashes. */
  payloadHash: z.string(),
  /** The source's configured priority: when merged listings disagree, the higher one wins. */
  priority: z.number().int().default(0),
  payload: ListingDraft,
});
export type RawListing = z.infer<typeof RawListing>;

/** A listing after normalisation: a canonical event without an id yet, plus where it came from. */
export const NormalisedEvent = CatalogEvent.omit({ id: true, sources: true });
export type NormalisedEvent = z.infer<typeof NormalisedEvent>;

export const NormalisedListing = z.object({
  source: z.string(),
  sourceId: z.string(),
  payloadHash: z.string(),
  /** The source's priority, carried from the raw listing. */
  priority: z.number().int(),
  /** The listing's page at the source, if any (kept in the canonical event's `sources`). */
  url: z.string().nullable(),
  event: NormalisedEvent,
  /** Local calendar date (YYYY-MM-DD, venue zone) of the start: with the city, the dedup block. */
  localDate: z.string(),
  /** Category terms the taxonomy could not map (counted in data quality, never guessed). */
  unmappedTerms: z.array(z.string()),
  /** The venue had no coordinates from the source (they may have come from the gazetteer). */
  missingCoordinates: z.boolean(),
});
export type NormalisedListing = z.infer<typeof NormalisedListing>;

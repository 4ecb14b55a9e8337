/**
 * One schema.org Event node as a listing draft: the properties as the page states them, the
 * source's defaults where it is silent. Nothing is interpreted (prices stay as written, local times
 * stay local); that is normalisation's work.
 */
import type { DraftOffer, ListingDraftInput } from '../listing.ts';
import type { SourceDefaults } from '../sources-config.ts';
import { readVenue } from './jsonld-place.ts';
import { ldText, ldTextOrId } from './jsonld-values.ts';
import { isNode, shortName, typeNames, type LdNode } from './jsonld-walk.ts';
import { isDateOnly, priceValue, textList } from './mapped-values.ts';

export type EventRead = { ok: true; draft: ListingDraftInput } | { ok: false; reason: string };

const asList = (value: unknown): unknown[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];

/**
 * Offer and AggregateOffer nodes, one or many (a price may also sit in a `priceSpecification`).
 * Offers without any price (a ticket link only) are dropped. An event marked
 * `isAccessibleForFree` with no priced offer gets one offer of 0.
 */
function readOffers(event: LdNode, defaults: SourceDefaults): DraftOffer[] {
  const offers: DraftOffer[] = [];
  for (const o of asList(event.offers)) {
    if (!isNode(o)) continue;
    const spec = isNode(o.priceSpecification) ? o.priceSpecification : {};
    const offer: DraftOffer = {
      price: priceValue(o.price ?? spec.price),
      lowPrice: priceValue(o.lowPrice ?? spec.minPrice),
      highPrice: priceValue(o.highPrice ?? spec.maxPrice),
      currency: ldText(o.priceCurrency ?? spec.priceCurrency) ?? defaults.currency ?? null,
    };
    if (offer.price !== null || offer.lowPrice !== null || offer.highPrice !== null) offers.push(offer);
  }
  const free = event.isAccessibleForFree;
  if (offers.length === 0 && (free === true || (typeof free === 'string' && /^true$/i.test(free)))) {
    offers.push({ price: 0, lowPrice: null, highPrice: null, currency: defaults.currency ?? null });
  }
  return offers;
}

/** Performer names: Person, Organization, MusicGroup… nodes (their `name`) or plain strings. */
function readPerformers(event: LdNode): string[] {
  const names = asList(event.performer ?? event.performers).map((p) =>
    isNode(p) && !('@value' in p) ? ldText(p.name) : ldText(p),
  );
  return [...new Set(names.filter((n): n is string => n !== null))];
}

/**
 * Category terms: `genre`s, `keywords` (comma-separated text or a list; DefinedTerms by name), and
 * the Event subtype itself (`MusicEvent`, `ExhibitionEvent`), which is often the page's only hint.
 */
function readCategories(event: LdNode): string[] {
  const genres = asList(event.genre).map((g) => ldText(g));
  const keywords = asList(event.keywords).flatMap((k) =>
    typeof k === 'string' ? textList(ldText(k), ',') : [ldText(isNode(k) ? k.name : k)],
  );
  const subtypes = typeNames(event).filter((t) => t !== 'Event');
  // The type first: it is the page's own classification of the event (a Festival whose keywords
  // say "lecture" is a festival of readings, not a reading).
  const terms = [...subtypes, ...genres, ...keywords].filter((t): t is string => t !== null);
  return [...new Set(terms)];
}

/** `inLanguage` as ISO 639-1 (`de-DE` -> `de`); a Language node by its `alternateName`. */
function readLanguage(event: LdNode): string | null {
  const raw = asList(event.inLanguage)
    .map((l) => (isNode(l) && !('@value' in l) ? ldText(l.alternateName) : ldText(l)))
    .find((l) => l !== null);
  const match = raw ? /^([a-z]{2})(?:[-_]|$)/i.exec(raw) : null;
  return match?.[1]?.toLowerCase() ?? null;
}

/** A link resolved against the page when it is relative and the page has an http(s) address. */
export function absoluteUrl(value: string | null, base: string | null): string | null {
  if (value === null || base === null || !/^https?:\/\//i.test(base)) return value;
  try {
    return new URL(value, base).href;
  } catch {
    return value;
  }
}

/**
 * Reads one Event. Without `name` or `startDate` it is rejected, naming what is missing. The
 * status is the `eventStatus` short name (`EventPostponed`), whatever form the page wrote it in.
 */
export function readEvent(event: LdNode, defaults: SourceDefaults, base: string | null): EventRead {
  const title = ldText(event.name);
  const start = ldText(event.startDate);
  const missing = [title === null && 'name', start === null && 'startDate'].filter(Boolean);
  if (title === null || start === null) {
    return { ok: false, reason: missing.map((p) => `${String(p)}: missing`).join('; ') };
  }
  const status = ldTextOrId(event.eventStatus);
  return {
    ok: true,
    draft: {
      title,
      description: ldText(event.description),
      start,
      end: ldText(event.endDate),
      allDay: isDateOnly(start),
      timezone: defaults.timezone ?? null,
      venue: readVenue(event.location, defaults),
      categories: readCategories(event),
      priceText: null,
      offers: readOffers(event, defaults),
      status: status === null ? null : shortName(status),
      url: absoluteUrl(ldTextOrId(event.url), base),
      performers: readPerformers(event),
      language: readLanguage(event) ?? defaults.language ?? null,
    },
  };
}

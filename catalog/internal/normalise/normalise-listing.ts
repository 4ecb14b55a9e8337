/**
 * Normalisation: one {@link RawListing} (what an adapter extracted, uninterpreted) to one
 * {@link NormalisedListing} (a canonical event without an id, plus its dedup block and data-quality
 * notes). Pure and deterministic: the same raw listing always gives the same result, so the stage
 * can be replayed. Every table it needs is built once at module load.
 */
import { NormalisedEvent, type NormalisedListing, type RawListing } from '../listing.ts';
import { mapCategories } from './category.ts';
import { countryCurrency } from './country.ts';
import { collapseSpace } from './fold.ts';
import { resolvePerformers } from './performers.ts';
import { resolvePlace } from './place.ts';
import { parsePrice } from './price.ts';
import { resolveStatus } from './status.ts';
import { ianaZone, resolveTimes, type FieldError } from './time.ts';

export type NormaliseResult =
  { ok: true; listing: NormalisedListing } | { ok: false; errors: { path: string; message: string }[] };

/** Event fields named by the draft field they come from, so errors point at the source's data. */
const DRAFT_PATH: Readonly<Record<string, string>> = {
  title: 'title',
  startsAt: 'start',
  endsAt: 'end',
  timezone: 'timezone',
  city: 'venue.city',
  country: 'venue.country',
  venue: 'venue',
  price: 'offers',
  status: 'status',
  url: 'url',
  performers: 'performers',
  category: 'categories',
  subcategory: 'categories',
};

function draftPath(eventPath: readonly PropertyKey[]): string {
  const [head, ...rest] = eventPath.map(String);
  if (head === undefined) return 'event';
  if (head === 'venue' && rest.length) return `venue.${rest.join('.')}`;
  return DRAFT_PATH[head] ?? `event.${eventPath.map(String).join('.')}`;
}

const blankToNull = (s: string | null): string | null => {
  const t = s === null ? '' : collapseSpace(s);
  return t === '' ? null : t;
};

/**
 * Normalises one raw listing.
 *
 * - title: status prefix/suffix stripped (`ANNULÉ : …`), whitespace collapsed.
 * - place: city, country, zone from the venue (see {@link resolvePlace}); coordinates as given.
 * - times: in the draft's zone if valid, else the venue's (see {@link resolveTimes}).
 * - category from the terms only; price from offers or text, in the venue country's currency when
 *   nothing states one; status from the status value and the title; performers from the source or
 *   a music title.
 * - venue name: the source's, else its address (a source giving neither is refused).
 *
 * Errors name the draft field (`start`, `venue.city`, `title`, …). Every stage reports, so one
 * pass shows everything wrong with a listing.
 */
export function normaliseListing(raw: RawListing): NormaliseResult {
  const d = raw.payload;
  const errors: FieldError[] = [];

  const { status, title } = resolveStatus(d.status, d.title);
  if (!title) errors.push({ path: 'title', message: 'empty' });

  const place = resolvePlace(d.venue, d.timezone);
  if (!place.ok) errors.push(...place.errors);
  const zone = place.ok ? place.timezone : ianaZone(d.timezone) ? d.timezone : null;

  const times = resolveTimes(d, zone);
  if (!times.ok) errors.push(...times.errors);

  const venueName = blankToNull(d.venue.name) ?? blankToNull(d.venue.address);
  if (!venueName) errors.push({ path: 'venue.name', message: 'no venue name or address' });

  if (!place.ok || !times.ok || errors.length) return { ok: false, errors };
  if (times.localDate === null) {
    // Unreachable while the place resolves (it always has a zone); kept as a guard, not a throw.
    return { ok: false, errors: [{ path: 'timezone', message: 'unknown' }] };
  }

  const categories = mapCategories(d.categories, d.language);
  const url = blankToNull(d.url);
  const candidate = {
    title,
    category: categories.category,
    subcategory: categories.subcategory,
    startsAt: times.startsAt,
    endsAt: times.endsAt,
    timezone: place.timezone,
    venue: { name: venueName, address: blankToNull(d.venue.address), lat: place.lat, lon: place.lon },
    city: place.city,
    country: place.country,
    price: parsePrice(d.priceText, d.offers, countryCurrency(place.country)),
    status,
    url,
    performers: resolvePerformers(d.performers, title, categories.category),
  };
  const parsed = NormalisedEvent.safeParse(candidate);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({ path: draftPath(i.path), message: i.message })),
    };
  }
  return {
    ok: true,
    listing: {
      source: raw.source,
      sourceId: raw.sourceId,
      payloadHash: raw.payloadHash,
      priority: raw.priority,
      url,
      event: parsed.data,
      localDate: times.localDate,
      unmappedTerms: categories.unmapped,
      missingCoordinates: place.missingCoordinates,
    },
  };
}

/**
 * The descriptive fields of one VEVENT (everything but its times) as {@link ListingDraftInput}
 * fields. ical.js unfolds lines and unescapes TEXT values of the properties it knows; the rest
 * (X- properties) is unescaped here.
 */
import type ICAL from 'ical.js';
import type { DraftVenue, ListingDraftInput } from '../listing.ts';
import type { SourceDefaults } from '../sources-config.ts';

export type DraftFields = Pick<
  ListingDraftInput,
  'title' | 'description' | 'venue' | 'categories' | 'priceText' | 'status' | 'url' | 'language'
>;

/** RFC 5545 3.3.11 TEXT unescaping (`\\`, `\;`, `\,`, `\n`/`\N`), for properties ical.js leaves raw. */
export function unescapeText(raw: string): string {
  return raw.replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** A property's first value as trimmed text, or null when absent or blank. */
function text(event: ICAL.Component, name: string): string | null {
  const value = event.getFirstPropertyValue(name);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * LOCATION is one free-text line; by convention venues write `Name, street, postcode city`. The text
 * before the first comma is taken as the venue's name and the rest, if any, as its address: simple
 * and predictable. A location without a comma is a name only; normalisation and the gazetteer do
 * the rest.
 */
export function splitLocation(location: string | null): { name: string | null; address: string | null } {
  if (location === null) return { name: null, address: null };
  const comma = location.indexOf(',');
  if (comma < 0) return { name: location, address: null };
  const name = location.slice(0, comma).trim();
  const address = location.slice(comma + 1).trim();
  return { name: name === '' ? null : name, address: address === '' ? null : address };
}

/** GEO as `[lat, lon]`; out-of-range or unparsable values are dropped rather than failing the event. */
function geo(event: ICAL.Component): { lat: number | null; lon: number | null } {
  const value = event.getFirstPropertyValue('geo');
  if (!Array.isArray(value)) return { lat: null, lon: null };
  const [lat, lon] = value as unknown[];
  const ok =
    typeof lat === 'number' && typeof lon === 'number' && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
  return ok ? { lat, lon } : { lat: null, lon: null };
}

/** Every CATEGORIES property, each possibly a comma list, flattened, trimmed and de-duplicated. */
function categories(event: ICAL.Component): string[] {
  const terms = event
    .getAllProperties('categories')
    .flatMap((p): unknown[] => p.getValues())
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return [...new Set(terms)];
}

/** The LANGUAGE parameter of SUMMARY (`de`, `fr-FR` -> `fr`), the only place iCal states one. */
function summaryLanguage(event: ICAL.Component): string | null {
  const lang = event.getFirstProperty('summary')?.getFirstParameter('language');
  const code = typeof lang === 'string' ? lang.slice(0, 2).toLowerCase() : '';
  return /^[a-z]{2}$/.test(code) ? code : null;
}

/**
 * Reads the descriptive fields of a VEVENT, filling the source's defaults where the document says
 * nothing: iCal has no structured city or country, so those always come from the defaults.
 * `X-PRICE` (a non-standard property some venues publish, e.g. `35-120 EUR`, `kostenlos`) becomes
 * the draft's free-text price.
 *
 * @param title SUMMARY, already checked to be present by the caller.
 */
export function readFields(event: ICAL.Component, title: string, defaults: SourceDefaults): DraftFields {
  const { name, address } = splitLocation(text(event, 'location'));
  const rawPrice = event.getFirstProperty('x-price')?.getFirstValue();
  const priceText = typeof rawPrice === 'string' ? unescapeText(rawPrice).trim() : '';
  const venue: DraftVenue = {
    name,
    address,
    city: defaults.city ?? null,
    postalCode: null,
    country: defaults.country ?? null,
    ...geo(event),
  };
  return {
    title,
    description: text(event, 'description'),
    venue,
    categories: categories(event),
    priceText: priceText === '' ? null : priceText,
    status: text(event, 'status'),
    url: text(event, 'url'),
    language: summaryLanguage(event) ?? defaults.language ?? null,
  };
}

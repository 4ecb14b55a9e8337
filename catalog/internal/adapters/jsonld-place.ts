/**
 * An Event's `location` as a draft venue. schema.org allows a Place (with a PostalAddress or a
 * plain address string, and GeoCoordinates), a PostalAddress on its own, a plain string, or a list
 * of these (a physical and a virtual location, say).
 */
import type { DraftVenue } from '../listing.ts';
import type { SourceDefaults } from '../sources-config.ts';
import { splitLocation } from './ical-fields.ts';
import { isNode, typeNames, type LdNode } from './jsonld-walk.ts';
import { ldText } from './jsonld-values.ts';
import { coordinate } from './mapped-values.ts';

type AddressFields = Pick<DraftVenue, 'address' | 'postalCode' | 'city' | 'country'>;

const NO_ADDRESS: AddressFields = { address: null, postalCode: null, city: null, country: null };

/** The first physical place of a `location` value: a virtual one has no venue to offer. */
function pickLocation(location: unknown): LdNode | string | null {
  const all: unknown[] = Array.isArray(location) ? location : [location];
  const places = all.filter((l): l is LdNode => isNode(l) && !typeNames(l).includes('VirtualLocation'));
  if (places[0]) return places[0];
  for (const l of all) {
    const t = ldText(l);
    if (t !== null) return t;
  }
  return null;
}

/** `addressCountry` is a code or name, or a Country node with a `name`. */
function country(value: unknown): string | null {
  return isNode(value) && !('@value' in value) ? ldText(value.name) : ldText(value);
}

/** A PostalAddress node, or an address written as one string (kept whole as the street line). */
function address(value: unknown): AddressFields {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  const node = list.find(isNode) ?? list[0];
  if (!isNode(node) || '@value' in node) return { ...NO_ADDRESS, address: ldText(node) };
  return {
    address: ldText(node.streetAddress),
    postalCode: ldText(node.postalCode),
    city: ldText(node.addressLocality),
    country: country(node.addressCountry),
  };
}

/** GeoCoordinates (`geo`), or `latitude`/`longitude` on the Place itself; numbers or numeric text. */
function geo(place: LdNode): Pick<DraftVenue, 'lat' | 'lon'> {
  const g = isNode(place.geo) ? place.geo : place;
  const lat = coordinate(g.latitude, 90);
  const lon = coordinate(g.longitude, 180);
  return lat === null || lon === null ? { lat: null, lon: null } : { lat, lon };
}

/**
 * The venue of an Event, the source's city and country filling in what the document leaves out.
 * A plain-string location reads like iCal's LOCATION: the name up to the first comma, the rest as
 * the address.
 */
export function readVenue(location: unknown, defaults: SourceDefaults): DraftVenue {
  const picked = pickLocation(location);
  let venue: DraftVenue = { name: null, ...NO_ADDRESS, lat: null, lon: null };
  if (typeof picked === 'string') {
    venue = { ...venue, ...splitLocation(picked) };
  } else if (picked !== null && typeNames(picked).includes('PostalAddress')) {
    venue = { ...venue, ...address(picked) };
  } else if (picked !== null) {
    venue = { ...venue, name: ldText(picked.name), ...address(picked.address), ...geo(picked) };
  }
  return {
    ...venue,
    city: venue.city ?? defaults.city ?? null,
    country: venue.country ?? defaults.country ?? null,
  };
}

/** Catalogue events and profiles for the query API's unit tests. */
import type { CatalogEvent, Profile } from '../../model/index.ts';

export const BERLIN = { lat: 52.52, lon: 13.405 };
export const PARIS = { lat: 48.857, lon: 2.352 };

/** A scheduled Berlin concert at `startsAt`, at the centre of Berlin; anything can be overridden. */
export function catalogEvent(
  id: string,
  startsAt: string,
  over: Partial<Omit<CatalogEvent, 'venue'>> & { venue?: Partial<CatalogEvent['venue']> } = {},
): CatalogEvent {
  const { venue, ...rest } = over;
  return {
    id,
    title: `Event ${id}`,
    category: 'music',
    subcategory: null,
    startsAt,
    endsAt: null,
    timezone: 'Europe/Berlin',
    venue: { name: 'Venue', address: null, lat: BERLIN.lat, lon: BERLIN.lon, ...venue },
    city: 'Berlin',
    country: 'DE',
    price: { min: 10, max: 20, currency: 'EUR', isFree: false },
    status: 'scheduled',
    url: null,
    sources: [],
    performers: [],
    ...rest,
  };
}

export function profileWith(over: Partial<Profile> = {}): Profile {
  return {
    interests: {},
    eventCounts: { VIEW: 10, CLICK: 0, LIKE: 0, SAVE: 0, SHARE: 0, PURCHASE: 0, DISMISS: 0 },
    totalEvents: 10,
    lastEventAt: 1_714_060_799_000,
    recentItems: [],
    dismissedItems: [],
    purchasedItems: [],
    activityScore: 0.3,
    home: 'Berlin',
    ...over,
  };
}

/**
 * The comparison's input, deterministic for a seed: a catalogue of cultural events and a stream of
 * ~300-byte UserEvent JSON values keyed by userId. Users are drawn from a Zipf distribution (a few
 * very active users, a long tail), and every one of the `users` appears at least once, so the
 * aggregate state holds exactly `users` profiles. Items are Zipf-popular catalogue events; a share
 * of events names an item the catalogue does not know (enriched from the event's own context) and a
 * share re-sends an earlier event unchanged (a client retry: same eventId, folded once).
 */
import {
  CATEGORIES,
  SUBCATEGORIES,
  type CatalogEvent,
  type EventType,
  type UserEvent,
} from '../../model/index.ts';
import { Rng, ZipfSampler } from '../workload.ts';

export interface CompareWorkloadOptions {
  events: number;
  users: number;
  catalogEvents: number;
  seed: number;
  /** Share of events whose item is not in the catalogue. */
  unknownItemShare?: number;
  /** Share of events that repeat an earlier event (same eventId). */
  retryShare?: number;
}

/** Where the events' timestamps start; they advance evenly over 30 days of event time. */
export const WORKLOAD_EPOCH_MS = Date.UTC(2026, 9, 1);
const SPAN_MS = 30 * 86_400_000;

const CITIES: ReadonlyArray<{ city: string; country: string; lat: number; lon: number }> = [
  { city: 'Berlin', country: 'DE', lat: 52.52, lon: 13.405 },
  { city: 'Paris', country: 'FR', lat: 48.8566, lon: 2.3522 },
  { city: 'Madrid', country: 'ES', lat: 40.4168, lon: -3.7038 },
  { city: 'Rome', country: 'IT', lat: 41.9028, lon: 12.4964 },
  { city: 'Vienna', country: 'AT', lat: 48.2082, lon: 16.3738 },
  { city: 'Amsterdam', country: 'NL', lat: 52.3676, lon: 4.9041 },
  { city: 'Warsaw', country: 'PL', lat: 52.2297, lon: 21.0122 },
  { city: 'Lisbon', country: 'PT', lat: 38.7223, lon: -9.1393 },
  { city: 'New York', country: 'US', lat: 40.7128, lon: -74.006 },
  { city: 'Tokyo', country: 'JP', lat: 35.6762, lon: 139.6503 },
];

const DEVICES = ['iPhone 15', 'Android phone', 'Desktop Chrome', 'iPad', 'Smart TV', 'mobile-web'];

/** Event types with their shares (views dominate, as in any interaction log). */
const TYPE_SHARES: ReadonlyArray<[EventType, number]> = [
  ['VIEW', 0.6],
  ['CLICK', 0.15],
  ['LIKE', 0.08],
  ['SAVE', 0.05],
  ['DISMISS', 0.07],
  ['SHARE', 0.03],
  ['PURCHASE', 0.02],
];

/** Free-text categories as clients send them for items the catalogue lacks (mapped by the enrich job). */
const FREE_CATEGORIES = ['Konzert', 'jazz', 'Theater', 'Ausstellung', 'cinema', 'stand-up', 'ballet', 'misc'];

export function catalogEventId(i: number): string {
  return `evt-${String(i).padStart(6, '0')}`;
}

export function userName(i: number): string {
  return `user-${String(i).padStart(7, '0')}`;
}

/** The catalogue: `n` events spread over the cities and categories, deterministic for the seed. */
export function* catalogue(n: number, seed: number): Generator<CatalogEvent> {
  const rng = new Rng(seed ^ 0x5eed);
  for (let i = 0; i < n; i++) {
    const place = CITIES[rng.int(CITIES.length)]!;
    const category = CATEGORIES[rng.int(CATEGORIES.length - 1)]!; // never 'other'
    const subs = SUBCATEGORIES[category];
    const start = new Date(WORKLOAD_EPOCH_MS + rng.int(60) * 86_400_000 + 19 * 3_600_000);
    yield {
      id: catalogEventId(i),
      title: `${category} night ${i}`,
      category,
      subcategory: subs.length ? subs[rng.int(subs.length)]! : null,
      startsAt: start.toISOString(),
      endsAt: null,
      timezone: 'Europe/Berlin',
      venue: {
        name: `Venue ${i % 997}`,
        address: null,
        lat: round6(place.lat + (rng.next() - 0.5) / 20),
        lon: round6(place.lon + (rng.next() - 0.5) / 20),
      },
      city: place.city,
      country: place.country,
      price: null,
      status: 'scheduled',
      url: null,
      sources: [{ source: 'bench', sourceId: String(i), url: null }],
      performers: [],
    };
  }
}

/**
 * The events, in production order. Each user in [0, users) appears at least once: event i takes the
 * next not-yet-seen user (in a scrambled order) with probability (unseen users)/(events left), and a
 * Zipf-drawn user otherwise.
 */
export function* userEvents(o: CompareWorkloadOptions): Generator<UserEvent> {
  if (o.users > o.events) throw new RangeError(`--users (${o.users}) cannot exceed --events (${o.events})`);
  const rng = new Rng(o.seed);
  const userZipf = new ZipfSampler(o.users, 1, rng);
  const itemZipf = new ZipfSampler(o.catalogEvents, 0.8, rng);
  const unknownShare = o.unknownItemShare ?? 0.05;
  const retryShare = o.retryShare ?? 0.005;
  // A multiplicative scramble of 0..users-1: step coprime with users.
  let step = Math.floor(o.users * 0.618) | 1;
  while (gcd(step, o.users) !== 1) step += 2;
  let unseen = 0;
  const recent: UserEvent[] = [];
  for (let i = 0; i < o.events; i++) {
    if (recent.length > 0 && rng.next() < retryShare) {
      yield recent[rng.int(recent.length)]!;
      continue;
    }
    const left = o.events - i;
    const u =
      unseen < o.users && rng.next() * left < o.users - unseen
        ? (unseen++ * step) % o.users
        : userZipf.sample();
    const e = makeEvent(rng, {
      eventId: uuidLike(o.seed, i, rng),
      userId: userName(u),
      timestamp: WORKLOAD_EPOCH_MS + Math.floor((i / o.events) * SPAN_MS) + rng.int(600_000),
      itemIndex: rng.next() < unknownShare ? -1 - rng.int(1_000_000) : itemZipf.sample(),
    });
    if (recent.length < 1000) recent.push(e);
    else recent[rng.int(1000)] = e;
    yield e;
  }
}

/** One event of user `userId` at `timestamp` about item `itemIndex` (negative: an unknown item). */
export function makeEvent(
  rng: Rng,
  a: { eventId: string; userId: string; timestamp: number; itemIndex: number },
): UserEvent {
  let r = rng.next();
  let eventType: EventType = 'VIEW';
  for (const [t, share] of TYPE_SHARES) {
    if (r < share) {
      eventType = t;
      break;
    }
    r -= share;
  }
  const place = CITIES[rng.int(CITIES.length)]!;
  const itemId =
    a.itemIndex >= 0 ? catalogEventId(a.itemIndex) : `ext-${String(-a.itemIndex).padStart(7, '0')}`;
  return {
    eventId: a.eventId,
    userId: a.userId,
    eventType,
    timestamp: a.timestamp,
    context: {
      page: `/events/${itemId}?ref=${REFS[rng.int(REFS.length)]!}`,
      itemId,
      category: FREE_CATEGORIES[rng.int(FREE_CATEGORIES.length)]!,
      device: DEVICES[rng.int(DEVICES.length)]!,
      geo: place.country,
      lat: round6(place.lat + (rng.next() - 0.5) / 10),
      lon: round6(place.lon + (rng.next() - 0.5) / 10),
      city: place.city,
    },
  };
}

const REFS = ['feed', 'search', 'map', 'share', 'push'];

/** A v4-shaped id, unique per (seed, i): what clients send (36 characters). */
function uuidLike(seed: number, i: number, rng: Rng): string {
  const hex = (n: number, w: number) => (n >>> 0).toString(16).padStart(w, '0').slice(-w);
  return `${hex(seed, 8)}-${hex(i >>> 16, 4)}-4${hex(i, 3)}-8${hex(rng.int(1 << 12), 3)}-${hex(i, 8)}${hex(rng.int(1 << 16), 4)}`;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

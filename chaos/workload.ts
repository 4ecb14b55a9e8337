/**
 * The chaos suite's load: a seeded, repeatable stream of interactions as clients post them to the
 * ingestion API, and the catalogue they refer to.
 *
 * Event `i` is a pure function of (seed, i), so any event can be generated again (a client retry
 * re-sends an earlier event with the same eventId) and the harness needs no list of what it sent:
 * it keeps one status byte per index. Users have two favourite categories and mostly interact with
 * events of those; a few interactions name items that are not in the catalogue (enriched from their
 * own context). Timestamps lie in a fixed 2-day span (well inside the profile's 7-day dedup window),
 * so a retried event is a duplicate whatever the order it is applied in.
 */
import { generateCatalogue } from '../cli/demo/pipeline-demo.ts';
import type { EVENT_TYPES } from '../model/index.ts';
import { CATEGORIES, type CatalogEvent } from '../model/index.ts';

export interface WorkloadOptions {
  seed: number;
  /** Distinct events (retries come on top). */
  events: number;
  users: number;
  /** Catalogue size (default 500). */
  items?: number;
  /** Probability that an event is followed, later in the stream, by a retry of a recent event. */
  retryRate?: number;
  /** Probability that an event names an item missing from the catalogue. */
  unknownItemRate?: number;
  /** Start of the timestamps (epoch ms); default 2025-01-06T00:00Z. */
  baseTime?: number;
  /** Width of the timestamp span (default 2 days). */
  spanMs?: number;
}

/** An interaction as the client posts it (`POST /events/batch` items). */
export interface PostedEvent {
  eventId: string;
  userId: string;
  eventType: string;
  timestamp: number;
  context: Record<string, string | number>;
}

export const DEFAULT_BASE_TIME = Date.UTC(2025, 0, 6);
const DAY = 86_400_000;

// Weighted like real interaction streams: many views, few purchases.
const TYPES: readonly (typeof EVENT_TYPES)[number][] = [
  'VIEW',
  'VIEW',
  'VIEW',
  'VIEW',
  'CLICK',
  'CLICK',
  'LIKE',
  'SAVE',
  'SHARE',
  'PURCHASE',
  'DISMISS',
];
const DEVICES = ['iPhone', 'Android phone', 'desktop', 'iPad', 'Smart TV', 'web', 'Pixel 8'];
const GEOS = ['DE', 'fr', 'ESP', 'Portugal', 'AT', 'us', 'jp'];
const FREE_CATEGORIES = ['Konzert', 'theatre', 'Ausstellung', 'cine', 'danse', 'comedy night', 'misc'];
const FREE_CITIES = ['Berlin', 'Paris', 'Madrid', 'Lisbon', 'Vienna'];
const TASTE = CATEGORIES.filter((c) => c !== 'other');

/** mulberry32: small, fast, seedable; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A 32-bit mix of two integers (for per-index generators that need no sequential state). */
export function mix32(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export class Workload {
  readonly catalogue: CatalogEvent[];
  readonly events: number;
  readonly users: number;
  private readonly seed: number;
  private readonly retryRate: number;
  private readonly unknownRate: number;
  private readonly base: number;
  private readonly span: number;
  private readonly byCategory = new Map<string, CatalogEvent[]>();
  private readonly prefix: string;

  constructor(opts: WorkloadOptions) {
    if (!(opts.events >= 1) || !(opts.users >= 1)) throw new RangeError('workload needs events and users');
    this.seed = opts.seed >>> 0;
    this.events = opts.events;
    this.users = opts.users;
    this.retryRate = opts.retryRate ?? 0.02;
    this.unknownRate = opts.unknownItemRate ?? 0.05;
    this.base = opts.baseTime ?? DEFAULT_BASE_TIME;
    this.span = opts.spanMs ?? 2 * DAY;
    this.prefix = `s${this.seed.toString(36)}-e`;
    this.catalogue = generateCatalogue(opts.items ?? 500, this.base, mulberry32(mix32(this.seed, 0x5eed)));
    for (const e of this.catalogue) {
      const list = this.byCategory.get(e.category) ?? [];
      list.push(e);
      this.byCategory.set(e.category, list);
    }
  }

  eventId(i: number): string {
    return `${this.prefix}${i}`;
  }

  /** The index of one of this workload's eventIds, or undefined for any other string. */
  indexOf(eventId: string): number | undefined {
    if (!eventId.startsWith(this.prefix)) return undefined;
    const rest = eventId.slice(this.prefix.length);
    if (!/^(0|[1-9]\d*)$/.test(rest)) return undefined;
    const i = Number(rest);
    return i < this.events ? i : undefined;
  }

  userOf(i: number): number {
    // Skewed but covering: r^1.6 makes low-numbered users busier; every user is reachable.
    const r = mulberry32(mix32(this.seed, i * 2 + 1))();
    return Math.min(this.users - 1, Math.floor(this.users * Math.pow(r, 1.6)));
  }

  /** Event `i`, as the client posts it. */
  event(i: number): PostedEvent {
    const rnd = mulberry32(mix32(this.seed, i * 2));
    const u = this.userOf(i);
    const taste = mulberry32(mix32(this.seed ^ 0xa5a5a5a5, u));
    const fav = [TASTE[Math.floor(taste() * TASTE.length)]!, TASTE[Math.floor(taste() * TASTE.length)]!];
    const type = TYPES[Math.floor(rnd() * TYPES.length)]!;
    const context: Record<string, string | number> = {
      device: DEVICES[Math.floor(rnd() * DEVICES.length)]!,
      geo: GEOS[Math.floor(rnd() * GEOS.length)]!,
    };
    if (rnd() < this.unknownRate) {
      context.itemId = `unknown-${Math.floor(rnd() * 1000)}`;
      context.category = FREE_CATEGORIES[Math.floor(rnd() * FREE_CATEGORIES.length)]!;
      context.city = FREE_CITIES[Math.floor(rnd() * FREE_CITIES.length)]!;
    } else {
      const pool =
        rnd() < 0.75 ? (this.byCategory.get(fav[Math.floor(rnd() * 2)]!) ?? this.catalogue) : this.catalogue;
      context.itemId = pool[Math.floor(rnd() * pool.length)]!.id;
    }
    return {
      eventId: this.eventId(i),
      userId: `user-${u}`,
      // Clients send any letter case; the API normalises it.
      eventType: rnd() < 0.5 ? type.toLowerCase() : type,
      timestamp: this.base + Math.floor(rnd() * this.span),
      context,
    };
  }

  /**
   * What a client posts for events [from, to): each event, and after some of them a retry of a
   * recent earlier event (same eventId and content), as a client that timed out sends it again.
   */
  batch(from: number, to: number): Array<{ index: number; event: PostedEvent }> {
    const out: Array<{ index: number; event: PostedEvent }> = [];
    for (let i = from; i < Math.min(to, this.events); i++) {
      out.push({ index: i, event: this.event(i) });
      const r = mulberry32(mix32(this.seed ^ 0x3c3c3c3c, i));
      if (i > 0 && r() < this.retryRate) {
        const j = i - 1 - Math.floor(r() * Math.min(i, 5000));
        out.push({ index: j, event: this.event(j) });
      }
    }
    return out;
  }
}

/**
 * The personalised feed of `GET /api/v1/personalize`, as pure functions of the profile, the
 * catalogue, the trending counts, the parameters and the clock. The ranking (also in docs/api.md):
 *
 * - **personalized** (a profile with at least {@link COLD_START_MIN_EVENTS} events):
 *   `score = 0.50·interest + 0.20·proximity + 0.15·soon + 0.15·popularity`
 * - **trending** (no profile or fewer events, and some trending data): `0.75·popularity + 0.25·soon`
 * - **soonest** (cold start without trending data): `soon`
 *
 * each term in [0, 1]: `interest` = the profile's interest in the event's category divided by its
 * largest positive interest (negative interests count as 0); `proximity` = 1 / (1 + d / 5 km), d
 * from (lat, lon) if given, else from the centre of the user's home city (0 when unknown); `soon` =
 * 2^(−days until start / 7); `popularity` = the event's trending score / the top trending score of
 * its city (0 when not trending). Scores are rounded to 6 decimals; ties go to the smaller eventId,
 * which makes (score desc, eventId asc) a total order.
 *
 * Never returned: events starting before now, not `scheduled` (cancelled, postponed), dismissed or
 * purchased by the user.
 *
 * Paging: the cursor pins everything that ranks a page except the trending counts (the clock, the
 * strategy, the normalised interests, the origin of distances, the city of a cold start), so later
 * pages rank exactly like the first one did; the next page is the items strictly after the last
 * item's (score, eventId). Trending counts are read live: items already served that were trending
 * are remembered in the cursor (by a 32-bit hash) and never served again, so a change in
 * popularity may skip an item but never repeats one.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CATEGORIES, Category, type CatalogEvent, type Profile } from '../../model/index.ts';
import {
  cityKey,
  haversineKm,
  type CatalogueIndex,
  type CatalogueQuery,
  type GeoPoint,
  type IndexedEvent,
} from './catalogue.ts';

/** Where popularity comes from: the top events of a city by trending score (largest first). */
export interface TrendingSource {
  top(city: string, limit: number): Promise<Array<{ eventId: string; score: number }>>;
}

/** The trending results asked for by {@link planFeed}, one entry per city. */
export type TrendingResults = Array<{ city: string; items: Array<{ eventId: string; score: number }> }>;

export type Strategy = 'personalized' | 'trending' | 'soonest';

/** A profile with fewer events than this gets the cold-start feed. */
export const COLD_START_MIN_EVENTS = 5;
export const DEFAULT_WINDOW_DAYS = 30;
/** How many trending events are asked per city, and from how many cities at most. */
export const TRENDING_DEPTH = 100;
export const MAX_TRENDING_CITIES = 20;
/** A radius feed asks the trending counts of cities whose centre is this much beyond the radius. */
export const NEAR_CITY_MARGIN_KM = 50;
export const WEIGHTS = { interest: 0.5, proximity: 0.2, soon: 0.15, popularity: 0.15 } as const;
export const COLD_WEIGHTS = { popularity: 0.75, soon: 0.25 } as const;
/** Distance at which proximity is 0.5. */
export const PROXIMITY_HALF_KM = 5;
/** Days until start at which `soon` is 0.5. */
export const SOON_HALF_LIFE_DAYS = 7;
/** Items within this distance get a "N km away" reason. */
export const NEAR_REASON_KM = 10;
/** A normalised interest from this value up gets a "matches your interest" reason. */
export const INTEREST_REASON_MIN = 0.25;
/** At most this many served trending items are remembered in a cursor. */
export const MAX_SEEN_TRENDING = 256;

const DAY_MS = 86_400_000;
/** The largest epoch ms a Date can hold: a cursor's clock beyond it is not one this API wrote. */
const MAX_DATE_MS = 8_640_000_000_000_000;

/** The validated query parameters (see http-schemas.ts). */
export interface FeedParams {
  userId: string;
  limit: number;
  city?: string | undefined;
  lat?: number | undefined;
  lon?: number | undefined;
  radiusKm?: number | undefined;
  categories?: Category[] | undefined;
  /** Inclusive lower bound on startsAt (epoch ms); default now. */
  fromMs?: number | undefined;
  /** Exclusive upper bound on startsAt (epoch ms); default 30 days after the lower bound. */
  toMs?: number | undefined;
  maxPrice?: number | undefined;
  cursor?: string | undefined;
}

export interface FeedItem {
  eventId: string;
  title: string;
  category: Category;
  startsAt: string;
  venue: CatalogEvent['venue'];
  city: string;
  distanceKm: number | null;
  price: CatalogEvent['price'];
  score: number;
  reasons: string[];
}

export interface Feed {
  userId: string;
  generatedAt: string;
  strategy: Strategy;
  items: FeedItem[];
  nextCursor: string | null;
}

/** The cursor is not one this server wrote, or was written for other filters. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

// ---------------------------------------------------------------------------------------------
// Cursor

const CursorJson = z.object({
  v: z.literal(1),
  /** Hash of the user and the filters. */
  f: z.string(),
  /** generatedAt (epoch ms): the clock of every page. */
  g: z.number().int().nonnegative().max(MAX_DATE_MS),
  /** Profile version used by the first page (0 without a profile); informative. */
  pv: z.number().int().nonnegative(),
  st: z.enum(['personalized', 'trending', 'soonest']),
  /** Normalised interests. */
  i: z.partialRecord(Category, z.number().min(0).max(1)),
  /** Origin of distances, [lat, lon], or null. */
  o: z.tuple([z.number().min(-90).max(90), z.number().min(-180).max(180)]).nullable(),
  /** City the cold-start feed was limited to, or null. */
  c: z.string().min(1).max(100).nullable(),
  /** Last item's score and eventId. */
  s: z.number(),
  id: z.string().min(1),
  /** Hashes (8 hex digits each, concatenated) of served items that were trending. */
  t: z.string().regex(/^(?:[0-9a-f]{8})*$/),
});
export type FeedCursor = z.infer<typeof CursorJson>;

export function encodeCursor(c: FeedCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** Throws {@link InvalidCursorError} unless `raw` is a cursor this module encoded. */
export function decodeCursor(raw: string): FeedCursor {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new InvalidCursorError('cursor is not a cursor of this API');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('cursor is not a cursor of this API');
  }
  const parsed = CursorJson.safeParse(json);
  if (!parsed.success) throw new InvalidCursorError('cursor is not a cursor of this API');
  return parsed.data;
}

/** Hash of everything that selects the feed's events (not `limit`, which may change between pages). */
export function filterHash(p: FeedParams): string {
  const canonical = JSON.stringify([
    p.userId,
    p.city?.trim().toLowerCase() ?? null,
    p.lat ?? null,
    p.lon ?? null,
    p.radiusKm ?? null,
    p.categories ? [...new Set(p.categories)].sort() : null,
    p.fromMs ?? null,
    p.toMs ?? null,
    p.maxPrice ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** FNV-1a, 32 bits, as 8 hex digits. */
function idHash(id: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------------------------
// Planning: what the ranking depends on, and which cities' trending counts it needs

interface RankContext {
  nowMs: number;
  filters: string;
  profileVersion: number;
  /** Pinned by a cursor; else decided once the trending counts are known. */
  strategy: Strategy | undefined;
  interests: Partial<Record<Category, number>>;
  origin: GeoPoint | null;
  scopeCity: string | null;
  after: { score: number; id: string } | undefined;
  seenTrending: string[];
}

interface Candidate {
  event: CatalogEvent;
  startMs: number;
  endMs: number | null;
  /** The event's city as compared (see `cityKey`). */
  cityKey: string;
}

export interface FeedPlan {
  params: FeedParams;
  context: RankContext;
  /**
   * The catalogue query of the feed, and what the user excluded. The personalised ranking scans
   * the catalogue itself, category by category; the other strategies use `candidates`.
   */
  query: CatalogueQuery;
  catalogue: CatalogueIndex;
  excluded: ReadonlySet<string>;
  /** The matching events, not excluded (empty for a personalised feed, which does not need them). */
  candidates: Candidate[];
  /** Cities whose trending counts the ranking uses: ask `TrendingSource.top(city, TRENDING_DEPTH)`. */
  trendingCities: string[];
}

export interface FeedInput {
  /** The user's latest profile, if any. */
  profile: { version: number; profile: Profile } | undefined;
  catalogue: CatalogueIndex;
  params: FeedParams;
  /** Epoch ms. */
  now: number;
}

/** Interests divided by the largest positive one; non-positive ones dropped. */
export function normaliseInterests(interests: Profile['interests']): Partial<Record<Category, number>> {
  const entries = Object.entries(interests) as Array<[Category, number]>;
  const max = Math.max(0, ...entries.map(([, v]) => v));
  const out: Partial<Record<Category, number>> = {};
  if (max <= 0) return out;
  for (const [c, v] of entries) if (v > 0) out[c] = round(v / max, 4);
  return out;
}

/** The first step of a feed: context (new, or pinned by the cursor) and the candidate events. */
export function planFeed(input: FeedInput): FeedPlan {
  const { profile, catalogue, params, now } = input;
  const filters = filterHash(params);
  let context: RankContext;
  if (params.cursor !== undefined) {
    const c = decodeCursor(params.cursor);
    if (c.f !== filters)
      throw new InvalidCursorError('cursor belongs to another user or other filters than this request');
    context = {
      nowMs: c.g,
      filters,
      profileVersion: c.pv,
      strategy: c.st,
      interests: c.i,
      origin: c.o && { lat: c.o[0], lon: c.o[1] },
      scopeCity: c.c,
      after: { score: c.s, id: c.id },
      seenTrending: c.t.match(/.{8}/g) ?? [],
    };
  } else {
    const p = profile?.profile;
    const cold = !p || p.totalEvents < COLD_START_MIN_EVENTS;
    const hasPoint = params.lat !== undefined && params.lon !== undefined;
    const homeCentre = p?.home ? catalogue.cityCentre(p.home) : undefined;
    const scopeCity = cold && params.city === undefined && !hasPoint && p?.home ? p.home : null;
    context = {
      nowMs: now,
      filters,
      profileVersion: profile?.version ?? 0,
      strategy: cold ? undefined : 'personalized',
      interests: cold || !p ? {} : normaliseInterests(p.interests),
      origin: hasPoint ? { lat: params.lat!, lon: params.lon! } : (homeCentre ?? null),
      scopeCity,
      after: undefined,
      seenTrending: [],
    };
  }

  const lower = params.fromMs ?? context.nowMs;
  const upper = params.toMs ?? lower + DEFAULT_WINDOW_DAYS * DAY_MS;
  const excluded = new Set([
    ...(profile?.profile.dismissedItems ?? []),
    ...(profile?.profile.purchasedItems ?? []),
  ]);
  const near =
    params.radiusKm !== undefined && params.lat !== undefined && params.lon !== undefined
      ? { lat: params.lat, lon: params.lon, radiusKm: params.radiusKm }
      : undefined;
  const query: CatalogueQuery = {
    // Never past: not before the clock of the first page, nor before now.
    fromMs: Math.max(lower, context.nowMs, now),
    toMs: upper,
    city: params.city ?? context.scopeCity ?? undefined,
    near,
    categories: params.categories && new Set(params.categories),
    maxPrice: params.maxPrice,
    status: 'scheduled',
  };
  const personalized = context.strategy === 'personalized';
  const candidates = personalized ? [] : catalogue.query(query).filter((c) => !excluded.has(c.event.id));

  let trendingCities: string[];
  const onlyCity = params.city ?? context.scopeCity;
  if (onlyCity !== null && onlyCity !== undefined)
    trendingCities = [catalogue.cityName(onlyCity) ?? onlyCity];
  else if (personalized)
    // Without the candidates at hand: the cities around the point, else the largest ones.
    trendingCities = near
      ? catalogue.citiesNear(near, near.radiusKm + NEAR_CITY_MARGIN_KM, MAX_TRENDING_CITIES)
      : catalogue.topCities(MAX_TRENDING_CITIES);
  else {
    const counts = new Map<string, number>();
    for (const c of candidates) counts.set(c.event.city, (counts.get(c.event.city) ?? 0) + 1);
    trendingCities = [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, MAX_TRENDING_CITIES)
      .map(([city]) => city);
  }
  return { params, context, query, catalogue, excluded, candidates, trendingCities };
}

// ---------------------------------------------------------------------------------------------
// Ranking

const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8];
const round = (x: number, digits: number) => {
  const f = POW10[digits] ?? 10 ** digits;
  return Math.round(x * f) / f;
};

/** 1 at 0 km, 0.5 at {@link PROXIMITY_HALF_KM}. */
export const proximity = (km: number) => 1 / (1 + km / PROXIMITY_HALF_KM);
/** 1 now, 0.5 in {@link SOON_HALF_LIFE_DAYS} days. */
export const soonness = (startMs: number, nowMs: number) =>
  2 ** (-Math.max(0, startMs - nowMs) / (SOON_HALF_LIFE_DAYS * DAY_MS));

/** Normalised popularity of one city's answer, kept as long as the answer (cached answers repeat). */
const cityPopularity = new WeakMap<object, Map<string, number>>();

function popularityOfCity(items: TrendingResults[number]['items']): Map<string, number> {
  let out = cityPopularity.get(items);
  if (out) return out;
  out = new Map();
  let top = 0;
  for (const i of items) if (i.score > top) top = i.score;
  if (top > 0) for (const i of items) if (i.score > 0) out.set(i.eventId, i.score / top);
  cityPopularity.set(items, out);
  return out;
}

/** popularity per eventId: score / the city's top score, from the cities given (merged by max). */
function popularityOf(trending: TrendingResults, base?: Map<string, number>): Map<string, number> {
  if (trending.length === 1 && !base) return popularityOfCity(trending[0]!.items);
  const out = new Map<string, number>(base);
  for (const { items } of trending)
    for (const [id, p] of popularityOfCity(items)) out.set(id, Math.max(out.get(id) ?? 0, p));
  return out;
}

interface Ranked {
  c: Candidate;
  score: number;
  interest: number;
  distanceKm: number | null;
  popularity: number;
}

/** (score desc, eventId asc): negative when (aScore, aId) comes first. */
const compareKeys = (aScore: number, aId: string, bScore: number, bId: string) =>
  bScore - aScore || (aId < bId ? -1 : aId > bId ? 1 : 0);

/** The second step: scores, orders and pages the plan's candidates. */
export function rankFeed(plan: FeedPlan, trending: TrendingResults): Feed {
  const { params, context } = plan;
  // Popularity per city (an event is only ever in its own city's counts), no per-request merge.
  const wanted = new Set(plan.trendingCities.map(cityKey));
  const popByCity = new Map<string, Map<string, number>>();
  for (const t of trending) {
    const k = cityKey(t.city);
    if (!wanted.has(k)) continue;
    const prev = popByCity.get(k);
    popByCity.set(k, prev ? popularityOf([t], prev) : popularityOfCity(t.items));
  }
  const popularityOfCandidate = (c: Candidate) => popByCity.get(c.cityKey)?.get(c.event.id) ?? 0;
  const strategy: Strategy =
    context.strategy ?? (plan.candidates.some((c) => popularityOfCandidate(c) > 0) ? 'trending' : 'soonest');

  // Score, drop what earlier pages served, keep the best `limit` in order (a small sorted array,
  // not a sort of every candidate), and note whether anything eligible is left for `nextCursor`.
  const after = context.after;
  const seen = context.seenTrending.length ? new Set(context.seenTrending) : undefined;
  const limit = params.limit;
  const page: Ranked[] = [];
  let hasMore = false;
  const origin = context.origin;
  const distanceOf = (e: CatalogEvent) =>
    origin && e.venue.lat !== null && e.venue.lon !== null
      ? haversineKm(origin, { lat: e.venue.lat, lon: e.venue.lon })
      : null;
  const consider = (c: Candidate, soon: number) => {
    const e = c.event;
    const interest = context.interests[e.category] ?? 0;
    const pop = popularityOfCandidate(c);
    let distanceKm: number | null | undefined;
    let raw: number;
    if (strategy === 'personalized') {
      const base = WEIGHTS.interest * interest + WEIGHTS.soon * soon + WEIGHTS.popularity * pop;
      // Bound: proximity is at most 1. A full page whose worst item beats even that bound cannot
      // take this candidate, so its distance is not worth computing; it ranks after the page
      // (hence after the cursor), so it is left for a next page unless an earlier page served it.
      const worst = page.length >= limit ? page[page.length - 1] : undefined;
      if (worst && base + WEIGHTS.proximity + 1e-6 < worst.score) {
        if (!seen?.has(idHash(e.id))) hasMore = true;
        return;
      }
      distanceKm = distanceOf(e);
      raw = base + WEIGHTS.proximity * (distanceKm === null ? 0 : proximity(distanceKm));
    } else {
      raw = strategy === 'trending' ? COLD_WEIGHTS.popularity * pop + COLD_WEIGHTS.soon * soon : soon;
    }
    const score = round(raw, 6);
    if (after && compareKeys(after.score, after.id, score, e.id) >= 0) return;
    if (seen?.has(idHash(e.id))) return;
    const worst = page[page.length - 1];
    if (page.length >= limit && worst && compareKeys(score, e.id, worst.score, worst.c.event.id) >= 0) {
      hasMore = true;
      return;
    }
    let lo = 0;
    let hi = page.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = page[mid]!;
      if (compareKeys(m.score, m.c.event.id, score, e.id) < 0) lo = mid + 1;
      else hi = mid;
    }
    // Distance is shown on every item; outside `personalized` it is only computed for the page.
    page.splice(lo, 0, {
      c,
      score,
      interest,
      distanceKm: distanceKm === undefined ? NaN : distanceKm,
      popularity: pop,
    });
    if (page.length > limit) {
      page.pop();
      hasMore = true;
    }
  };

  if (strategy === 'personalized') {
    // Category by category, most interesting first, each in start order, so `soon` only falls:
    // once even a maximal popularity and proximity cannot lift an event above the full page's
    // worst item, no later event of that category can either, and the scan moves on. Most of the
    // catalogue is never looked at.
    const cats = [...(params.categories ? new Set(params.categories) : CATEGORIES)].sort(
      (a, b) => (context.interests[b] ?? 0) - (context.interests[a] ?? 0) || (a < b ? -1 : 1),
    );
    const q: CatalogueQuery = { ...plan.query, categories: undefined };
    const ceiling = WEIGHTS.popularity + WEIGHTS.proximity + 1e-6;
    for (const cat of cats) {
      const interestPart = WEIGHTS.interest * (context.interests[cat] ?? 0);
      plan.catalogue.scan(q, cat, (entry: IndexedEvent) => {
        if (plan.excluded.has(entry.event.id)) return true;
        const soon = soonness(entry.startMs, context.nowMs);
        const worst = page.length >= limit ? page[page.length - 1] : undefined;
        if (worst && interestPart + WEIGHTS.soon * soon + ceiling < worst.score) {
          if (seen?.has(idHash(entry.event.id))) return true;
          hasMore = true;
          return false;
        }
        consider(entry, soon);
        return true;
      });
    }
  } else for (const c of plan.candidates) consider(c, soonness(c.startMs, context.nowMs));
  for (const r of page) if (Number.isNaN(r.distanceKm)) r.distanceKm = distanceOf(r.c.event);
  const last = page[page.length - 1];

  let nextCursor: string | null = null;
  if (last && hasMore) {
    const seenNow = [
      ...context.seenTrending,
      ...page.filter((r) => r.popularity > 0).map((r) => idHash(r.c.event.id)),
    ];
    nextCursor = encodeCursor({
      v: 1,
      f: context.filters,
      g: context.nowMs,
      pv: context.profileVersion,
      st: strategy,
      i: context.interests,
      o: context.origin && [context.origin.lat, context.origin.lon],
      c: context.scopeCity,
      s: last.score,
      id: last.c.event.id,
      t: seenNow.slice(-MAX_SEEN_TRENDING).join(''),
    });
  }

  return {
    userId: params.userId,
    generatedAt: new Date(context.nowMs).toISOString(),
    strategy,
    items: page.map((r) => ({
      eventId: r.c.event.id,
      title: r.c.event.title,
      category: r.c.event.category,
      startsAt: r.c.event.startsAt,
      venue: r.c.event.venue,
      city: r.c.event.city,
      distanceKm: r.distanceKm === null ? null : round(r.distanceKm, 1),
      price: r.c.event.price,
      score: r.score,
      reasons: reasonsFor(r, strategy, context.nowMs),
    })),
    nextCursor,
  };
}

/** Plans and ranks in one go, with the trending results already fetched for `planFeed(input).trendingCities`. */
export function buildFeed(input: FeedInput & { trending: TrendingResults }): Feed {
  return rankFeed(planFeed(input), input.trending);
}

// ---------------------------------------------------------------------------------------------
// Reasons

function reasonsFor(r: Ranked, strategy: Strategy, nowMs: number): string[] {
  const e = r.c.event;
  const reasons: string[] = [];
  if (strategy === 'personalized' && r.interest >= INTEREST_REASON_MIN)
    reasons.push(`matches your interest in ${e.category}`);
  if (r.distanceKm !== null && r.distanceKm <= NEAR_REASON_KM)
    reasons.push(r.distanceKm < 1 ? 'less than 1 km away' : `${Math.round(r.distanceKm)} km away`);
  reasons.push(
    r.c.startMs < nowMs && r.c.endMs !== null
      ? describeRunning(r.c.endMs, e.timezone)
      : describeWhen(r.c.startMs, nowMs, e.timezone),
  );
  if (r.popularity > 0) reasons.push(`trending in ${e.city}`);
  return reasons;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const formatters = new Map<string, Intl.DateTimeFormat>();
/** localDay results by zone and minute: formatToParts costs microseconds, and feeds ask it often. */
const dayCache = new Map<string, number>();
const DAY_CACHE_MAX = 50_000;

/** The local calendar date at `ms` in `timeZone` (UTC if the zone is unknown), as days since epoch. */
function localDay(ms: number, timeZone: string): number {
  const key = `${timeZone}|${Math.floor(ms / 60_000)}`;
  const cached = dayCache.get(key);
  if (cached !== undefined) return cached;
  if (dayCache.size >= DAY_CACHE_MAX) dayCache.clear();
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    } catch {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: 'UTC',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
      });
    }
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(ms).map((p) => [p.type, p.value]));
  const day = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)) / DAY_MS;
  dayCache.set(key, day);
  return day;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A multi-day event already running (an exhibition): "on now, until 12 Jan" (its last local day). */
export function describeRunning(endMs: number, timeZone: string): string {
  const d = new Date(localDay(endMs - 1, timeZone) * DAY_MS);
  return `on now, until ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

/**
 * When the event is, in the venue's calendar: "today", "tomorrow", "this weekend" (the coming
 * Saturday or Sunday, asked Monday to Saturday), "on Thursday" (within 6 days), else "on 12 Dec".
 */
export function describeWhen(startMs: number, nowMs: number, timeZone: string): string {
  const day = localDay(startMs, timeZone);
  const today = localDay(nowMs, timeZone);
  const days = day - today;
  if (days <= 0) return 'today';
  if (days === 1) return 'tomorrow';
  // Days since epoch: day 0 (1970-01-01) was a Thursday.
  const weekday = (((day + 4) % 7) + 7) % 7;
  const todayWeekday = (((today + 4) % 7) + 7) % 7;
  if (days <= 6 && (weekday === 6 || weekday === 0) && todayWeekday !== 0) return 'this weekend';
  if (days <= 6) return `on ${WEEKDAYS[weekday]}`;
  const d = new Date(day * DAY_MS);
  return `on ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

/**
 * A {@link TrendingSource} that keeps each answer for `ttlMs` and shares a call in flight among the
 * requests waiting for it: trending counts cover 7 days, so a second-old answer ranks the same,
 * and a busy API asks Redis once per city per `ttlMs` instead of once per city per request.
 * A failed call is not kept.
 */
export function cachedTrending(source: TrendingSource, ttlMs = 1000, now = () => Date.now()): TrendingSource {
  const cache = new Map<string, { at: number; value: Promise<Array<{ eventId: string; score: number }>> }>();
  return {
    top(city, limit) {
      const key = `${limit}|${city}`;
      const hit = cache.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.value;
      const value = source.top(city, limit);
      const entry = { at: now(), value };
      cache.set(key, entry);
      value.catch(() => {
        if (cache.get(key) === entry) cache.delete(key);
      });
      return value;
    },
  };
}

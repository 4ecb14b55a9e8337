/**
 * The profile fold: a pure function of a user's enriched events that does not depend on their
 * arrival order. The job (`job.ts`) keeps one {@link ProfileState} per user; offline checks rebuild
 * the same profiles with {@link recomputeProfiles}. Definitions: `README.md` beside this file.
 */
import { z } from 'zod';
import { Category, EVENT_TYPES, EventType, type EnrichedEvent, type Profile } from '../../model/index.ts';

const DAY_MS = 86_400_000;
/**
 * Forgotten eventIds (older than the dedup window) are dropped from the dedup map once per this
 * fraction of the window, in event time. Pruning walks the whole map, so pruning on every event of a
 * user whose events are hours apart made a busy user's fold quadratic; entries that linger past the
 * horizon are ignored by the duplicate check, so how often we prune never changes a profile.
 */
const PRUNE_FRACTION = 4;

/** Tunables of the fold. Two runs agree only if their params agree. */
export interface ProfileParams {
  /** Half-life H of interests and of the activity mass (ms). */
  halfLifeMs: number;
  weights: Readonly<Record<EventType, number>>;
  /** EventIds whose timestamp is within this much of `lastEventAt` are remembered for dedup. */
  dedupWindowMs: number;
  recentItemsMax: number;
  /** Bound of `dismissedItems` and `purchasedItems`. */
  itemSetMax: number;
  /** `activityScore = 1 - 2^(-activity / activityScale)`. */
  activityScale: number;
}

export const DEFAULT_PARAMS: Readonly<ProfileParams> = Object.freeze({
  halfLifeMs: 7 * DAY_MS,
  weights: Object.freeze({ VIEW: 1, CLICK: 2, LIKE: 3, SAVE: 3, SHARE: 4, PURCHASE: 5, DISMISS: -2 }),
  dedupWindowMs: 7 * DAY_MS,
  recentItemsMax: 20,
  itemSetMax: 200,
  activityScale: 20,
});

/** An item's most recent event: timestamp `t`, eventId `e` (tie-break). */
const RecentItem = z.object({ id: z.string(), t: z.number().int(), e: z.string() });
type RecentItem = z.infer<typeof RecentItem>;

/**
 * One user's fold state, stored as JSON. Decayed quantities (`interests`, `activity`) are kept at
 * reference time `lastEventAt`. `version` belongs to the job (the fold never touches it).
 */
export const ProfileState = z.object({
  version: z.number().int().nonnegative(),
  lastEventAt: z.number().int().nonnegative().nullable(),
  interests: z.partialRecord(Category, z.number()),
  /** Decayed event count Σ 2^(-(T - t)/H) over all counted events. */
  activity: z.number().nonnegative(),
  eventCounts: z.record(EventType, z.number().int().nonnegative()),
  totalEvents: z.number().int().nonnegative(),
  /** Sorted most recent first (timestamp desc, then eventId asc), one entry per item, bounded. */
  recentItems: z.array(RecentItem),
  dismissedItems: z.array(RecentItem),
  purchasedItems: z.array(RecentItem),
  /** Per city: number of events and latest timestamp. */
  cities: z.record(z.string(), z.object({ n: z.number().int().positive(), t: z.number().int() })),
  /** eventId → timestamp, for events with timestamp ≥ lastEventAt - dedupWindowMs (older may linger). */
  seen: z.record(z.string(), z.number().int()),
  seenPrunedAt: z.number().int().nullable(),
});
export type ProfileState = z.infer<typeof ProfileState>;

export function emptyState(): ProfileState {
  const eventCounts = {} as Record<EventType, number>;
  for (const t of EVENT_TYPES) eventCounts[t] = 0;
  return {
    version: 0,
    lastEventAt: null,
    interests: {},
    activity: 0,
    eventCounts,
    totalEvents: 0,
    recentItems: [],
    dismissedItems: [],
    purchasedItems: [],
    cities: {},
    seen: {},
    seenPrunedAt: null,
  };
}

/**
 * Folds one event into `state`, in place. Returns false, leaving `state` untouched, when the event is
 * a duplicate: its eventId was already counted with a timestamp ≥ lastEventAt - dedupWindowMs.
 * Everything else commutes: any order of the same (distinct) events gives the same state, up to
 * floating-point rounding of the decayed sums.
 */
export function applyEvent(
  state: ProfileState,
  event: EnrichedEvent,
  params: ProfileParams = DEFAULT_PARAMS,
): boolean {
  const t = event.timestamp;
  const T0 = state.lastEventAt;
  const prev = getOwn(state.seen, event.eventId);
  if (prev !== undefined && T0 !== null && prev >= T0 - params.dedupWindowMs) return false;

  // Move the reference time forward, decaying what was summed at the old one.
  let T = T0 ?? t;
  if (t > T) {
    const f = decay(t - T, params.halfLifeMs);
    for (const c of Object.keys(state.interests) as Category[]) state.interests[c]! *= f;
    state.activity *= f;
    T = t;
  }
  state.lastEventAt = T;

  const age = decay(T - t, params.halfLifeMs);
  const w = params.weights[event.eventType] * age;
  const cats = event.enrichment.categories;
  for (let i = 0; i < cats.length; i++) {
    const c = cats[i]!;
    if (cats.indexOf(c) !== i) continue;
    state.interests[c] = (state.interests[c] ?? 0) + w;
  }
  state.activity += age;
  state.eventCounts[event.eventType] += 1;
  state.totalEvents += 1;

  const itemId = event.context.itemId;
  if (itemId !== undefined) {
    const item = { id: itemId, t, e: event.eventId };
    upsertRecent(state.recentItems, item, params.recentItemsMax);
    if (event.eventType === 'DISMISS') upsertRecent(state.dismissedItems, item, params.itemSetMax);
    if (event.eventType === 'PURCHASE') upsertRecent(state.purchasedItems, item, params.itemSetMax);
  }

  const city = event.enrichment.city;
  if (city !== null) {
    const s = getOwn(state.cities, city);
    if (s) {
      s.n += 1;
      if (t > s.t) s.t = t;
    } else setOwn(state.cities, city, { n: 1, t });
  }

  const horizon = T - params.dedupWindowMs;
  if (t >= horizon) setOwn(state.seen, event.eventId, t);
  if (state.seenPrunedAt === null || T - state.seenPrunedAt >= params.dedupWindowMs / PRUNE_FRACTION) {
    for (const id of Object.keys(state.seen)) if (state.seen[id]! < horizon) delete state.seen[id];
    state.seenPrunedAt = T;
  }
  return true;
}

/** The profile a state stands for. `activityScore` and `home` are defined in README.md. */
export function toProfile(state: ProfileState, params: ProfileParams = DEFAULT_PARAMS): Profile {
  return {
    interests: { ...state.interests },
    eventCounts: { ...state.eventCounts },
    totalEvents: state.totalEvents,
    lastEventAt: state.lastEventAt,
    recentItems: state.recentItems.map((r) => r.id),
    dismissedItems: state.dismissedItems.map((r) => r.id),
    purchasedItems: state.purchasedItems.map((r) => r.id),
    activityScore: 1 - Math.pow(2, -state.activity / params.activityScale),
    home: homeCity(state.cities),
  };
}

/** Rebuilds every user's profile from scratch (offline verification). Any order of `events` will do. */
export function recomputeProfiles(
  events: Iterable<EnrichedEvent>,
  params: ProfileParams = DEFAULT_PARAMS,
): Map<string, Profile> {
  const states = new Map<string, ProfileState>();
  for (const e of events) {
    let s = states.get(e.userId);
    if (!s) states.set(e.userId, (s = emptyState()));
    applyEvent(s, e, params);
  }
  const out = new Map<string, Profile>();
  for (const [userId, s] of states) out.set(userId, toProfile(s, params));
  return out;
}

function decay(ageMs: number, halfLifeMs: number): number {
  return Math.pow(2, -ageMs / halfLifeMs);
}

/** a comes before b: later timestamp, or same timestamp and smaller eventId. */
function before(a: RecentItem, b: RecentItem): boolean {
  return a.t > b.t || (a.t === b.t && a.e < b.e);
}

/**
 * Keeps `list` = the `max` items whose most recent event comes first, each once, in that order.
 * Order-independent: an item dropped for lack of room can only come back with a newer event.
 */
function upsertRecent(list: RecentItem[], item: RecentItem, max: number): void {
  const at = list.findIndex((r) => r.id === item.id);
  if (at >= 0) {
    if (!before(item, list[at]!)) return;
    list.splice(at, 1);
  } else if (list.length >= max && !before(item, list[list.length - 1]!)) return;
  let i = 0;
  while (i < list.length && before(list[i]!, item)) i++;
  list.splice(i, 0, item);
  if (list.length > max) list.length = max;
}

/** Most events; ties: most recent event; then name, so the choice never depends on order. */
function homeCity(cities: ProfileState['cities']): string | null {
  let best: string | null = null;
  let bn = 0;
  let bt = 0;
  for (const [city, { n, t }] of Object.entries(cities)) {
    if (best === null || n > bn || (n === bn && (t > bt || (t === bt && city < best)))) {
      best = city;
      bn = n;
      bt = t;
    }
  }
  return best;
}

// User-supplied strings (eventIds, city names) are keys of plain JSON objects: `__proto__` and
// friends must be own properties, never the prototype.
function getOwn<V>(o: Record<string, V>, k: string): V | undefined {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

function setOwn<V>(o: Record<string, V>, k: string, v: V): void {
  // Assignment creates an own property for every name except `__proto__`, the one accessor of
  // Object.prototype (inherited data properties such as `toString` are writable); defineProperty,
  // which allocates a descriptor per call, only where it is needed.
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

/**
 * The event catalogue as the query API sees it: an in-memory index of {@link CatalogEvent}s, fed by
 * {@link followCatalogue} from the compacted `events-catalog` topic.
 *
 * Events are kept sorted by (startsAt, id), so a date window is two binary searches away; the other
 * filters (city, radius, category, price) are checked on the events of the window only. Upserts made
 * since the last query are merged lazily: a few by binary-search insertion, many (the initial load)
 * by one sort. Each city keeps the running mean of its venues' coordinates (its "centre").
 */
import { randomUUID } from 'node:crypto';
import { createAdmin, createKafkaJSConsumer, type Logger } from '../../runtime/index.ts';
import { CatalogEvent, type Category } from '../../model/index.ts';

export interface IndexedEvent {
  event: CatalogEvent;
  /** `event.startsAt` as epoch ms. */
  startMs: number;
  /** `event.endsAt` as epoch ms, or null. */
  endMs: number | null;
  /** The city as compared (trimmed, lower case), computed once. */
  cityKey: string;
}

export interface CatalogueQuery {
  /**
   * Inclusive lower bound on startsAt (epoch ms). Multi-day events (exhibitions, festivals: at least
   * {@link MULTI_DAY_MS} long) that started before it and are still running at it match too.
   */
  fromMs: number;
  /** Exclusive upper bound on startsAt (epoch ms). */
  toMs: number;
  /** Case-insensitive city name. */
  city?: string | undefined;
  /** Only events whose venue has coordinates within `radiusKm` of (lat, lon). */
  near?: { lat: number; lon: number; radiusKm: number } | undefined;
  categories?: ReadonlySet<Category> | undefined;
  /** Only events with a known price whose cheapest ticket is at most this (any currency), or free. */
  maxPrice?: number | undefined;
  /** Only events with this status (all when absent). */
  status?: CatalogEvent['status'] | undefined;
}

export interface GeoPoint {
  lat: number;
  lon: number;
}

const EARTH_RADIUS_KM = 6371.0088;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in km (haversine). */
export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The key under which a city is indexed (case and surrounding spaces do not matter). */
export const cityKey = (city: string) => city.trim().toLowerCase();

/** Orders by startMs, then id. */
const before = (a: IndexedEvent, b: IndexedEvent) =>
  a.startMs !== b.startMs ? a.startMs < b.startMs : a.event.id < b.event.id;

/** Events at least this long (endsAt − startsAt) are offered while they run, not only before. */
export const MULTI_DAY_MS = 24 * 3_600_000;

/** Below this many pending changes, they are merged by insertion; above, by a full sort. */
const MERGE_BY_INSERTION_MAX = 256;

interface CityStats {
  name: string;
  events: number;
  located: number;
  sumLat: number;
  sumLon: number;
}

export class CatalogueIndex {
  private readonly byId = new Map<string, IndexedEvent>();
  private sorted: IndexedEvent[] = [];
  /** Entries added to or removed from `byId` since `sorted` was last brought up to date. */
  private readonly added = new Set<IndexedEvent>();
  private readonly removed = new Set<IndexedEvent>();
  private readonly cities = new Map<string, CityStats>();
  /** Multi-day events, also scanned for the ones already running at a query's `fromMs`. */
  private readonly multiDay = new Set<IndexedEvent>();
  /** Derived by `settle`: multi-day events by (startsAt, id), and both orders per category. */
  private multiDaySorted: IndexedEvent[] = [];
  private byCategory = new Map<Category, IndexedEvent[]>();
  private multiDayByCategory = new Map<Category, IndexedEvent[]>();
  private isLoaded = false;

  get size(): number {
    return this.byId.size;
  }

  /** True once the topic has been read up to its end offsets at start ({@link followCatalogue}). */
  get loaded(): boolean {
    return this.isLoaded;
  }

  markLoaded(): void {
    this.isLoaded = true;
  }

  get(id: string): CatalogEvent | undefined {
    return this.byId.get(id)?.event;
  }

  /** Adds or replaces the event with this id. */
  upsert(event: CatalogEvent): void {
    const startMs = Date.parse(event.startsAt);
    if (!Number.isFinite(startMs)) throw new RangeError(`event ${event.id}: invalid startsAt`);
    this.delete(event.id);
    const end = event.endsAt === null ? Number.NaN : Date.parse(event.endsAt);
    const endMs = Number.isFinite(end) ? end : null;
    const entry: IndexedEvent = { event, startMs, endMs, cityKey: cityKey(event.city) };
    this.byId.set(event.id, entry);
    if (endMs !== null && endMs - startMs >= MULTI_DAY_MS) this.multiDay.add(entry);
    this.added.add(entry);
    this.count(event, 1);
  }

  /** Removes the event with this id (a tombstone); true if it was there. */
  delete(id: string): boolean {
    const old = this.byId.get(id);
    if (!old) return false;
    this.byId.delete(id);
    this.multiDay.delete(old);
    if (!this.added.delete(old)) this.removed.add(old);
    this.count(old.event, -1);
    return true;
  }

  /** The city's name as the catalogue spells it, or undefined if no event is in it. */
  cityName(city: string): string | undefined {
    return this.cities.get(cityKey(city))?.name;
  }

  /** Mean coordinates of the city's located venues (one vote per event), if it has any. */
  cityCentre(city: string): GeoPoint | undefined {
    const s = this.cities.get(cityKey(city));
    if (!s || s.located === 0) return undefined;
    return { lat: s.sumLat / s.located, lon: s.sumLon / s.located };
  }

  /**
   * Events matching `q`: multi-day events already running at `q.fromMs` first, then the events
   * starting in [fromMs, toMs), each group by (startsAt, id); `distanceKm` from `q.near` when given.
   */
  query(q: CatalogueQuery): Array<IndexedEvent & { distanceKm?: number }> {
    const out: Array<IndexedEvent & { distanceKm?: number }> = [];
    this.visit(q, this.settle(), this.multiDaySorted, (entry, d) => {
      out.push(Number.isNaN(d) ? entry : { ...entry, distanceKm: d });
      return true;
    });
    return out;
  }

  /**
   * The events of one category matching `q` (which must not filter categories), in the order of
   * {@link query}, each with its distance from `q.near` (NaN without `near`), until `visit` returns
   * false. Nothing is allocated per event: this is the feed's hot path.
   */
  scan(
    q: CatalogueQuery,
    category: Category,
    visit: (entry: IndexedEvent, distanceKm: number) => boolean,
  ): void {
    this.settle();
    const sorted = this.byCategory.get(category);
    if (sorted) this.visit(q, sorted, this.multiDayByCategory.get(category) ?? [], visit);
  }

  /** Cities by number of events, most first (ties by name), as the catalogue spells them. */
  topCities(limit: number): string[] {
    return [...this.cities.values()]
      .sort((a, b) => b.events - a.events || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .slice(0, limit)
      .map((c) => c.name);
  }

  /** Cities with a centre within `km` of `p`, nearest first. */
  citiesNear(p: GeoPoint, km: number, limit: number): string[] {
    const near: Array<[string, number]> = [];
    for (const s of this.cities.values()) {
      if (s.located === 0) continue;
      const d = haversineKm(p, { lat: s.sumLat / s.located, lon: s.sumLon / s.located });
      if (d <= km) near.push([s.name, d]);
    }
    return near
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit)
      .map(([name]) => name);
  }

  private visit(
    q: CatalogueQuery,
    sorted: IndexedEvent[],
    multiDay: readonly IndexedEvent[],
    visit: (entry: IndexedEvent, distanceKm: number) => boolean,
  ): void {
    const city = q.city === undefined ? undefined : cityKey(q.city);
    for (const m of multiDay) {
      if (m.startMs >= q.fromMs || m.startMs >= q.toMs) break;
      if (m.endMs! <= q.fromMs) continue;
      const d = matchDistance(m, q, city);
      if (d !== -1 && !visit(m, d)) return;
    }
    for (let i = lowerBound(sorted, q.fromMs); i < sorted.length; i++) {
      const entry = sorted[i]!;
      if (entry.startMs >= q.toMs) break;
      const d = matchDistance(entry, q, city);
      if (d !== -1 && !visit(entry, d)) return;
    }
  }

  private count(e: CatalogEvent, delta: 1 | -1): void {
    const key = cityKey(e.city);
    let s = this.cities.get(key);
    if (!s) this.cities.set(key, (s = { name: e.city, events: 0, located: 0, sumLat: 0, sumLon: 0 }));
    s.events += delta;
    if (e.venue.lat !== null && e.venue.lon !== null) {
      s.located += delta;
      s.sumLat += delta * e.venue.lat;
      s.sumLon += delta * e.venue.lon;
    }
    if (s.events === 0) this.cities.delete(key);
    else if (s.located === 0) s.sumLat = s.sumLon = 0; // no drift from float rounding
  }

  /** Brings `sorted` up to date with the pending changes and returns it. */
  private settle(): IndexedEvent[] {
    if (this.added.size === 0 && this.removed.size === 0) return this.sorted;
    if (this.added.size + this.removed.size > MERGE_BY_INSERTION_MAX) {
      this.sorted = [...this.byId.values()].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    } else {
      for (const old of this.removed) {
        const i = position(this.sorted, old);
        if (this.sorted[i] === old) this.sorted.splice(i, 1);
      }
      for (const entry of this.added) this.sorted.splice(position(this.sorted, entry), 0, entry);
    }
    this.added.clear();
    this.removed.clear();
    this.multiDaySorted = this.sorted.filter((e) => this.multiDay.has(e));
    this.byCategory = groupByCategory(this.sorted);
    this.multiDayByCategory = groupByCategory(this.multiDaySorted);
    return this.sorted;
  }
}

function groupByCategory(sorted: readonly IndexedEvent[]): Map<Category, IndexedEvent[]> {
  const out = new Map<Category, IndexedEvent[]>();
  for (const e of sorted) {
    const list = out.get(e.event.category);
    if (list) list.push(e);
    else out.set(e.event.category, [e]);
  }
  return out;
}

/** -1 if `entry` fails the filters of `q`; else its distance from `q.near`, or NaN without `near`. */
function matchDistance(entry: IndexedEvent, q: CatalogueQuery, city: string | undefined): number {
  const e = entry.event;
  if (q.status !== undefined && e.status !== q.status) return -1;
  if (city !== undefined && entry.cityKey !== city) return -1;
  if (q.categories && !q.categories.has(e.category)) return -1;
  if (q.maxPrice !== undefined && !(e.price && (e.price.isFree || e.price.min <= q.maxPrice))) return -1;
  if (!q.near) return Number.NaN;
  if (e.venue.lat === null || e.venue.lon === null) return -1;
  const d = haversineKm(q.near, { lat: e.venue.lat, lon: e.venue.lon });
  return d > q.near.radiusKm ? -1 : d;
}

/** First index whose startMs is ≥ `ms`. */
function lowerBound(sorted: IndexedEvent[], ms: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.startMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose entry is not before `entry` in (startMs, id) order. */
function position(sorted: IndexedEvent[], entry: IndexedEvent): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(sorted[mid]!, entry)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Applies one record of `events-catalog` to the index: a null value deletes the key, a valid
 * CatalogEvent is upserted under its own id, anything else is skipped with a warning. Returns what
 * was done.
 */
export function applyCatalogueRecord(
  index: CatalogueIndex,
  key: string | null,
  value: Buffer | string | null,
  log: Logger,
): 'upserted' | 'deleted' | 'skipped' {
  if (value === null) {
    if (key === null) return 'skipped';
    index.delete(key);
    return 'deleted';
  }
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch (err) {
    log.warn('skipping catalogue record that is not JSON', { key, error: (err as Error).message });
    return 'skipped';
  }
  const parsed = CatalogEvent.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    log.warn('skipping invalid catalogue record', {
      key,
      error: issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid',
    });
    return 'skipped';
  }
  // Compaction keys by id; should a key ever differ from the id, the key's old value goes too.
  if (key !== null && key !== parsed.data.id) index.delete(key);
  index.upsert(parsed.data);
  return 'upserted';
}

export interface CatalogueFollower {
  /** Stops following; idempotent. */
  close(): Promise<void>;
  /** Resolves once every partition was read up to its end offset at start (then `index.loaded`). */
  ready: Promise<void>;
}

export interface FollowCatalogueOptions {
  brokers: string[];
  topic: string;
  index: CatalogueIndex;
  log: Logger;
  /** With no record for this long while not caught up, `ready` resolves anyway (compacted-away tails). */
  idleReadyMs?: number;
}

/**
 * Reads `topic` from the beginning into `index` and keeps following it. Uses a consumer group of its
 * own (unique per call) and never commits offsets, so every start reads the whole topic again.
 */
export async function followCatalogue(opts: FollowCatalogueOptions): Promise<CatalogueFollower> {
  const { brokers, topic, index, log } = opts;
  const admin = createAdmin(brokers);
  let ends = new Map<number, number>();
  try {
    await admin.connect();
    // A catalogue that does not exist yet is an empty one: loaded at once, followed once created.
    if ((await admin.listTopics()).includes(topic)) {
      const offsets = await admin.fetchTopicOffsets(topic);
      ends = new Map(
        offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]),
      );
    } else log.warn('catalogue topic does not exist yet; feeds start empty', { topic });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }

  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const t0 = Date.now();
  let records = 0;
  let done = false;
  const finish = (how: string) => {
    if (done) return;
    done = true;
    clearInterval(idleCheck);
    index.markLoaded();
    log.info('catalogue loaded', { topic, events: index.size, records, ms: Date.now() - t0, how });
    resolveReady();
  };

  // Compaction or transaction markers can leave a partition's last offsets without a record: once
  // nothing has arrived for a while, what was readable has been read.
  let lastActivity = Date.now();
  const idleMs = opts.idleReadyMs ?? 10_000;
  const idleCheck = setInterval(
    () => {
      if (Date.now() - lastActivity > idleMs) finish('idle');
    },
    Math.min(1000, idleMs),
  );
  idleCheck.unref();
  if (ends.size === 0) finish('empty');

  const consumer = createKafkaJSConsumer(brokers, `pulse-query-catalogue-${randomUUID()}`, {
    'js.consumer.max.batch.size': -1,
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic });
  } catch (err) {
    clearInterval(idleCheck);
    await consumer.disconnect().catch(() => undefined);
    throw err;
  }
  void consumer
    .run({
      eachBatch: async ({ batch }) => {
        lastActivity = Date.now();
        for (const m of batch.messages) {
          applyCatalogueRecord(index, m.key?.toString() ?? null, m.value, log);
          records++;
        }
        const last = batch.messages[batch.messages.length - 1];
        const end = ends.get(batch.partition);
        if (last && end !== undefined && Number(last.offset) >= end - 1) ends.delete(batch.partition);
        if (ends.size === 0) finish('end offsets');
        await Promise.resolve();
      },
    })
    .catch((err: unknown) => log.error('catalogue consumer failed', { error: (err as Error).message }));

  let closing: Promise<void> | undefined;
  return {
    ready,
    close: () =>
      (closing ??= (async () => {
        clearInterval(idleCheck);
        await consumer.disconnect().catch(() => undefined);
      })()),
  };
}

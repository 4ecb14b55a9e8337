/**
 * Zone offsets, memoised per zone and UTC day. luxon's `IANAZone.offset` asks `Intl` each time
 * (several µs), and normalisation needs five offsets per listing; a catalogue's listings share a few
 * zones and days, so nearly every lookup becomes a map read.
 *
 * Per (zone, UTC day): the offsets at the day's start and end; when they differ, the instant of the
 * change, found by bisection to the millisecond (once per zone and transition day). This assumes a zone changes its offset at most once
 * within a UTC day, which holds for every zone in the IANA database since 1970.
 */
import type { IANAZone } from 'luxon';

const DAY_MS = 86_400_000;
/** Bounds the memory a long-running normaliser spends on distinct days; refilled cheaply. */
const MAX_DAYS_PER_ZONE = 20_000;

interface Day {
  start: number;
  end: number;
  /** First instant (ms) with the `end` offset, when the offset changes during the day. */
  change: number | null;
}

const cache = new WeakMap<IANAZone, Map<number, Day>>();

function computeDay(zone: IANAZone, dayStart: number): Day {
  const start = zone.offset(dayStart);
  const end = zone.offset(dayStart + DAY_MS - 1);
  if (start === end) return { start, end, change: null };
  let lo = dayStart; // has `start`
  let hi = dayStart + DAY_MS - 1; // has `end`
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (zone.offset(mid) === start) lo = mid;
    else hi = mid;
  }
  return { start, end, change: hi };
}

/** The zone's offset from UTC in minutes at the instant `ms` (as `IANAZone.offset`). */
export function offsetMinutes(zone: IANAZone, ms: number): number {
  let days = cache.get(zone);
  if (!days) {
    days = new Map();
    cache.set(zone, days);
  }
  const dayStart = Math.floor(ms / DAY_MS) * DAY_MS;
  let day = days.get(dayStart);
  if (!day) {
    if (days.size >= MAX_DAYS_PER_ZONE) days.clear();
    day = computeDay(zone, dayStart);
    days.set(dayStart, day);
  }
  return day.change === null || ms < day.change ? day.start : day.end;
}

/** The time part of the dedup score: how close two starts are, and whether a start is date-only. */
import { DEDUP } from './thresholds.ts';

/** 1 for equal instants, 0.8 up to 30 min apart, then linearly down to 0 at 2 h. */
export function timeSimilarity(aMs: number, bMs: number): number {
  const d = Math.abs(aMs - bMs);
  const { closeMs, closeScore, farMs } = DEDUP.time;
  if (!Number.isFinite(d)) return 0;
  if (d === 0) return 1;
  if (d <= closeMs) return closeScore;
  if (d >= farMs) return 0;
  return (closeScore * (farMs - d)) / (farMs - closeMs);
}

export interface StartInfo {
  /** Epoch ms; NaN if unreadable. */
  ms: number;
  /** 00:00 local time in the venue's zone: how normalisation writes a date-only start. */
  dateOnly: boolean;
}

// Parsed per zone and start string: scoring asks for every pair, a block's listings share a few
// zones and starts, and Intl formatters are costly to create. Bounded by clearing.
const formatters = new Map<string, Intl.DateTimeFormat | null>();
const starts = new Map<string, Map<string, StartInfo>>();
let cached = 0;

export function startInfo(startsAt: string, timezone: string): StartInfo {
  let zone = starts.get(timezone);
  const hit = zone?.get(startsAt);
  if (hit) return hit;
  const ms = Date.parse(startsAt);
  const f = formatter(timezone);
  const info = { ms, dateOnly: f !== null && Number.isFinite(ms) && f.format(ms) === '00:00' };
  if (++cached > 50_000) {
    starts.clear();
    cached = 1;
    zone = undefined;
  }
  if (!zone) starts.set(timezone, (zone = new Map<string, StartInfo>()));
  zone.set(startsAt, info);
  return info;
}

/** True if the instant is 00:00 local time in the zone (false for an unknown zone). */
export const startsAtLocalMidnight = (startsAt: string, timezone: string): boolean =>
  startInfo(startsAt, timezone).dateOnly;

/**
 * The time part for two starts: null (unknown) when exactly one is date-only, since a date says
 * nothing about the hour; otherwise {@link timeSimilarity}.
 */
export function timePart(a: StartInfo, b: StartInfo): number | null {
  return a.dateOnly === b.dateOnly ? timeSimilarity(a.ms, b.ms) : null;
}

function formatter(timezone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timezone);
  if (f !== undefined) return f;
  try {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    f = null;
  }
  formatters.set(timezone, f);
  return f;
}

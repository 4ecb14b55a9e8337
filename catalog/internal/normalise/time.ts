/**
 * Draft times (see {@link ListingDraft}) to UTC instants. Three forms: an instant with `Z` or an
 * offset (passes through), a local date-time without offset (read in the venue's zone), a date
 * (all-day, ends inclusive).
 *
 * Local times are converted here rather than with luxon's `DateTime.fromISO(…, { zone })`: luxon
 * moves a time in a spring gap forward (as we want) but resolves an autumn time that happens twice
 * to the later of its two instants, and the catalogue's rule is the earlier one (the moment the
 * wall clock first shows it). Only luxon's zone offsets are used.
 */
import { IANAZone } from 'luxon';
import type { ListingDraft } from '../listing.ts';
import { offsetMinutes } from './zone-offset.ts';

export type FieldError = { path: string; message: string };

export type TimesResult =
  | {
      ok: true;
      /** UTC, `YYYY-MM-DDTHH:mm:ss.sssZ`. */
      startsAt: string;
      endsAt: string | null;
      /** The start's calendar date in the zone; null only when no zone was known (all instants). */
      localDate: string | null;
    }
  | { ok: false; errors: FieldError[] };

/** A wall-clock reading (month 1-12). */
export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

type ParsedTime =
  | { kind: 'instant'; ms: number }
  | { kind: 'local'; parts: LocalParts }
  | { kind: 'date'; parts: LocalParts };

const TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const DAY_MS = 86_400_000;

const zones = new Map<string, IANAZone | null>();

/** The luxon zone for an IANA name, or null when the name is not a valid zone (cached). */
export function ianaZone(name: string | null | undefined): IANAZone | null {
  if (!name) return null;
  let z = zones.get(name);
  if (z === undefined) {
    z = IANAZone.isValidZone(name) ? IANAZone.create(name) : null;
    zones.set(name, z);
  }
  return z;
}

const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** Reads one draft time string; null when it is not one of the three forms or not a real date. */
export function parseDraftTime(text: string): ParsedTime | null {
  const m = TIME_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, off] = m;
  const parts: LocalParts = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: h === undefined ? 0 : Number(h),
    minute: mi === undefined ? 0 : Number(mi),
    second: s === undefined ? 0 : Number(s),
    ms: frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000),
  };
  if (parts.month < 1 || parts.month > 12) return null;
  if (parts.day < 1 || parts.day > daysInMonth(parts.year, parts.month)) return null;
  if (parts.minute > 59 || parts.second > 59) return null;
  // ISO 8601's 24:00 is the midnight that ends the day; any other hour past 23 is a typo.
  if (parts.hour > 24 || (parts.hour === 24 && (parts.minute || parts.second || parts.ms))) return null;
  if (h === undefined) return { kind: 'date', parts };
  if (off === undefined) return { kind: 'local', parts };
  let offsetMin = 0;
  if (off.toUpperCase() !== 'Z') {
    const digits = off.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 18 || om > 59) return null;
    offsetMin = (off.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  return { kind: 'instant', ms: wallMs(parts) - offsetMin * 60_000 };
}

/** The wall-clock reading as if it were UTC (the usual trick for zone arithmetic). */
function wallMs(p: LocalParts): number {
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms);
}

/**
 * The instant a wall-clock time stands for in `zone`. Of the zone's offsets a day either side,
 * those that map back to the same wall time are the candidates: two in an autumn overlap (the
 * earlier instant wins), none in a spring gap (the offset before the gap is used, which moves the
 * time forward by the gap: 02:30 in a one-hour gap reads as 03:30 summer time).
 */
export function localToInstant(p: LocalParts, zone: IANAZone): number {
  const wall = wallMs(p);
  const before = offsetMinutes(zone, wall - DAY_MS);
  const after = offsetMinutes(zone, wall + DAY_MS);
  let best: number | null = null;
  for (const off of before === after ? [before] : [before, after]) {
    const t = wall - off * 60_000;
    if (offsetMinutes(zone, t) === off && (best === null || t < best)) best = t;
  }
  if (best !== null) return best;
  // Not in a gap by the day-either-side offsets (a zone changing twice within a day): use the
  // offset at the wall time read as UTC, as a last resort that still yields a real instant.
  return before === after ? wall - offsetMinutes(zone, wall) * 60_000 : wall - before * 60_000;
}

/** The calendar date of an instant in a zone, `YYYY-MM-DD`. */
export function localDateOf(ms: number, zone: IANAZone): string {
  return new Date(ms + offsetMinutes(zone, ms) * 60_000).toISOString().slice(0, 10);
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The date part alone, for all-day listings whose source wrote a time anyway. */
const asDate = (p: LocalParts): LocalParts => ({ ...p, hour: 0, minute: 0, second: 0, ms: 0 });
const dateString = (p: LocalParts) => iso(wallMs(asDate(p))).slice(0, 10);

/** The next calendar day's parts (for the exclusive end of an inclusive last day). */
function nextDay(p: LocalParts): LocalParts {
  const d = new Date(wallMs(asDate(p)) + DAY_MS);
  return { ...asDate(p), year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * Resolves a draft's start and end in the venue's zone.
 *
 * - Instants pass through, normalised to UTC `toISOString()` form.
 * - Local date-times are read in `zone` (spring gap: moved forward; autumn overlap: the earlier).
 * - Dates (or any time of a draft marked `allDay` that has no offset) are all-day: `startsAt` is the
 *   local midnight that starts the first day, `endsAt` the local midnight that ends the last
 *   (inclusive) day; a date start without an end lasts one day.
 * - A timed start without an end leaves `endsAt` null.
 *
 * Errors (paths `start`, `end`, `timezone`): an unreadable string, a local time or date with no
 * valid zone, an end before the start.
 */
export function resolveTimes(
  draft: Pick<ListingDraft, 'start' | 'end' | 'allDay'>,
  zoneName: string | null,
): TimesResult {
  const zone = ianaZone(zoneName);
  const errors: FieldError[] = [];
  const start = parseDraftTime(draft.start);
  const end = draft.end === null || draft.end.trim() === '' ? null : parseDraftTime(draft.end);
  if (!start) errors.push({ path: 'start', message: `not a date or date-time: '${draft.start}'` });
  if (draft.end !== null && draft.end.trim() !== '' && !end) {
    errors.push({ path: 'end', message: `not a date or date-time: '${draft.end}'` });
  }
  if (!start || errors.length) return { ok: false, errors };

  const allDay = (t: ParsedTime) => t.kind === 'date' || (draft.allDay && t.kind === 'local');
  const needsZone = start.kind !== 'instant' || (end !== null && end.kind !== 'instant');
  if (needsZone && !zone) {
    return { ok: false, errors: [{ path: 'timezone', message: 'unknown for a local time' }] };
  }

  const instantOf = (t: ParsedTime, isEnd: boolean): number => {
    if (t.kind === 'instant') return t.ms;
    // `needsZone` guarantees a zone for the two other kinds.
    const z = zone as IANAZone;
    if (allDay(t)) return localToInstant(isEnd ? nextDay(t.parts) : asDate(t.parts), z);
    return localToInstant(t.parts, z);
  };

  const startMs = instantOf(start, false);
  let endMs: number | null = null;
  if (end) endMs = instantOf(end, true);
  else if (allDay(start)) endMs = instantOf(start, true);
  // An inclusive last day before the first day ends exactly where the first day starts.
  const endAllDay = end ? allDay(end) : allDay(start);
  if (endMs !== null && (endMs < startMs || (endAllDay && endMs === startMs))) {
    return { ok: false, errors: [{ path: 'end', message: `before the start ('${draft.start}')` }] };
  }

  let localDate: string | null = null;
  if (start.kind !== 'instant' && allDay(start)) localDate = dateString(start.parts);
  else if (zone) localDate = localDateOf(startMs, zone);
  return { ok: true, startsAt: iso(startMs), endsAt: endMs === null ? null : iso(endMs), localDate };
}

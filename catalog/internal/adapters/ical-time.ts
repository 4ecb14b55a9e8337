/**
 * iCalendar times as {@link ListingDraft} time strings. The adapter converts only what the document
 * alone can convert (UTC, or a TZID that is not an IANA name, with its VTIMEZONE); every other local
 * time leaves as a local date-time with the zone it should be read in, so that normalisation
 * resolves it (and its DST gaps and overlaps) the same way for every source type.
 */
import ICAL from 'ical.js';
import { IANAZone } from 'luxon';
import { ianaZone, localToInstant } from '../normalise/time.ts';

/** A time as the draft carries it, plus the instant it stands for (for horizons and ids). */
export interface DraftTime {
  /** `2027-03-28T18:00:00Z`, `2027-04-02T20:30:00` or `2027-03-01`. */
  value: string;
  /** The IANA zone the time is stated in, when the document or the source says one. */
  timezone: string | null;
  /**
   * The instant, by the rule normalisation applies to `value` in `timezone` (spring gap: moved
   * forward; autumn overlap: the earlier), so that horizons and occurrence ids agree with the
   * catalogue's start. For a local time with no zone at all, read as if it were UTC.
   */
  instantMs: number;
}

/** True for zone names the runtime's IANA database knows (`Europe/Berlin`, not `W. Europe`). */
export function isIanaZone(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && IANAZone.isValidZone(name);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function datePart(t: ICAL.Time): string {
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
}

function localPart(t: ICAL.Time): string {
  return `${datePart(t)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
}

/** The zone ical.js resolved for a time: UTC, a real definition, or none (floating). */
function zoneKind(t: ICAL.Time): 'utc' | 'resolved' | 'floating' {
  const tzid = (t.zone as ICAL.Timezone | null | undefined)?.tzid;
  if (tzid === 'UTC') return 'utc';
  return tzid === undefined || tzid === '' || tzid === 'floating' ? 'floating' : 'resolved';
}

function utcString(t: ICAL.Time): string {
  return `${localPart(t.convertToZone(ICAL.Timezone.utcTimezone))}Z`;
}

/**
 * Reads one iCal time.
 *
 * - A date (`VALUE=DATE`): `YYYY-MM-DD`, in `fallbackZone`.
 * - UTC (`…Z`): the instant with `Z`; `timezone` is still `fallbackZone`, the calendar's zone.
 * - A TZID that is an IANA name: the local time without offset, with `timezone` = the TZID
 *   (normalisation resolves it, DST gaps and overlaps included).
 * - Any other TZID that ical.js resolved (its VTIMEZONE is in the document): converted with that
 *   definition to the UTC instant.
 * - A TZID without a definition (ical.js leaves it floating): the local time without offset, with
 *   `timezone` = the TZID if it is an IANA name, else `fallbackZone` (Outlook names such as
 *   `W. Europe Standard Time` are not guessed at).
 * - A floating time: the local time without offset, in `fallbackZone` (X-WR-TIMEZONE or the
 *   source's default zone), or with no zone at all.
 *
 * @param tzidParam the TZID parameter of the property the time came from: ical.js drops an
 *   unresolved TZID from the time itself, so it must be passed along.
 */
export function readTime(t: ICAL.Time, tzidParam: string | null, fallbackZone: string | null): DraftTime {
  if (t.isDate) {
    return { value: datePart(t), timezone: fallbackZone, instantMs: localMs(t, fallbackZone) };
  }
  const kind = zoneKind(t);
  if (kind === 'utc') {
    return { value: utcString(t), timezone: fallbackZone, instantMs: t.toUnixTime() * 1000 };
  }
  if (kind === 'resolved') {
    const tzid = t.zone.tzid;
    // An IANA zone is left to normalisation, so one rule resolves DST gaps and overlaps for every
    // source (ical.js puts a time in the spring gap an hour early, where RFC 5545 says to read it
    // with the offset before the gap). Only custom definitions are converted here.
    if (isIanaZone(tzid)) return { value: localPart(t), timezone: tzid, instantMs: localMs(t, tzid) };
    return { value: utcString(t), timezone: fallbackZone, instantMs: t.toUnixTime() * 1000 };
  }
  const timezone = isIanaZone(tzidParam) ? tzidParam : fallbackZone;
  return { value: localPart(t), timezone, instantMs: localMs(t, timezone) };
}

/**
 * The instant of a local wall time in `zone`, or read as UTC without a zone. Normalisation's own
 * conversion, not luxon's `fromObject`: luxon takes the later instant of a Berlin autumn overlap.
 */
function localMs(t: ICAL.Time, zone: string | null): number {
  const { year, month, day, hour, minute, second } = t;
  const z = ianaZone(zone);
  if (z === null) return Date.UTC(year, month - 1, day, hour, minute, second);
  return localToInstant({ year, month, day, hour, minute, second, ms: 0 }, z);
}

/**
 * The last day of an all-day event, inclusive: iCal's DTEND of a date is exclusive, so one day
 * earlier, but never before the first day (some producers write DTEND = DTSTART).
 */
export function inclusiveEndDate(start: ICAL.Time, exclusiveEnd: ICAL.Time): string {
  const last = exclusiveEnd.clone();
  last.adjust(-1, 0, 0, 0);
  return last.compare(start) < 0 ? datePart(start) : datePart(last);
}

/**
 * The occurrence part of a recurring event's source id: `YYYYMMDDTHHMMSSZ` (the instant in UTC) or
 * `YYYYMMDD` for a date, as iCal writes RECURRENCE-IDs.
 */
export function occurrenceKey(t: ICAL.Time, instantMs: number): string {
  if (t.isDate) return datePart(t).replaceAll('-', '');
  return `${new Date(instantMs).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

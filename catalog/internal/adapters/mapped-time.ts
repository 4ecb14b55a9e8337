/**
 * Start and end values of mapped records as draft time strings. Sources that write dates their
 * own way (`15/04/2027` plus a `19:30` column) are read with the mapping's luxon formats into the
 * draft's forms: `YYYY-MM-DD` for a date, a local `YYYY-MM-DDTHH:mm:ss` (no offset: normalisation
 * reads it in the source's zone, DST gaps and overlaps included) for a date and time.
 */
import { DateTime } from 'luxon';
import { isDateOnly } from './mapped-values.ts';

export interface TimeSpec {
  /** The draft field (`start`, `end`) and the record fields it comes from, for reasons. */
  field: string;
  dateColumn: string;
  timeColumn: string | undefined;
  dateFormat: string | undefined;
  timeFormat: string;
}

export type TimeRead = { ok: true; value: string | null; allDay: boolean } | { ok: false; reason: string };

const LOCAL = "yyyy-MM-dd'T'HH:mm:ss";

/** Luxon tokens outside quoted literals: a format with hours has a time, one with `Z` an offset. */
function tokens(format: string): string {
  return format.replace(/'[^']*'/g, '');
}

function invalid(spec: TimeSpec, kind: 'date' | 'time', value: string, format: string): TimeRead {
  const column = kind === 'time' ? (spec.timeColumn ?? spec.dateColumn) : spec.dateColumn;
  const reason = `${spec.field} (${column}): "${value}" is not a ${kind} in the format ${format}`;
  return { ok: false, reason };
}

/** A date cell in `format`: the draft date, or a full date-time when the format has a time. */
function readDate(value: string, spec: TimeSpec, format: string): TimeRead {
  const t = tokens(format);
  const withOffset = /Z/.test(t);
  const parsed = DateTime.fromFormat(value, format, withOffset ? { setZone: true } : { zone: 'UTC' });
  if (!parsed.isValid) return invalid(spec, 'date', value, format);
  if (withOffset) return { ok: true, value: parsed.toISO({ suppressMilliseconds: true }), allDay: false };
  const hasTime = /[Hhms]/.test(t);
  return { ok: true, value: parsed.toFormat(hasTime ? LOCAL : 'yyyy-MM-dd'), allDay: !hasTime };
}

/**
 * Reads a start or end. Without a date format the value is passed on as the source wrote it
 * (ISO 8601 is expected; normalisation validates), except that a separate time column needs an
 * ISO date to join. A blank time cell leaves a date (an all-day listing). A value that does not
 * match its format is refused, naming the column and the format.
 *
 * @param date the date (or date-time) cell's text, null when blank.
 * @param time the time cell's text, null when blank or not mapped.
 */
export function readTime(date: string | null, time: string | null, spec: TimeSpec): TimeRead {
  if (date === null) return { ok: true, value: null, allDay: false };
  const format = spec.dateFormat ?? (spec.timeColumn === undefined ? undefined : 'yyyy-MM-dd');
  const day =
    format === undefined
      ? { ok: true as const, value: date, allDay: isDateOnly(date) }
      : readDate(date, spec, format);
  if (!day.ok || time === null || day.value === null) return day;
  const clock = DateTime.fromFormat(time, spec.timeFormat, { zone: 'UTC' });
  if (!clock.isValid) return invalid(spec, 'time', time, spec.timeFormat);
  return { ok: true, value: `${day.value.slice(0, 10)}T${clock.toFormat('HH:mm:ss')}`, allDay: false };
}

/**
 * Recurring VEVENTs expanded into their occurrences with ical.js: RRULE and RDATE generate them,
 * EXDATE removes them (ical.js matches EXDATE against the original, unmodified occurrence), and a
 * VEVENT with the same UID and a RECURRENCE-ID replaces the occurrence it names (its own times,
 * title, status…).
 */
import type ICAL from 'ical.js';

/** One occurrence of an event: `item` is the master or the override that replaces it. */
export interface Occurrence {
  item: ICAL.Event;
  /** The occurrence's original start (its RECURRENCE-ID): what its source id is made of. */
  recurrenceId: ICAL.Time;
  start: ICAL.Time;
  /** Exclusive end as ical.js computes it: DTEND, or start + DURATION, or start (+1 day for dates). */
  end: ICAL.Time;
}

/**
 * ical.js's `occurrenceDetails`: its published typedef imports `./timezone` without an extension,
 * which does not resolve under NodeNext, so the result of `getOccurrenceDetails` is cast to this.
 */
interface OccurrenceDetails {
  recurrenceId: ICAL.Time;
  item: ICAL.Event;
  startDate: ICAL.Time;
  endDate: ICAL.Time;
}

export interface Expansion {
  occurrences: Occurrence[];
  /** The expansion stopped at {@link MAX_OCCURRENCES} before reaching the horizon's end. */
  truncated: boolean;
}

/**
 * Upper bound on occurrences generated per event: an open-ended daily rule that began decades
 * before the horizon still has to be stepped through from its DTSTART, and a broken rule must not
 * hang an import.
 */
export const MAX_OCCURRENCES = 100_000;

/**
 * The occurrences of a recurring event whose start lies in `[fromMs, toMs)`.
 *
 * @param instantOf the instant of an occurrence start in the event's zone (`readTime`'s
 *   `instantMs`, normalisation's rule), so that the horizon is compared in real time.
 *
 * Generation stops at the first original start at or after `toMs`; an override that moves an
 * occurrence from beyond the horizon into it is therefore not seen (rare, and picked up by the next
 * import once the horizon has moved on).
 */
export function expandOccurrences(
  event: ICAL.Event,
  horizon: { fromMs: number; toMs: number },
  instantOf: (start: ICAL.Time, item: ICAL.Event) => number,
): Expansion {
  const occurrences: Occurrence[] = [];
  const iterator = event.iterator();
  for (let generated = 0; generated < MAX_OCCURRENCES; generated++) {
    const next = iterator.next();
    if (!next) return { occurrences, truncated: false };
    if (instantOf(next, event) >= horizon.toMs) return { occurrences, truncated: false };
    const untyped: unknown = event.getOccurrenceDetails(next);
    const details = untyped as OccurrenceDetails;
    const startMs = instantOf(details.startDate, details.item);
    if (startMs < horizon.fromMs || startMs >= horizon.toMs) continue;
    occurrences.push({
      item: details.item,
      recurrenceId: details.recurrenceId,
      start: details.startDate,
      end: details.endDate,
    });
  }
  return { occurrences, truncated: true };
}

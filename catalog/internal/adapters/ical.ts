/**
 * The iCalendar (RFC 5545) source adapter: one draft per VEVENT, or per occurrence of a recurring
 * VEVENT within the horizon. Parsing, line unfolding, TEXT unescaping, VTIMEZONE conversion (of
 * non-IANA TZIDs) and recurrence expansion are ical.js's; this file decides ids, time forms and
 * rejections.
 *
 * Source ids are stable across imports: the UID for a single event, `${UID}#${recurrence}` for an
 * occurrence, where `recurrence` is the occurrence's RECURRENCE-ID (its original start) in UTC as
 * `YYYYMMDDTHHMMSSZ`, or `YYYYMMDD` for all-day events. Using the original start means that an
 * override which moves an occurrence replaces the same listing rather than adding a new one. A VEVENT
 * without UID (invalid, but seen) gets `nouid-` plus a hash of its DTSTART and SUMMARY.
 *
 * Single events are returned whatever their date (the horizon bounds expansion only).
 *
 * An IANA TZID leaves as a local time in that zone for normalisation to resolve. Other TZIDs are
 * converted with the document's own VTIMEZONEs: ical.js v2 resolves a TZID against the VCALENDAR it
 * belongs to, so nothing is registered in the process-wide ICAL.TimezoneService (two sources may
 * publish different definitions under one TZID). See `ical-time.ts` for the time forms.
 */
import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import type { ListingDraftInput } from '../listing.ts';
import type {
  AdapterContext,
  AdapterResult,
  ExtractedListing,
  ListingRejection,
  SourceAdapter,
  SourceDocument,
} from './adapter.ts';
import { readFields } from './ical-fields.ts';
import { expandOccurrences, MAX_OCCURRENCES } from './ical-occurrences.ts';
import { inclusiveEndDate, isIanaZone, occurrenceKey, readTime } from './ical-time.ts';

export const icalAdapter: SourceAdapter = {
  format: 'ics',
  parse(doc: SourceDocument, ctx: AdapterContext): AdapterResult {
    try {
      return readDocument(doc.body, ctx);
    } catch (err) {
      // ical.js throws on malformed lines, and sometimes a TypeError on content that is not iCal.
      const where = doc.location === null ? '' : ` (${doc.location})`;
      return {
        listings: [],
        rejected: [{ sourceId: null, reason: `unparsable iCalendar${where}: ${message(err)}` }],
      };
    }
  },
};

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The VCALENDARs of a document: ical.js returns one jCal, or an array of them for several roots. */
function calendars(body: string): ICAL.Component[] {
  const jcal = ICAL.parse(body) as unknown[];
  const roots = typeof jcal[0] === 'string' ? [jcal] : (jcal as unknown[][]);
  return roots.map((root) => new ICAL.Component(root)).filter((c) => c.name === 'vcalendar');
}

function readDocument(body: string, ctx: AdapterContext): AdapterResult {
  const cals = calendars(body);
  if (cals.length === 0) {
    return {
      listings: [],
      rejected: [{ sourceId: null, reason: 'not an iCalendar document: no VCALENDAR' }],
    };
  }
  const result: AdapterResult = { listings: [], rejected: [] };
  for (const cal of cals) {
    const wrZone = cal.getFirstPropertyValue('x-wr-timezone');
    const fallbackZone = isIanaZone(wrZone)
      ? wrZone
      : isIanaZone(ctx.defaults.timezone)
        ? ctx.defaults.timezone
        : null;
    for (const [uid, group] of groupByUid(cal, result.rejected)) {
      try {
        readGroup(uid, group, { ctx, fallbackZone, result });
      } catch (err) {
        result.rejected.push({ sourceId: uid, reason: `VEVENT ${uid}: ${message(err)}` });
      }
    }
  }
  return result;
}

/** A UID's master VEVENT (none if only overrides were published) and its RECURRENCE-ID overrides. */
interface UidGroup {
  master: ICAL.Component | null;
  overrides: ICAL.Component[];
}

/** Groups usable VEVENTs by UID; one without DTSTART or SUMMARY is rejected, naming what is missing. */
function groupByUid(cal: ICAL.Component, rejected: ListingRejection[]): Map<string, UidGroup> {
  const groups = new Map<string, UidGroup>();
  for (const vevent of cal.getAllSubcomponents('vevent')) {
    const uid = vevent.getFirstPropertyValue('uid');
    const summary = vevent.getFirstPropertyValue('summary');
    const missing = [
      ...(vevent.hasProperty('dtstart') ? [] : ['DTSTART']),
      ...(typeof summary === 'string' && summary.trim() !== '' ? [] : ['SUMMARY']),
    ];
    if (missing.length > 0) {
      const id = typeof uid === 'string' && uid !== '' ? uid : null;
      rejected.push({ sourceId: id, reason: `VEVENT ${id ?? '(no UID)'}: missing ${missing.join(' and ')}` });
      continue;
    }
    const key = typeof uid === 'string' && uid !== '' ? uid : syntheticUid(vevent);
    const group = groups.get(key) ?? { master: null, overrides: [] };
    if (vevent.hasProperty('recurrence-id')) group.overrides.push(vevent);
    else if (group.master === null) group.master = vevent;
    else rejected.push({ sourceId: key, reason: `VEVENT ${key}: duplicate UID, the first is kept` });
    groups.set(key, group);
  }
  return groups;
}

function syntheticUid(vevent: ICAL.Component): string {
  const start = vevent.getFirstProperty('dtstart')?.toICALString() ?? '';
  const summary = vevent.getFirstProperty('summary')?.toICALString() ?? '';
  return `nouid-${createHash('sha256').update(`${start}\n${summary}`).digest('hex').slice(0, 16)}`;
}

interface Reading {
  ctx: AdapterContext;
  fallbackZone: string | null;
  result: AdapterResult;
}

function readGroup(uid: string, group: UidGroup, r: Reading): void {
  const { master, overrides } = group;
  if (master === null) {
    // Overrides of a series this document does not contain: each is a listing of its own.
    for (const vevent of overrides) {
      const event = new ICAL.Event(vevent);
      r.result.listings.push(
        listing(
          `${uid}#${recurrenceKey(event.recurrenceId, tzidOf(event, 'recurrence-id'), r)}`,
          event,
          event.startDate,
          event.endDate,
          r,
        ),
      );
    }
    return;
  }
  const event = new ICAL.Event(master, { exceptions: overrides });
  if (!event.isRecurring()) {
    r.result.listings.push(listing(uid, event, event.startDate, event.endDate, r));
    return;
  }
  const instantOf = (t: ICAL.Time, item: ICAL.Event): number =>
    readTime(t, tzidOf(item), r.fallbackZone).instantMs;
  const { occurrences, truncated } = expandOccurrences(event, r.ctx.horizon, instantOf);
  // Generated recurrence ids are copies of the master's DTSTART, so they are in its zone.
  const seriesTzid = tzidOf(event);
  for (const o of occurrences) {
    r.result.listings.push(
      listing(`${uid}#${recurrenceKey(o.recurrenceId, seriesTzid, r)}`, o.item, o.start, o.end, r),
    );
  }
  if (truncated) {
    r.result.rejected.push({
      sourceId: uid,
      reason: `VEVENT ${uid}: expansion stopped after ${MAX_OCCURRENCES} occurrences`,
    });
  }
}

/** The TZID parameter of an event's time property: ical.js forgets a TZID it has no definition for. */
function tzidOf(item: ICAL.Event, property = 'dtstart'): string | null {
  const tzid = item.component.getFirstProperty(property)?.getFirstParameter('tzid');
  return typeof tzid === 'string' && tzid !== '' ? tzid : null;
}

/** A recurrence id as a source-id suffix; `tzid` is the TZID parameter it was written with. */
function recurrenceKey(recurrenceId: ICAL.Time, tzid: string | null, r: Reading): string {
  return occurrenceKey(recurrenceId, readTime(recurrenceId, tzid, r.fallbackZone).instantMs);
}

/**
 * One draft. The end is read in the start's zone, as the draft has one zone for both: a DTEND with
 * another undefined TZID than its DTSTART would be misread either way. A timed event with neither
 * DTEND nor DURATION has no stated end (iCal: it ends as it starts), so `end` is null.
 */
function listing(
  sourceId: string,
  item: ICAL.Event,
  start: ICAL.Time,
  end: ICAL.Time,
  r: Reading,
): ExtractedListing {
  const tzid = tzidOf(item);
  const startTime = readTime(start, tzid, r.fallbackZone);
  const statesEnd = item.component.hasProperty('dtend') || item.component.hasProperty('duration');
  let endValue: string | null = null;
  if (start.isDate) endValue = inclusiveEndDate(start, end);
  else if (statesEnd) endValue = readTime(end, tzid, r.fallbackZone).value;
  const draft: ListingDraftInput = {
    ...readFields(item.component, item.summary.trim(), r.ctx.defaults),
    start: startTime.value,
    end: endValue,
    allDay: start.isDate,
    timezone: startTime.timezone,
  };
  return { sourceId, draft };
}

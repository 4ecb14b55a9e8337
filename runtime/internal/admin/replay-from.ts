/** Parsing and describing `pulse jobs replay --from`. */
import { JobAdminError } from './errors.ts';

// -----------------------------------------------------------------------------------------------
// --from

/** Where a replay starts: the earliest retained input, the first input at/after a time, or offsets. */
export type ReplayFrom =
  | { kind: 'earliest' }
  | { kind: 'time'; ms: number }
  /** Partitions not named keep their committed offset and their state. */
  | { kind: 'offsets'; offsets: Map<number, number> };

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const USAGE =
  'use "earliest", an ISO-8601 time (2025-06-01, 2025-06-01T08:00:00Z, 2025-06-01T10:00+02:00) ' +
  'or partition:offset pairs (0:1200,3:0)';

/** Parses `--from`: `earliest`, an ISO-8601 date or date-time with zone, or `p:o,p:o`. */
export function parseReplayFrom(s: string, now = Date.now()): ReplayFrom {
  const t = s.trim();
  const bad = (why: string) =>
    new JobAdminError(`--from ${JSON.stringify(s)}: ${why}; ${USAGE}`, 'REPLAY_FROM_INVALID');
  if (!t) throw bad('empty');
  if (t.toLowerCase() === 'earliest') return { kind: 'earliest' };
  if (/^\d{4}-/.test(t)) return { kind: 'time', ms: parseIsoTime(t, now, bad) };
  if (t.includes(':')) {
    const offsets = new Map<number, number>();
    for (const entry of t.split(',')) {
      const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(entry);
      if (!m) throw bad(`"${entry.trim()}" is not partition:offset`);
      const [p, o] = [Number(m[1]), Number(m[2])];
      if (!Number.isSafeInteger(p) || !Number.isSafeInteger(o))
        throw bad(`"${entry.trim()}" is out of range`);
      if (offsets.has(p)) throw bad(`partition ${p} is named twice`);
      offsets.set(p, o);
    }
    return { kind: 'offsets', offsets };
  }
  throw bad('not understood');
}

function parseIsoTime(t: string, now: number, bad: (why: string) => Error): number {
  const m = ISO.exec(t);
  if (!m) throw bad('not an ISO-8601 time');
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const n = (v: string | undefined) => Number(v ?? 0);
  if (h !== undefined && zone === undefined)
    throw bad('a date-time needs a zone (Z or an offset like +02:00), otherwise it would be ambiguous');
  const days = new Date(Date.UTC(n(y), n(mo), 0)).getUTCDate();
  if (n(mo) < 1 || n(mo) > 12 || n(d) < 1 || n(d) > days) throw bad('no such date');
  if (n(h) > 23 || n(mi) > 59 || n(sec) > 59) throw bad('no such time of day');
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0));
    if (Number(z[2]) > 18 || Number(z[3] ?? 0) > 59) throw bad('no such zone offset');
  }
  const ms =
    Date.UTC(n(y), n(mo) - 1, n(d), n(h), n(mi), n(sec), Math.floor(Number(`0.${frac ?? '0'}`) * 1000)) -
    offsetMin * 60_000;
  if (ms > now + 60_000) throw bad(`${new Date(ms).toISOString()} is in the future`);
  return ms;
}

export function describeReplayFrom(from: ReplayFrom): string {
  if (from.kind === 'earliest') return 'earliest';
  if (from.kind === 'time') return new Date(from.ms).toISOString();
  return [...from.offsets].map(([p, o]) => `${p}:${o}`).join(',');
}

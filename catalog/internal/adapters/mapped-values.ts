/**
 * Reading loosely typed source values (JSON, CSV cells, JSON-LD) into draft values: text, lists,
 * coordinates, prices and fallback ids. Shared by the mapped JSON/CSV adapters and the JSON-LD one,
 * so that the same value reads the same way whatever the source type.
 */
import { createHash } from 'node:crypto';

/** Trimmed text of a string or number, or null when absent, blank or of another type. */
export function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** The first readable text of a value or of an array of values. */
export function firstText(value: unknown, read: (v: unknown) => string | null = text): string | null {
  if (!Array.isArray(value)) return read(value);
  for (const v of value) {
    const t = read(v);
    if (t !== null) return t;
  }
  return null;
}

/**
 * A list of terms from a string (split on `separator`, if any), an array (flattened), or objects
 * with a `name` (performers as `{name}`); trimmed, blank ones dropped, duplicates removed.
 */
export function textList(value: unknown, separator?: string): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (v !== null && typeof v === 'object' && 'name' in v) return visit(v.name);
    const t = text(v);
    if (t === null) return;
    for (const part of separator === undefined ? [t] : t.split(separator)) {
      const term = part.trim();
      if (term !== '') out.push(term);
    }
  };
  visit(value);
  return [...new Set(out)];
}

/**
 * A number from a JSON number or a numeric string (`52.5098`, or `40,4184` with the decimal comma;
 * with a comma decimal, dots are taken as thousands separators). Anything else is null.
 */
export function numberValue(value: unknown, decimal: '.' | ',' = '.'): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  let t = text(value);
  if (t === null) return null;
  t = t.replace(/\s/g, '');
  if (decimal === ',' && t.includes(',')) t = t.replace(/\./g, '').replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  return Number(t);
}

/**
 * A coordinate within ±`limit` (90 for latitudes, 180 for longitudes). Unreadable or out-of-range
 * values are dropped rather than failing the listing: the venue can still be placed by its name.
 */
export function coordinate(value: unknown, limit: 90 | 180, decimal: '.' | ',' = '.'): number | null {
  const n = numberValue(value, decimal);
  return n !== null && Math.abs(n) <= limit ? n : null;
}

/** A price as the source writes it: a number, or trimmed text such as `ab 19,00 €`. */
export function priceValue(value: unknown): string | number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return text(value);
}

/** `2027-03-01`: a date without a time, the form of all-day listings. */
export function isDateOnly(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value);
}

/**
 * An id for a listing whose source gives none: a hash of what identifies it to a reader (title,
 * start, venue name), stable across imports as long as those stay the same.
 */
export function contentId(title: string | null, start: string | null, venue: string | null): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([title, start, venue]))
    .digest('hex');
  return `h-${digest.slice(0, 20)}`;
}

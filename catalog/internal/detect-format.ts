/**
 * Guesses which adapter reads a fetched document, for sources whose configuration does not say
 * (and to warn when what arrives contradicts what it says). HTML counts as 'jsonld' because the
 * only thing we read from a web page is its embedded schema.org JSON-LD.
 */
import type { SourceDocument, SourceFormat } from './adapters/adapter.ts';

/**
 * The format of `doc`, decided by the first of these that is conclusive: the Content-Type media
 * type, the extension of the location's path (query and fragment ignored), the body's first
 * characters. Generic types (text/plain, application/octet-stream) are not conclusive. A JSON
 * document, however recognised, is 'jsonld' when it carries an "@context" naming schema.org
 * (servers often label JSON-LD plain application/json). Null when nothing matches.
 */
export function detectFormat(doc: SourceDocument): SourceFormat | null {
  const format = fromContentType(doc.contentType) ?? fromExtension(doc.location) ?? sniff(doc.body);
  return format === 'json' && isSchemaOrgJsonLd(doc.body) ? 'jsonld' : format;
}

const MEDIA_TYPES: Record<string, SourceFormat> = {
  'text/calendar': 'ics',
  'application/ics': 'ics',
  'text/x-vcalendar': 'ics',
  'text/html': 'jsonld',
  'application/xhtml+xml': 'jsonld',
  'application/ld+json': 'jsonld',
  'application/json': 'json',
  'text/json': 'json',
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/comma-separated-values': 'csv',
};

function fromContentType(contentType: string | null): SourceFormat | null {
  const media = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return MEDIA_TYPES[media] ?? (media.endsWith('+json') ? 'json' : null);
}

const EXTENSIONS: Record<string, SourceFormat> = {
  ics: 'ics',
  ical: 'ics',
  ifb: 'ics',
  html: 'jsonld',
  htm: 'jsonld',
  jsonld: 'jsonld',
  json: 'json',
  csv: 'csv',
};

function fromExtension(location: string | null): SourceFormat | null {
  if (location === null) return null;
  let path = location;
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(location)) {
    try {
      path = new URL(location).pathname;
    } catch {
      // Not a URL after all: use the text as a path.
    }
  }
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return ext === undefined ? null : (EXTENSIONS[ext] ?? null);
}

const LD_SCRIPT = /<script[^>]*\btype\s*=\s*["']?application\/ld\+json/i;

function sniff(body: string): SourceFormat | null {
  const head = body.slice(0, 1024).trimStart();
  if (/^BEGIN:VCALENDAR/i.test(head)) return 'ics';
  if (/^(<!doctype html|<html[\s>])/i.test(head) || LD_SCRIPT.test(body)) return 'jsonld';
  if (head.startsWith('{') || head.startsWith('[')) return 'json';
  return looksLikeCsv(body) ? 'csv' : null;
}

function isSchemaOrgJsonLd(body: string): boolean {
  return body.includes('"@context"') && /schema\.org/i.test(body);
}

/** At least two of the same delimiter on the first line, and as many on the second. */
function looksLikeCsv(body: string): boolean {
  const [first, second] = body.split(/\r?\n/, 2);
  if (first === undefined || second === undefined) return false;
  return [',', ';'].some((d) => {
    const count = delimitersOutsideQuotes(first, d);
    return count >= 2 && delimitersOutsideQuotes(second, d) === count;
  });
}

function delimitersOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) count++;
  }
  return count;
}

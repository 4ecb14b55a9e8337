/**
 * Reading JSON-LD property values as text: plain strings, language-tagged values (`{"@value": …}`),
 * node references (`{"@id": …}`), and the HTML entities that page templates often leave in
 * JSON-LD strings (`L&#039;Atelier`, `Kunst &amp; Musik`).
 */
import { firstText, text } from './mapped-values.ts';
import { isNode } from './jsonld-walk.ts';

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  euro: '€',
};

/**
 * Decodes numeric entities and the few named ones templates emit. A script's content is raw text
 * to the browser, so an entity there is always an escaping mistake of the page, never intended.
 */
export function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** One value's text: a string or number, or a `{"@value"}` object; entities decoded. */
function oneText(value: unknown): string | null {
  const raw = isNode(value) ? text(value['@value']) : text(value);
  return raw === null ? null : text(decodeEntities(raw));
}

/** A property's text; for an array (several languages or repeats), its first readable value. */
export function ldText(value: unknown): string | null {
  return firstText(value, oneText);
}

/** A property that may be text or a node reference: `EventCancelled` or `{"@id": "…"}`. */
export function ldTextOrId(value: unknown): string | null {
  return firstText(value, (v) => (isNode(v) && !('@value' in v) ? text(v['@id']) : oneText(v)));
}

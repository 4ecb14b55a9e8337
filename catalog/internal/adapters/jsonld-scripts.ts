/**
 * The JSON-LD blocks of an HTML page: every `<script type="application/ld+json">`, parsed on its
 * own, so that one broken block costs only its own listings.
 *
 * A regular expression is enough here (no HTML parser): script content is raw text that ends at
 * the first `</script`, which is exactly what browsers do too.
 */

export type LdBlock =
  { index: number; ok: true; value: unknown } | { index: number; ok: false; reason: string };

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
/** `type` as its own attribute (not `data-type`), any quotes, any case, parameters allowed. */
const LD_TYPE = /(?:^|\s)type\s*=\s*(["']?)\s*application\/ld\+json\s*(?:;[^"'>]*)?\1(?=\s|\/|$)/i;

/**
 * CMSs wrap script content in HTML comments or CDATA sections, sometimes hidden behind JS comments
 * (`//<![CDATA[`, `/*<![CDATA[*\/`); none of it is JSON. Peeled repeatedly: the wrappers nest.
 */
function unwrap(content: string): string {
  const wrappers: [RegExp, RegExp][] = [
    [/^<!--/, /(?:\/\/)?\s*-->$/],
    [/^(?:\/\/|\/\*)?\s*<!\[CDATA\[\s*(?:\*\/)?/, /(?:\/\/|\/\*)?\s*\]\]>\s*(?:\*\/)?$/],
  ];
  let current = content.trim();
  for (let changed = true; changed;) {
    changed = false;
    for (const [open, close] of wrappers) {
      if (open.test(current) && close.test(current)) {
        current = current.replace(open, '').replace(close, '').trim();
        changed = true;
      }
    }
  }
  return current;
}

/**
 * Raw line breaks and tabs inside JSON strings are invalid JSON but common in JSON-LD that
 * templates fill with multi-line descriptions; they are escaped for a second attempt.
 */
function escapeControlCharsInStrings(json: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (const ch of json) {
    if (inString && !escaped && ch < ' ') {
      out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
      continue;
    }
    out += ch;
    if (escaped) escaped = false;
    else if (ch === '\\') escaped = inString;
    else if (ch === '"') inString = !inString;
  }
  return out;
}

function parseJson(source: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(source) as unknown };
  } catch (err) {
    try {
      return { ok: true, value: JSON.parse(escapeControlCharsInStrings(source)) as unknown };
    } catch {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  }
}

/**
 * Every JSON-LD block of a page, numbered from 1 in document order. A document that has no script
 * blocks but is itself JSON (a `.jsonld` file, an API answering `application/ld+json`) is read as
 * one block.
 */
export function ldBlocks(body: string): LdBlock[] {
  const blocks: LdBlock[] = [];
  let index = 0;
  for (const match of body.matchAll(SCRIPT)) {
    const [, attributes = '', content = ''] = match;
    if (!LD_TYPE.test(attributes)) continue;
    index += 1;
    const json = unwrap(content);
    if (json === '') continue;
    const parsed = parseJson(json);
    blocks.push(
      parsed.ok
        ? { index, ok: true, value: parsed.value }
        : { index, ok: false, reason: `invalid JSON: ${parsed.reason}` },
    );
  }
  if (index === 0 && /^\s*[[{]/.test(body) && !/<script\b/i.test(body)) {
    const parsed = parseJson(body.trim());
    blocks.push(
      parsed.ok
        ? { index: 1, ok: true, value: parsed.value }
        : { index: 1, ok: false, reason: `invalid JSON: ${parsed.reason}` },
    );
  }
  return blocks;
}

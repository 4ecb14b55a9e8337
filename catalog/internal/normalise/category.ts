/**
 * Source category terms to the taxonomy (model/taxonomy.ts). Only the terms count: a title is never
 * mined for a category, and a term the table does not know is reported, never guessed.
 */
import type { Category } from '../../../model/index.ts';
import { DEFAULT_SUBCATEGORY, GENERIC_TERMS, LANGUAGE_TERMS, TERMS } from './category-terms.ts';
import { foldKey } from './fold.ts';

export interface CategoryResult {
  category: Category;
  subcategory: string | null;
  /** Terms (or parts of terms) the table does not know, trimmed and lower-cased, each once. */
  unmapped: string[];
}

interface Mapped {
  category: Category;
  subcategory: string | null;
}

function toMapped(path: string): Mapped {
  const [category, subcategory] = path.split('/');
  return { category: category as Category, subcategory: subcategory ?? null };
}

function buildTable(entries: Iterable<[string, string]>): Map<string, Mapped> {
  const table = new Map<string, Mapped>();
  // The first listing of a folded term wins, so the table reads top to bottom.
  for (const [term, path] of entries) if (!table.has(foldKey(term))) table.set(foldKey(term), toMapped(path));
  return table;
}

const BASE = buildTable(
  Object.entries(TERMS).flatMap(([path, lines]) =>
    lines.flatMap((line) => line.split('|')).map((t) => [t, path] as [string, string]),
  ),
);
const BY_LANGUAGE = new Map(
  Object.entries(LANGUAGE_TERMS).map(([lang, terms]) => [lang, buildTable(Object.entries(terms))]),
);
const GENERIC = new Set(GENERIC_TERMS.map(foldKey));
const PART_SEPARATORS = /[,/;|&+]/;

/** The festival subcategory a listing's other terms imply (`Festival, Lecture` → literature). */
const FESTIVAL_SUB_OF: Readonly<Record<string, string>> = {
  music: 'music',
  cinema: 'film',
  'talk/reading': 'literature',
  exhibition: 'arts',
  theatre: 'arts',
  dance: 'arts',
};

/** Every folded key of the term table with its taxonomy path (for tests and reports). */
export function termTable(): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const table of [BASE, ...BY_LANGUAGE.values()]) {
    for (const [k, m] of table) out.set(k, m.subcategory ? `${m.category}/${m.subcategory}` : m.category);
  }
  return out;
}

/**
 * Maps a listing's category terms.
 *
 * - Each term is looked up whole, case, diacritics and punctuation folded; a term not found whole
 *   is split at `, / ; | & +` and each part looked up (`Konzert/Klassik`). `language` (ISO 639-1)
 *   picks the reading of terms that differ by language (French `lecture`: a reading).
 * - The most specific mapped term wins: one with a subcategory beats a bare category; among equals
 *   the first. A bare winner takes its category's default subcategory where the taxonomy use has
 *   one (exhibition → art, theatre → drama, comedy → stand-up).
 * - A festival is a container: when the first mapped term is a festival, the listing is one, and
 *   its subcategory comes from a `festival/…` term or else from the first other term that implies
 *   one (music → music, cinema → film, reading → literature, exhibition/theatre/dance → arts).
 * - No mapped term: `other`, subcategory null. Generic words (`Event`, `Veranstaltung`) are
 *   neither mapped nor unmapped.
 */
export function mapCategories(terms: readonly string[], language?: string | null): CategoryResult {
  const langTable = language ? BY_LANGUAGE.get(language.toLowerCase().slice(0, 2)) : undefined;
  const lookup = (key: string) => langTable?.get(key) ?? BASE.get(key);
  const mapped: Mapped[] = [];
  const unmapped: string[] = [];
  for (const term of terms) {
    const whole = lookup(foldKey(term));
    if (whole) {
      mapped.push(whole);
      continue;
    }
    for (const part of term.split(PART_SEPARATORS)) {
      const key = foldKey(part);
      if (!key || GENERIC.has(key)) continue;
      const m = lookup(key);
      if (m) mapped.push(m);
      else if (!unmapped.includes(part.trim().toLowerCase())) unmapped.push(part.trim().toLowerCase());
    }
  }

  const first = mapped[0];
  if (!first) return { category: 'other', subcategory: null, unmapped };
  if (first.category === 'festival') {
    const explicit = mapped.find((m) => m.category === 'festival' && m.subcategory);
    const implied = mapped
      .map((m) => FESTIVAL_SUB_OF[`${m.category}/${m.subcategory}`] ?? FESTIVAL_SUB_OF[m.category])
      .find((s) => s !== undefined);
    return { category: 'festival', subcategory: explicit?.subcategory ?? implied ?? null, unmapped };
  }
  const winner = mapped.find((m) => m.subcategory !== null) ?? first;
  const subcategory = winner.subcategory ?? DEFAULT_SUBCATEGORY[winner.category] ?? null;
  return { category: winner.category, subcategory, unmapped };
}

/**
 * Who performs: the source's performers when it names them, else (music only) the one performer a
 * title of the form `Performer: Work` or `Performer – Work` announces. Conservative on purpose: a
 * wrong performer would merge or rank events wrongly, a missing one costs little.
 */
import type { Category } from '../../../model/index.ts';
import { collapseSpace } from './fold.ts';
import { mapCategories } from './category.ts';

/** `: ` or a dash with spaces around it; a hyphen inside a word (`A-Trane`) is no separator. */
const SEPARATOR_RE = /\s*:\s+|\s+[–—-]\s+/u;
const MAX_WORDS = 6;
const MAX_LENGTH = 60;

/**
 * Words that lead a title but name a programme, not a performer (`Kammermusik: Schubert`,
 * `Live – …`). Category terms are caught by the category table; these are the others.
 */
const PROGRAMME_WORDS = new Set([
  'live',
  'premiere',
  'première',
  'gala',
  'uraufführung',
  'festkonzert',
  'neujahrskonzert',
  'matinee',
  'matinée',
  'soirée',
  'abo',
  'abonnement',
  'special',
  'tribute',
  'hommage',
  'homenaje',
  'spezial',
  'sonderkonzert',
  'open stage',
  'jam session',
  'late night',
]);

function looksLikePerformer(candidate: string): boolean {
  const words = candidate.split(' ');
  if (!candidate || candidate.length > MAX_LENGTH || words.length > MAX_WORDS) return false;
  // Names start with a capital; numbers point at a work (`Mahler 5`, `Op. 110`).
  if (!/^\p{Lu}/u.test(candidate) || /\d/.test(candidate)) return false;
  if (PROGRAMME_WORDS.has(candidate.toLowerCase())) return false;
  // A category word (`Kammermusik`, `Jazz`, `Konzert`) names the kind of event, not who plays.
  return mapCategories([candidate]).unmapped.length > 0;
}

/**
 * The listing's performers.
 *
 * - `given` (the source's list) when it has any: trimmed, whitespace collapsed, blanks and
 *   duplicates dropped, order kept.
 * - Else, for `music` only, the part of the title before the first `: ` or spaced dash when it
 *   looks like a name: at most 6 words and 60 characters, starting with a capital, no digits, not a
 *   category term (`Kammermusik`) or programme word (`Gala`, `Live`). `Berliner Philharmoniker:
 *   Mahler 5` → `Berliner Philharmoniker`; `Trio Nocturne – Jazz im A-Trane` → `Trio Nocturne`;
 *   `Kammermusik: Schubert-Quintett` → none. The part after the separator is never taken (`Mahler
 *   5 – Berliner Philharmoniker` stays empty): which side names whom is too uncertain.
 * - Otherwise none.
 */
export function resolvePerformers(given: readonly string[], title: string, category: Category): string[] {
  const out: string[] = [];
  for (const p of given) {
    const name = collapseSpace(p);
    if (name && !out.includes(name)) out.push(name);
  }
  if (out.length || category !== 'music') return out;
  const parts = title.split(SEPARATOR_RE);
  if (parts.length < 2 || !parts[1]?.trim()) return [];
  const candidate = collapseSpace(parts[0] ?? '');
  return looksLikePerformer(candidate) ? [candidate] : [];
}

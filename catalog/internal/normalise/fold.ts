/**
 * Text folding shared by the lookup tables of normalisation (gazetteer, countries, category terms,
 * status wording): two spellings that differ only in case, diacritics, punctuation or spacing fold
 * to the same key, so `Köln`, `KOLN` and `koln` meet, and so do `Théâtre` and `theatre`.
 */

const MARKS = /\p{M}+/gu;
const NON_ALNUM = /[^\p{L}\p{N}]+/gu;
const ASCII = /^[\x20-\x7e]*$/;
const ASCII_NON_ALNUM = /[^a-z0-9]+/g;

/**
 * Lower case, no diacritics (NFD marks removed; `ß` → `ss`, `æ` → `ae`, `ø` → `o`, `ł` → `l`, which
 * NFD does not decompose), every run of non-letters and non-digits one space, trimmed.
 */
export function foldKey(text: string): string {
  // Most keys are plain ASCII: skip the Unicode work (a hot path: several calls per listing).
  if (ASCII.test(text)) return text.toLowerCase().replace(ASCII_NON_ALNUM, ' ').trim();
  return text
    .normalize('NFD')
    .replace(MARKS, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe')
    .replace(/ø/g, 'o')
    .replace(/ł/g, 'l')
    .replace(NON_ALNUM, ' ')
    .trim();
}

/** Trimmed, inner whitespace (including no-break spaces) collapsed to one space. */
export function collapseSpace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

/**
 * Text folding and tokenisation for matching titles and venue names across sources and languages.
 *
 * Sources write one event's title in many ways: `Berliner Philharmoniker: Mahler 5`, `Mahler:
 * Sinfonie Nr. 5 – Berliner Philharmoniker`, `Exposition : Matisse, l'atelier rouge`. What they
 * share is a handful of distinctive words; punctuation, word order, articles, elisions and generic
 * words (`exposition`, `Konzert`, `live`) differ. So a title becomes the set of its distinctive
 * tokens, and similarity works on sets (see `similarity.ts`).
 */

/** Lower case, no diacritics (`Molière` -> `moliere`), ligatures spelled out (`ß` -> `ss`). */
export function foldText(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/ł/g, 'l');
}

/**
 * Articles, prepositions and conjunctions of de/fr/es/en/it, plus words that say what kind of
 * event it is rather than which one (`exposition`, `Konzert`, `live`): one source puts them in the
 * title and another in the category. Numbering words (`Nr.`, `No.`, `n°`) go too, so `Nr. 5` and
 * `5` agree. Compared after {@link foldText}.
 */
// prettier-ignore
export const STOP_WORDS: ReadonlySet<string> = new Set([
  // generic event words
  'exposition', 'exposicion', 'ausstellung', 'exhibition', 'mostra', 'esposizione',
  'concert', 'konzert', 'concierto', 'live', 'show',
  // numbering
  'nr', 'no', 'num', 'nro',
  // en
  'the', 'a', 'an', 'and', 'at', 'of', 'in', 'on', 'with', 'for', 'by',
  // de
  'der', 'die', 'das', 'den', 'dem', 'ein', 'eine', 'und', 'im', 'am', 'mit',
  'vom', 'zum', 'zur', 'fur', 'bei',
  // fr
  'le', 'la', 'les', 'un', 'une', 'de', 'du', 'des', 'et', 'au', 'aux', 'en', 'avec', 'pour', 'sur',
  // es
  'el', 'los', 'las', 'lo', 'del', 'y', 'al', 'con', 'por', 'para', 'una',
  // it
  'il', 'gli', 'di', 'della', 'delle', 'dei', 'da', 'e', 'per', 'nel', 'nella',
]);

/**
 * Words that name the same thing in different languages and share no spelling (`Sinfonie`,
 * `symphony`): each maps to one representative. Kept short on purpose: only forms common in
 * cultural event titles, where missing the match would split a true duplicate.
 */
const SYNONYMS: ReadonlyMap<string, string> = new Map([
  ['sinfonie', 'symphony'],
  ['symphonie', 'symphony'],
  ['sinfonia', 'symphony'],
  ['oper', 'opera'],
  ['ballett', 'ballet'],
  ['ballo', 'ballet'],
]);

/**
 * French and Italian elided articles and prepositions (`l'atelier`, `d'Orsay`, `dell'arte`): the
 * part before the apostrophe is dropped, the word kept.
 */
const ELISION = /(?<![\p{L}\p{N}])(?:l|d|j|m|n|s|t|c|qu|dell|all|dall|nell|sull|un)['’ʼ](?=\p{L})/gu;

/**
 * The distinctive tokens of a title or name, in order of appearance, without repeats: folded,
 * elisions removed, punctuation as separators (so parenthesised words such as `(Molière)` stay as
 * tokens and `A-Trane` gives `trane`), stop words and one-letter words dropped (one-digit numbers
 * kept: `Mahler 5`). If that leaves nothing (a title that is only generic words, `Konzert`), the
 * stop words are kept rather than returning an empty set.
 */
export function titleTokens(text: string): string[] {
  const words = foldText(text)
    .replace(ELISION, ' ')
    .replace(/['’ʼ]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 || /\p{N}/u.test(w));
  const distinctive = words.filter((w) => !STOP_WORDS.has(w));
  const chosen = distinctive.length ? distinctive : words;
  return [...new Set(chosen.map((w) => SYNONYMS.get(w) ?? w))];
}

/** True if the token is a number (`5`, `2027`): numbers must agree when both titles have one. */
export const isNumberToken = (t: string): boolean => /^\p{N}+$/u.test(t);

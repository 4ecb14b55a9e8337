/**
 * Reads the amounts in one free-text price (`ab 19,00 €`, `28 – 96 EUR`, `1.234,50 €`, `£12.50`,
 * `Eintritt frei`). Conservative: text that is not clearly a price reads as nothing, never as a
 * guess (`2 für 1`, `20:00`, `Kinder unter 12`).
 */
import { foldKey } from './fold.ts';

export interface PriceText {
  /** Every amount read, in order. Empty for wording alone (`kostenlos`). */
  amounts: number[];
  /** ISO 4217 of the first currency marker next to an amount, if any. */
  currency: string | null;
  /** The text says admission is free (in one of the catalogue's languages). */
  free: boolean;
}

/**
 * Free-admission wording, folded. `frei`, `libre` and `libero` only with the word for admission
 * (or alone): `placement libre` is free seating, `Kinder frei` says nothing about adults.
 */
const FREE_RE = new RegExp(
  `(?:^|\\s)(?:${[
    'kostenlos',
    'kostenfrei',
    'umsonst',
    'eintritt frei',
    'eintritt ist frei',
    'gratis',
    'gratuit',
    'gratuite',
    'gratuits',
    'gratuites',
    'gratuito',
    'gratuita',
    'gratuitos',
    'gratuitas',
    'free',
    'entree libre',
    'entrees libres',
    'acces libre',
    'entrada libre',
    'ingresso libero',
    'entrata libera',
    'vrije toegang',
    'vrij entree',
  ].join('|')})(?:\\s|$)|^(?:frei|libre)$`,
);

const SYMBOLS: Record<string, string> = {
  '€': 'EUR',
  '£': 'GBP',
  us$: 'USD',
  c$: 'CAD',
  a$: 'AUD',
  '¥': 'JPY',
  zł: 'PLN',
  kč: 'CZK',
  euro: 'EUR',
  euros: 'EUR',
  sfr: 'CHF',
};
const CODES = 'eur gbp usd chf sek nok dkk pln czk huf ron bgn isk cad aud nzd jpy'.split(' ');
/** `$` and `kr` name different currencies by country: the default decides when it is one of them. */
const DOLLARS = new Set(['USD', 'CAD', 'AUD', 'NZD', 'SGD', 'HKD']);
const KRONER = new Set(['SEK', 'NOK', 'DKK', 'ISK']);

const CURRENCY_SRC = `(?<![\\p{L}])(?:us\\$|c\\$|a\\$|€|£|\\$|¥|zł|kč|euros?|sfr|kr|${CODES.join('|')})\\.?(?![\\p{L}])`;
/** Digits with `.`/`,`/`'` thousands groups and at most two decimals, or `19,-`. */
const NUMBER_SRC = `\\d+(?:[.,'’\\u202f]\\d{3})*(?:[.,]\\d{1,2}|[.,][-–])?(?!\\d)`;
const RANGE_SRC = `\\s*(?:-|–|—|/|bis|à|a|to|hasta|al|tot)\\s*`;
const TOKEN_RE = new RegExp(`(${CURRENCY_SRC})|(${NUMBER_SRC})`, 'giu');
const RANGE_RE = new RegExp(`^${RANGE_SRC}$`, 'iu');

/** Dates, clock times and percentages hold digits that are no amounts. */
const NOT_AMOUNTS_RE =
  /\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[:.h]\d{2}\s*(?:uhr|h)\b|\b\d{1,2}:\d{2}\b|\d+(?:[.,]\d+)?\s*%/giu;

/** Words that may stand around a bare number without making it something other than a price. */
const PRICE_WORDS = new Set(
  (
    'ab from starting at a partir de des desde da vanaf eintritt preis prix precio prezzo prijs tarif ' +
    'tarifa price admission entrada entree ticket tickets karten'
  )
    .split(' ')
    .map(foldKey),
);

function currencyCode(marker: string, defaultCurrency: string | null): string | null {
  const m = marker.toLowerCase().replace(/\.$/, '');
  if (m === '$') return defaultCurrency && DOLLARS.has(defaultCurrency) ? defaultCurrency : 'USD';
  if (m === 'kr') return defaultCurrency && KRONER.has(defaultCurrency) ? defaultCurrency : null;
  return SYMBOLS[m] ?? (CODES.includes(m) ? m.toUpperCase() : null);
}

/**
 * A number as prices write it: the last of `.` and `,` when both appear is the decimal mark; a
 * single mark followed by exactly three digits groups thousands (`1.234`), otherwise it is the
 * decimal mark (`15,50`, `12.5`).
 */
export function parseAmount(text: string): number | null {
  let t = text.replace(/[’'\u202f]/g, '').replace(/[.,][-–]$/, '');
  const lastDot = t.lastIndexOf('.');
  const lastComma = t.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    const dec = lastDot > lastComma ? '.' : ',';
    t = t
      .split(dec === '.' ? ',' : '.')
      .join('')
      .replace(',', '.');
  } else if (lastDot >= 0 || lastComma >= 0) {
    const mark = lastDot >= 0 ? '.' : ',';
    const parts = t.split(mark);
    const grouped = parts.length > 2 || parts[1]?.length === 3;
    t = grouped ? parts.join('') : parts.join('.');
  }
  if (!/^\d+(?:\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : null;
}

interface Token {
  kind: 'cur' | 'num';
  start: number;
  end: number;
  value: number;
  currency: string | null;
}

/**
 * Reads a price text. Amounts next to a currency marker (or joined by a range to one that is:
 * `28-96 EUR`) count; when there are any, bare numbers elsewhere (`2 Karten`) do not, and amounts in
 * a second currency are left out. With no marker at all, the text must be nothing but amounts, a
 * range and price words (`15,50`, `ab 19`, `Eintritt: 5`); anything else reads as no amounts.
 */
export function readPriceText(text: string, defaultCurrency: string | null = null): PriceText {
  const src = text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
  const folded = foldKey(src);
  const free = FREE_RE.test(folded);
  const cleaned = src.replace(NOT_AMOUNTS_RE, (m) => ' '.repeat(m.length));

  const tokens: Token[] = [];
  for (const m of cleaned.matchAll(TOKEN_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (m[1] !== undefined) {
      const code = currencyCode(m[1], defaultCurrency);
      if (code) tokens.push({ kind: 'cur', start, end, value: 0, currency: code });
    } else {
      const value = parseAmount(m[0]);
      if (value !== null) tokens.push({ kind: 'num', start, end, value, currency: null });
    }
  }
  const between = (a: Token, b: Token) => cleaned.slice(a.end, b.start);
  // A marker priced the number it touches (`€15`, `15 €`, `EUR 15`); ranges share it both ways.
  tokens.forEach((t, i) => {
    if (t.kind !== 'cur') return;
    for (const j of [i - 1, i + 1]) {
      const n = tokens[j];
      if (n?.kind === 'num' && n.currency === null && /^\s*$/.test(j < i ? between(n, t) : between(t, n))) {
        n.currency = t.currency;
      }
    }
  });
  const nums = tokens.filter((t) => t.kind === 'num');
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i + 1 < nums.length; i++) {
      const [a, b] = [nums[i], nums[i + 1]] as [Token, Token];
      if (RANGE_RE.test(between(a, b)) && (a.currency === null) !== (b.currency === null)) {
        a.currency ??= b.currency;
        b.currency ??= a.currency;
      }
    }
  }
  const currency = nums.find((n) => n.currency !== null)?.currency ?? null;
  if (currency !== null) {
    return { amounts: nums.filter((n) => n.currency === currency).map((n) => n.value), currency, free };
  }
  return { amounts: bareAmountsOnly(cleaned, nums) ? nums.map((n) => n.value) : [], currency: null, free };
}

/** True when the text is one amount or one range, with nothing but price words around it. */
function bareAmountsOnly(text: string, nums: Token[]): boolean {
  if (nums.length === 0 || nums.length > 2) return false;
  const [a, b] = nums as [Token, Token | undefined];
  if (b && !RANGE_RE.test(text.slice(a.end, b.start))) return false;
  const rest = foldKey(text.slice(0, a.start) + ' ' + text.slice((b ?? a).end));
  return rest === '' || rest.split(' ').every((w) => PRICE_WORDS.has(w));
}

/**
 * A listing's price range from its structured offers or, failing those, its free-text price.
 * Missing or unreadable prices are `null`: the catalogue never guesses a price.
 */
import type { DraftOffer } from '../listing.ts';
import { readPriceText } from './price-text.ts';

export interface ParsedPrice {
  min: number;
  max: number;
  /** ISO 4217; `XXX` ("no currency") for a free price whose currency nothing states. */
  currency: string;
  isFree: boolean;
}

interface Amount {
  value: number;
  currency: string | null;
}

const ISO_4217 = /^[A-Z]{3}$/;
const NO_CURRENCY = 'XXX';

function offerCurrency(offer: DraftOffer): string | null {
  const c = offer.currency?.trim().toUpperCase() ?? '';
  return ISO_4217.test(c) ? c : null;
}

/** The amounts of one offer field: a number as is, a string read like a price text. */
function fieldAmounts(
  value: string | number | null,
  currency: string | null,
  defaultCurrency: string | null,
): { amounts: Amount[]; free: boolean } {
  if (value === null) return { amounts: [], free: false };
  if (typeof value === 'number') {
    const ok = Number.isFinite(value) && value >= 0;
    return { amounts: ok ? [{ value: Math.round(value * 100) / 100, currency }] : [], free: false };
  }
  const read = readPriceText(value, currency ?? defaultCurrency);
  const cur = read.currency ?? currency;
  return { amounts: read.amounts.map((v) => ({ value: v, currency: cur })), free: read.free };
}

/**
 * Keeps the amounts in one currency (the first one stated), with the unstated ones: a range across
 * currencies means nothing.
 */
function oneCurrency(amounts: Amount[]): { values: number[]; currency: string | null } {
  const currency = amounts.find((a) => a.currency !== null)?.currency ?? null;
  const values = amounts.filter((a) => a.currency === null || a.currency === currency).map((a) => a.value);
  return { values, currency };
}

/**
 * The price range of a listing.
 *
 * - Offers first (schema.org `price`/`lowPrice`/`highPrice`, numbers or strings): min over every
 *   amount of every offer, max likewise. The free text is read only when no offer has an amount.
 * - Text: see {@link readPriceText}. `ab 19,00 €` is 19–19; `Eintritt frei` is 0–0 and free.
 * - Currency: the marker in the text or offer string (`€`, `EUR`, `£`, `CHF`), else the offer's `priceCurrency`,
 *   else `defaultCurrency` (the venue country's currency); a non-free price with no currency at all
 *   is `null`, a free one takes `XXX`.
 * - `isFree`: the max is 0, or free wording with no amount above 0. Wording next to amounts
 *   (`Kinder frei, Erwachsene 10 €`) makes the min 0 but not the listing free.
 *
 * Null when nothing states a price (or nothing readable does).
 */
export function parsePrice(
  text: string | null,
  offers: readonly DraftOffer[],
  defaultCurrency: string | null,
): ParsedPrice | null {
  let amounts: Amount[] = [];
  let free = false;
  for (const offer of offers) {
    const cur = offerCurrency(offer);
    for (const field of [offer.price, offer.lowPrice, offer.highPrice]) {
      const read = fieldAmounts(field, cur, defaultCurrency);
      amounts.push(...read.amounts);
      free ||= read.free;
    }
  }
  if (amounts.length === 0 && text !== null && text.trim() !== '') {
    const read = readPriceText(text, defaultCurrency);
    amounts = read.amounts.map((value) => ({ value, currency: read.currency }));
    free ||= read.free;
  }
  const { values, currency } = oneCurrency(amounts);
  if (values.length === 0) {
    return free
      ? { min: 0, max: 0, currency: currency ?? defaultCurrency ?? NO_CURRENCY, isFree: true }
      : null;
  }
  const max = Math.max(...values);
  const min = free ? 0 : Math.min(...values);
  const cur = currency ?? defaultCurrency ?? (max === 0 ? NO_CURRENCY : null);
  if (cur === null) return null;
  return { min, max, currency: cur, isFree: max === 0 };
}

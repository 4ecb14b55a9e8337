import { describe, expect, it } from 'vitest';
import type { DraftOffer } from '../listing.ts';
import { parsePrice } from './price.ts';
import { parseAmount, readPriceText } from './price-text.ts';

const offer = (o: Partial<DraftOffer>): DraftOffer => ({
  price: null,
  lowPrice: null,
  highPrice: null,
  currency: null,
  ...o,
});
const p = (min: number, max: number, currency: string, isFree = false) => ({ min, max, currency, isFree });

describe('parsePrice from text', () => {
  const cases: [string, string | null, ReturnType<typeof p> | null][] = [
    ['ab 19,00 €', null, p(19, 19, 'EUR')],
    ['ab 19,00 € / 19–25 EUR', null, p(19, 25, 'EUR')],
    ['28-96 EUR', null, p(28, 96, 'EUR')],
    ['28 – 96 €', null, p(28, 96, 'EUR')],
    ['35–120 EUR', null, p(35, 120, 'EUR')],
    ['15,50', 'EUR', p(15.5, 15.5, 'EUR')],
    ['15,50 - 120 €', null, p(15.5, 120, 'EUR')],
    ['15.50-120 EUR', null, p(15.5, 120, 'EUR')],
    ['1.234,50 €', null, p(1234.5, 1234.5, 'EUR')],
    ['1,234.50 USD', null, p(1234.5, 1234.5, 'USD')],
    ['£12.50', null, p(12.5, 12.5, 'GBP')],
    ['$20', null, p(20, 20, 'USD')],
    ['$20', 'CAD', p(20, 20, 'CAD')],
    ['CHF 30', null, p(30, 30, 'CHF')],
    ['4,50 €', null, p(4.5, 4.5, 'EUR')],
    ['25 €', null, p(25, 25, 'EUR')],
    ['€ 14', null, p(14, 14, 'EUR')],
    ['19,- €', null, p(19, 19, 'EUR')],
    ['20 Euro', null, p(20, 20, 'EUR')],
    ['de 15 à 45 €', null, p(15, 45, 'EUR')],
    ['15 bis 45 Euro', null, p(15, 45, 'EUR')],
    ['Tarif plein 45 €, réduit 15 €', null, p(15, 45, 'EUR')],
    ['VVK 25 € / AK 30 €', null, p(25, 30, 'EUR')],
    ['2 Karten für 30 €', null, p(30, 30, 'EUR')],
    ['Beginn 20:00 Uhr, Eintritt 12 €', null, p(12, 12, 'EUR')],
    ['Eintritt: 5', 'EUR', p(5, 5, 'EUR')],
    ['ab 19', 'EUR', p(19, 19, 'EUR')],
    ['120 SEK', 'EUR', p(120, 120, 'SEK')],
    ['150 kr', 'SEK', p(150, 150, 'SEK')],
    ['€15–€25', null, p(15, 25, 'EUR')],
    ['EUR 15,00 - EUR 20,00', null, p(15, 20, 'EUR')],
    ['20 EUR (ermäßigt 15 EUR)', null, p(15, 20, 'EUR')],
    ['10 % Rabatt, 20 €', null, p(20, 20, 'EUR')],
    ['à partir de 16 €', null, p(16, 16, 'EUR')],
    ['desde 25€', null, p(25, 25, 'EUR')],
    ['16 € (28.03.2027)', null, p(16, 16, 'EUR')],
    ['kostenlos', 'EUR', p(0, 0, 'EUR', true)],
    ['Eintritt frei', 'EUR', p(0, 0, 'EUR', true)],
    ['Eintritt frei, Spenden erbeten', 'EUR', p(0, 0, 'EUR', true)],
    ['free', 'GBP', p(0, 0, 'GBP', true)],
    ['Free entry', 'GBP', p(0, 0, 'GBP', true)],
    ['gratuit', 'EUR', p(0, 0, 'EUR', true)],
    ['Entrée libre', 'EUR', p(0, 0, 'EUR', true)],
    ['gratis', 'EUR', p(0, 0, 'EUR', true)],
    ['Entrada libre', 'EUR', p(0, 0, 'EUR', true)],
    ['Ingresso libero', 'EUR', p(0, 0, 'EUR', true)],
    ['0', 'EUR', p(0, 0, 'EUR', true)],
    ['0,00 €', null, p(0, 0, 'EUR', true)],
    ['Kinder frei, Erwachsene 10 €', null, p(10, 10, 'EUR')],
    ['Eintritt frei, Workshop 10 €', null, p(0, 10, 'EUR')],
    ['kostenlos', null, p(0, 0, 'XXX', true)],
    ['15,50', null, null],
    ['2 für 1', 'EUR', null],
    ['20:00', 'EUR', null],
    ['Kinder unter 12 Jahren', 'EUR', null],
    ['Placement libre', 'EUR', null],
    ['siehe Website', 'EUR', null],
    ['', 'EUR', null],
  ];
  for (const [text, def, expected] of cases) {
    it(`reads '${text}' with default ${def ?? 'none'}`, () => {
      expect(parsePrice(text, [], def)).toEqual(expected);
    });
  }
});

describe('parsePrice from offers', () => {
  it('takes the min and max over every offer', () => {
    const offers = [offer({ price: 35, currency: 'EUR' }), offer({ price: '120.00', currency: 'EUR' })];
    expect(parsePrice(null, offers, null)).toEqual(p(35, 120, 'EUR'));
  });

  it('reads lowPrice and highPrice, as numbers or strings', () => {
    expect(parsePrice(null, [offer({ lowPrice: '19', highPrice: 25, currency: 'eur' })], null)).toEqual(
      p(19, 25, 'EUR'),
    );
    expect(parsePrice(null, [offer({ lowPrice: '15,50', highPrice: '120' })], 'EUR')).toEqual(
      p(15.5, 120, 'EUR'),
    );
  });

  it('reads a price string with its own currency marker', () => {
    expect(parsePrice(null, [offer({ price: 'ab 19,00 €' })], null)).toEqual(p(19, 19, 'EUR'));
    expect(parsePrice(null, [offer({ price: '£12.50', currency: 'GBP' })], 'EUR')).toEqual(
      p(12.5, 12.5, 'GBP'),
    );
  });

  it('makes a zero offer free', () => {
    expect(parsePrice(null, [offer({ price: 0, currency: 'EUR' })], null)).toEqual(p(0, 0, 'EUR', true));
    expect(parsePrice(null, [offer({ price: 'Free' })], 'GBP')).toEqual(p(0, 0, 'GBP', true));
  });

  it('prefers offers over the text, and falls back to the text when no offer has an amount', () => {
    expect(parsePrice('ab 19,00 €', [offer({ lowPrice: 19, highPrice: 25, currency: 'EUR' })], null)).toEqual(
      p(19, 25, 'EUR'),
    );
    expect(parsePrice('28-96 EUR', [offer({ price: 'on request', currency: 'EUR' })], null)).toEqual(
      p(28, 96, 'EUR'),
    );
  });

  it('leaves out amounts in a second currency', () => {
    const offers = [offer({ price: 20, currency: 'EUR' }), offer({ price: 18, currency: 'GBP' })];
    expect(parsePrice(null, offers, null)).toEqual(p(20, 20, 'EUR'));
  });

  it('ignores negative and non-finite numbers, and gives null without any price', () => {
    expect(parsePrice(null, [offer({ price: -5, currency: 'EUR' })], 'EUR')).toBeNull();
    expect(parsePrice(null, [offer({ price: Number.NaN })], 'EUR')).toBeNull();
    expect(parsePrice(null, [], 'EUR')).toBeNull();
    expect(parsePrice(null, [offer({ price: 30 })], null)).toBeNull();
  });
});

describe('parseAmount', () => {
  it('tells thousands groups from decimal marks', () => {
    expect(parseAmount('1.234,50')).toBe(1234.5);
    expect(parseAmount('1,234.50')).toBe(1234.5);
    expect(parseAmount('1.234')).toBe(1234);
    expect(parseAmount('12.345.678')).toBe(12345678);
    expect(parseAmount('15,5')).toBe(15.5);
    expect(parseAmount("1'200")).toBe(1200);
    expect(parseAmount('19,-')).toBe(19);
  });
});

describe('readPriceText', () => {
  it('reports the currency of the first priced amount and the free wording', () => {
    expect(readPriceText('£10 / €12')).toEqual({ amounts: [10], currency: 'GBP', free: false });
    expect(readPriceText('Eintritt frei')).toEqual({ amounts: [], currency: null, free: true });
  });
});

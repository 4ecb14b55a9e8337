import { describe, expect, it } from 'vitest';
import { countryCode, geoRegion, mapCategory, normalizeDevice } from './normalize.ts';

describe('normalizeDevice', () => {
  it.each([
    ['mobile', 'MOBILE'],
    ['iPhone 15', 'MOBILE'],
    ['Android', 'MOBILE'],
    ['iPad', 'TABLET'],
    ['DESKTOP', 'DESKTOP'],
    ['web', 'DESKTOP'],
    ['Smart TV', 'TV'],
    ['fridge', 'OTHER'],
    [undefined, 'OTHER'],
  ])('%s → %s', (input, expected) => expect(normalizeDevice(input)).toBe(expected));
});

describe('geoRegion', () => {
  it.each([
    ['de', 'EMEA'],
    ['DEU', 'EMEA'],
    ['USA', 'AMER'],
    ['br', 'AMER'],
    ['JP', 'APAC'],
    ['au', 'APAC'],
    ['AE', 'EMEA'],
    ['IL', 'EMEA'],
    ['ZA', 'EMEA'],
    ['UK', 'EMEA'],
    ['Germany', 'EMEA'],
    ['Atlantis', null],
    [undefined, null],
  ])('%s → %s', (input, expected) => expect(geoRegion(input)).toBe(expected));

  it('maps alpha-3 codes and names to alpha-2', () => {
    expect(countryCode('FRA')).toBe('FR');
    expect(countryCode('france')).toBe('FR');
  });
});

describe('mapCategory', () => {
  it.each([
    ['TECH', null],
    ['Konzert', { category: 'music', subcategory: null }],
    ['jazz night', { category: 'music', subcategory: 'jazz' }],
    ['Ballett', { category: 'dance', subcategory: 'ballet' }],
    ['théâtre', { category: 'theatre', subcategory: null }],
    ['exposición', { category: 'exhibition', subcategory: null }],
    ['Kino', { category: 'cinema', subcategory: null }],
    ['music/jazz', { category: 'music', subcategory: 'jazz' }],
    ['theatre/unknown-sub', { category: 'theatre', subcategory: null }],
    ['stand-up', { category: 'comedy', subcategory: null }],
  ])('%s → %j', (input, expected) => expect(mapCategory(input)).toEqual(expected));
});

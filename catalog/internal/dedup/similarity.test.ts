import { describe, expect, it } from 'vitest';
import { containment, dice, nameFeatures, nameSimilarity, SIMILARITY } from './similarity.ts';

const SAME_EVENT: [string, string][] = [
  ['Berliner Philharmoniker: Mahler 5', 'Mahler: Sinfonie Nr. 5 – Berliner Philharmoniker'],
  ['Berliner Philharmoniker: Mahler 5', 'Berliner Philharmoniker - Mahler Symphony No. 5'],
  ['Mahler: Sinfonie Nr. 5 – Berliner Philharmoniker', 'Berliner Philharmoniker - Mahler Symphony No. 5'],
  ['Le Misanthrope', 'Le Misanthrope (Molière)'],
  ['Carmen', 'Carmen (Bizet) – Teatro Real'],
  ["Exposition : Matisse, l'atelier rouge", "Matisse – L'Atelier rouge"],
  ['Caspar David Friedrich – Unendliche Landschaften', 'Caspar David Friedrich. Unendliche Landschaften'],
  ['Trio Nocturne – Jazz im A-Trane', 'Trio Nocturne live at A-Trane'],
  ['Sorolla: luz del Mediterráneo', 'Sorolla. Luz del Mediterráneo'],
];

const DIFFERENT_EVENTS: [string, string][] = [
  ['Kammermusik: Schubert-Quintett', 'Berliner Philharmoniker: Mahler 5'],
  ['Carmen', 'Tosca'],
];

describe('nameSimilarity', () => {
  it.each(SAME_EVENT)('scores %s and %s as one title (>= 0.8)', (a, b) => {
    expect(nameSimilarity(a, b)).toBeGreaterThanOrEqual(0.8);
    expect(nameSimilarity(b, a)).toBe(nameSimilarity(a, b));
  });

  it.each(DIFFERENT_EVENTS)('scores %s and %s as different titles (< 0.5)', (a, b) => {
    expect(nameSimilarity(a, b)).toBeLessThan(0.5);
  });

  it('gives 1 to titles with the same distinctive tokens in another order and punctuation', () => {
    expect(nameSimilarity('Berliner Philharmoniker: Mahler 5', 'Mahler 5 – Berliner Philharmoniker')).toBe(1);
  });

  it('caps a one-token title contained in a longer one below 1', () => {
    expect(nameSimilarity('Carmen', 'Carmen (Bizet) – Teatro Real')).toBe(SIMILARITY.singleToken);
    expect(nameSimilarity('Carmen', 'Carmen')).toBe(1);
  });

  it('halves the score when both titles have numbers and share none', () => {
    expect(nameSimilarity('Mahler 5', 'Mahler 6')).toBeCloseTo(0.5 * (6 / 7), 10);
    expect(nameSimilarity('Mahler 5', 'Mahler Symphonie Nr. 5')).toBe(1);
  });

  it('counts a close spelling of a token by its trigram similarity', () => {
    // mahlers vs mahler: 5 common trigrams of 6 and 7 -> 10/13
    expect(nameSimilarity('Mahlers Fünfte', 'Mahler Fünfte')).toBeCloseTo((1 + 10 / 13) / 2, 10);
  });
});

describe('dice and containment', () => {
  it('computes the Dice coefficient of two sorted sets', () => {
    expect(dice([1, 2, 3], [2, 3, 4, 5])).toBeCloseTo(4 / 7, 10);
    expect(dice([], [])).toBe(0);
    expect(dice([1, 5, 9], [2, 6, 10])).toBe(0);
  });

  it('divides the overlap by the smaller token set', () => {
    expect(containment(nameFeatures('Trio Nocturne live'), nameFeatures('Trio Nocturne Jazz Quartett'))).toBe(
      1,
    );
    expect(
      containment(nameFeatures('Trio Nocturne Blues'), nameFeatures('Trio Nocturne Jazz Quartett')),
    ).toBeCloseTo(2 / 3, 10);
  });

  it('returns the same features object for the same text (computed once)', () => {
    expect(nameFeatures('Le Misanthrope')).toBe(nameFeatures('Le Misanthrope'));
  });
});

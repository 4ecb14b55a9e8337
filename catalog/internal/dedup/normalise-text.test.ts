import { describe, expect, it } from 'vitest';
import { foldText, isNumberToken, titleTokens } from './normalise-text.ts';

describe('foldText', () => {
  it('lower-cases, strips diacritics and spells out ligatures', () => {
    expect(foldText('Molière Mediterráneo Führung Straße Œuvre')).toBe(
      'moliere mediterraneo fuhrung strasse oeuvre',
    );
  });
});

describe('titleTokens', () => {
  it('drops punctuation, numbering words and generic event words', () => {
    expect(titleTokens('Mahler: Sinfonie Nr. 5 – Berliner Philharmoniker')).toEqual([
      'mahler',
      'symphony',
      '5',
      'berliner',
      'philharmoniker',
    ]);
  });

  it('removes French elisions and the generic word exposition', () => {
    expect(titleTokens("Exposition : Matisse, l'atelier rouge")).toEqual(['matisse', 'atelier', 'rouge']);
    expect(titleTokens('Matisse – L’Atelier rouge')).toEqual(['matisse', 'atelier', 'rouge']);
    expect(titleTokens("Musée d'Orsay")).toEqual(['musee', 'orsay']);
  });

  it('keeps the words in parentheses as tokens', () => {
    expect(titleTokens('Carmen (Bizet) – Teatro Real')).toEqual(['carmen', 'bizet', 'teatro', 'real']);
  });

  it('splits hyphenated words and drops one-letter parts but keeps one-digit numbers', () => {
    expect(titleTokens('Trio Nocturne live at A-Trane')).toEqual(['trio', 'nocturne', 'trane']);
    expect(titleTokens('Symphonie n° 9')).toEqual(['symphony', '9']);
  });

  it('drops articles and conjunctions of all five languages', () => {
    expect(titleTokens('The Dog and the Cat')).toEqual(['dog', 'cat']);
    expect(titleTokens('Der Hund und die Katze im Garten')).toEqual(['hund', 'katze', 'garten']);
    expect(titleTokens('El perro y el gato en el jardín')).toEqual(['perro', 'gato', 'jardin']);
    expect(titleTokens('Il cane e il gatto della nonna')).toEqual(['cane', 'gatto', 'nonna']);
  });

  it('keeps the stop words of a title made only of them', () => {
    expect(titleTokens('Konzert')).toEqual(['konzert']);
    expect(titleTokens('Live at the Konzert')).toEqual(['live', 'at', 'the', 'konzert']);
  });

  it('lists each token once', () => {
    expect(titleTokens('Jazz, Jazz, JAZZ!')).toEqual(['jazz']);
  });
});

describe('isNumberToken', () => {
  it('is true for digits only', () => {
    expect([
      isNumberToken('5'),
      isNumberToken('2027'),
      isNumberToken('5th'),
      isNumberToken('mahler'),
    ]).toEqual([true, true, false, false]);
  });
});

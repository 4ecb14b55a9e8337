import { describe, expect, it } from 'vitest';
import { resolvePerformers } from './performers.ts';

describe('resolvePerformers', () => {
  it('keeps the source’s performers, cleaned and without duplicates', () => {
    expect(
      resolvePerformers(
        [' Berliner  Philharmoniker ', '', 'Kirill Petrenko', 'Kirill Petrenko'],
        'X',
        'music',
      ),
    ).toEqual(['Berliner Philharmoniker', 'Kirill Petrenko']);
    expect(resolvePerformers(['Compagnie X'], 'Y', 'dance')).toEqual(['Compagnie X']);
  });

  it('takes the performer before a colon or spaced dash in a music title (B1, B6, P5)', () => {
    expect(resolvePerformers([], 'Berliner Philharmoniker: Mahler 5', 'music')).toEqual([
      'Berliner Philharmoniker',
    ]);
    expect(resolvePerformers([], 'Trio Nocturne – Jazz im A-Trane', 'music')).toEqual(['Trio Nocturne']);
    expect(resolvePerformers([], 'Orchestre de Paris – Ravel', 'music')).toEqual(['Orchestre de Paris']);
    expect(resolvePerformers([], 'Trio Nocturne - Jazz im A-Trane', 'music')).toEqual(['Trio Nocturne']);
  });

  it('does not take a genre or programme word for a performer (B2)', () => {
    expect(resolvePerformers([], 'Kammermusik: Schubert-Quintett', 'music')).toEqual([]);
    expect(resolvePerformers([], 'Jazz: Trio Nocturne', 'music')).toEqual([]);
    expect(resolvePerformers([], 'Gala: Neujahr in Wien', 'music')).toEqual([]);
  });

  it('finds nothing without a separator, in a work-first title, or outside music', () => {
    expect(resolvePerformers([], 'Carmen', 'music')).toEqual([]);
    expect(resolvePerformers([], 'Mahler 5 – Berliner Philharmoniker', 'music')).toEqual([]);
    expect(resolvePerformers([], 'Schwanensee', 'dance')).toEqual([]);
    expect(resolvePerformers([], 'Sorolla: luz del Mediterráneo', 'exhibition')).toEqual([]);
    expect(resolvePerformers([], 'Caspar David Friedrich – Unendliche Landschaften', 'exhibition')).toEqual(
      [],
    );
    expect(resolvePerformers([], 'A-Trane Late Session', 'music')).toEqual([]);
    expect(resolvePerformers([], 'das ensemble: neue lieder', 'music')).toEqual([]);
    expect(resolvePerformers([], 'Ein sehr langer Titel mit vielen Wörtern davor: Werk', 'music')).toEqual(
      [],
    );
  });
});

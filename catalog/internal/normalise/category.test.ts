import { describe, expect, it } from 'vitest';
import { CategoryPath } from '../../../model/index.ts';
import { TERMS } from './category-terms.ts';
import { mapCategories, termTable } from './category.ts';
import { foldKey } from './fold.ts';

const cat = (category: string, subcategory: string | null, unmapped: string[] = []) => ({
  category,
  subcategory,
  unmapped,
});

describe('mapCategories', () => {
  it('maps the fixture world’s events to their expected categories', () => {
    expect(mapCategories(['Konzert', 'Klassik'])).toEqual(cat('music', 'classical')); // B1
    expect(mapCategories(['Kammermusik'])).toEqual(cat('music', 'classical')); // B2
    expect(mapCategories(['Tanz', 'Ballett'])).toEqual(cat('dance', 'ballet')); // B3
    expect(mapCategories(['Führung'])).toEqual(cat('talk', 'tour')); // B4
    expect(mapCategories(['Ausstellung'])).toEqual(cat('exhibition', 'art')); // B5
    expect(mapCategories(['Konzert', 'Jazz'])).toEqual(cat('music', 'jazz')); // B6
    expect(mapCategories(['théâtre'], 'fr')).toEqual(cat('theatre', 'drama')); // P1
    expect(mapCategories(['exposition', 'peinture'], 'fr')).toEqual(cat('exhibition', 'art')); // P2
    expect(mapCategories(['Festival', 'lecture', 'poésie'], 'fr')).toEqual(cat('festival', 'literature')); // P3
    expect(mapCategories(['humour', 'stand-up'], 'fr')).toEqual(cat('comedy', 'stand-up')); // P4
    expect(mapCategories(['concert classique'], 'fr')).toEqual(cat('music', 'classical')); // P5
    expect(mapCategories(['Ópera'], 'es')).toEqual(cat('music', 'opera')); // M1
    expect(mapCategories(['Exposición'], 'es')).toEqual(cat('exhibition', 'art')); // M2
    expect(mapCategories(['Cine'], 'es')).toEqual(cat('cinema', null)); // M3
    expect(mapCategories(['Cine clásico'], 'es')).toEqual(cat('cinema', 'classic')); // M4
    expect(mapCategories(['Flamenco'], 'es')).toEqual(cat('dance', 'flamenco')); // M5
    expect(mapCategories(['ComedyEvent', 'Stand-up'])).toEqual(cat('comedy', 'stand-up')); // L1
    expect(mapCategories(['Immersive experience'])).toEqual(cat('other', null, ['immersive experience']));
  });

  it('maps the schema.org Event subtypes', () => {
    const cases: [string, string, string | null][] = [
      ['MusicEvent', 'music', null],
      ['TheaterEvent', 'theatre', 'drama'],
      ['DanceEvent', 'dance', null],
      ['ExhibitionEvent', 'exhibition', 'art'],
      ['ScreeningEvent', 'cinema', null],
      ['Festival', 'festival', null],
      ['ComedyEvent', 'comedy', 'stand-up'],
      ['ChildrensEvent', 'family', 'children'],
      ['LiteraryEvent', 'talk', 'reading'],
      ['EducationEvent', 'talk', null],
      ['VisualArtsEvent', 'exhibition', 'art'],
    ];
    for (const [term, category, sub] of cases) expect(mapCategories([term])).toEqual(cat(category, sub));
  });

  it('defaults a bare comedy term to stand-up unless another term says sketch or improv', () => {
    expect(mapCategories(['Comedy'])).toEqual(cat('comedy', 'stand-up'));
    expect(mapCategories(['humour'], 'fr')).toEqual(cat('comedy', 'stand-up'));
    expect(mapCategories(['ComedyEvent', 'improv'])).toEqual(cat('comedy', 'improv'));
    expect(mapCategories(['Comedy', 'Impro-Comedy'])).toEqual(cat('comedy', 'improv'));
    expect(mapCategories(['Comedy', 'Sketch'])).toEqual(cat('comedy', 'sketch'));
    expect(mapCategories(['humor', 'sketches'], 'es')).toEqual(cat('comedy', 'sketch'));
  });

  it('ignores case, diacritics and punctuation', () => {
    expect(mapCategories(['  THEATRE '])).toEqual(cat('theatre', 'drama'));
    expect(mapCategories(['Fuhrung'])).toEqual(cat('talk', 'tour'));
    expect(mapCategories(['opera'])).toEqual(cat('music', 'opera'));
    expect(mapCategories(['STAND UP'])).toEqual(cat('comedy', 'stand-up'));
    expect(mapCategories(['cinéma'])).toEqual(cat('cinema', null));
  });

  it('maps comma, slash and other separated parts, reporting the unknown ones', () => {
    expect(mapCategories(['Konzert/Klassik'])).toEqual(cat('music', 'classical'));
    expect(mapCategories(['Bühne, Kabarett'])).toEqual(cat('theatre', 'cabaret'));
    expect(mapCategories(['Konzert / Gala'])).toEqual(cat('music', null, ['gala']));
    expect(mapCategories(['Kinder & Familie'])).toEqual(cat('family', 'children'));
  });

  it('lets a subcategory beat a bare category, and the first term win among equals', () => {
    expect(mapCategories(['Musik', 'Theater', 'Kammermusik'])).toEqual(cat('music', 'classical'));
    expect(mapCategories(['Theater', 'Tanz'])).toEqual(cat('theatre', 'drama'));
    expect(mapCategories(['Tanz', 'Theater'])).toEqual(cat('dance', null));
    expect(mapCategories(['Jazz', 'Oper'])).toEqual(cat('music', 'jazz'));
    expect(mapCategories(['Ausstellung', 'Fotografie'])).toEqual(cat('exhibition', 'photography'));
    expect(mapCategories(['Theater', 'Musical'])).toEqual(cat('theatre', 'musical'));
  });

  it('reads language-dependent terms in the listing’s language', () => {
    expect(mapCategories(['lecture'], 'fr')).toEqual(cat('talk', 'reading'));
    expect(mapCategories(['lecture'], 'en')).toEqual(cat('talk', 'lecture'));
    expect(mapCategories(['lecture'])).toEqual(cat('talk', 'lecture'));
    expect(mapCategories(['Lesung'], 'de')).toEqual(cat('talk', 'reading'));
  });

  it('treats a leading festival term as the container of the other terms', () => {
    expect(mapCategories(['Festival', 'Konzert'])).toEqual(cat('festival', 'music'));
    expect(mapCategories(['Festival', 'Kino'])).toEqual(cat('festival', 'film'));
    expect(mapCategories(['Festival', 'Tanz'])).toEqual(cat('festival', 'arts'));
    expect(mapCategories(['Festival'])).toEqual(cat('festival', null));
    expect(mapCategories(['Filmfestival'])).toEqual(cat('festival', 'film'));
    expect(mapCategories(['Klassik', 'Festival'])).toEqual(cat('music', 'classical'));
  });

  it('maps the catalogue’s languages', () => {
    const cases: [string, string][] = [
      ['Oper', 'music/opera'],
      ['Schauspiel', 'theatre/drama'],
      ['Lesung', 'talk/reading'],
      ['Kabarett', 'theatre/cabaret'],
      ['Kinder', 'family/children'],
      ['danse', 'dance'],
      ['conférence', 'talk/lecture'],
      ['jeune public', 'family/children'],
      ['concierto', 'music'],
      ['danza', 'dance'],
      ['teatro', 'theatre/drama'],
      ['infantil', 'family/children'],
      ['mostra', 'exhibition/art'],
      ['balletto', 'dance/ballet'],
      ['tentoonstelling', 'exhibition/art'],
      ['rondleiding', 'talk/tour'],
    ];
    for (const [term, path] of cases) {
      const r = mapCategories([term]);
      expect(r.subcategory ? `${r.category}/${r.subcategory}` : r.category, term).toBe(path);
    }
  });

  it('skips generic words and reports each unknown term once, lower-cased', () => {
    expect(mapCategories(['Event', 'Veranstaltung'])).toEqual(cat('other', null));
    expect(mapCategories([' Sport ', 'SPORT', 'Konzert'])).toEqual(cat('music', null, ['sport']));
    expect(mapCategories([])).toEqual(cat('other', null));
  });
});

describe('the term table', () => {
  it('names only taxonomy paths', () => {
    for (const path of new Set(termTable().values()))
      expect(CategoryPath.safeParse(path).success, path).toBe(true);
  });

  it('files no folded term under two paths', () => {
    const seen = new Map<string, string>();
    for (const [path, terms] of Object.entries(TERMS)) {
      for (const t of terms.flatMap((line) => line.split('|'))) {
        const k = foldKey(t);
        expect(k, `an empty term in ${path}`).not.toBe('');
        expect(seen.get(k) ?? path, `${t} in ${seen.get(k)} and ${path}`).toBe(path);
        seen.set(k, path);
      }
    }
  });
});

import { z } from 'zod';

/** Top-level categories of cultural events. Every catalogue event and every interest uses these. */
export const CATEGORIES = [
  'music',
  'theatre',
  'dance',
  'exhibition',
  'cinema',
  'comedy',
  'festival',
  'talk',
  'family',
  'other',
] as const;
export const Category = z.enum(CATEGORIES);
export type Category = z.infer<typeof Category>;

/** Subcategories per category (`music/jazz`). `other` has none. */
export const SUBCATEGORIES: Readonly<Record<Category, readonly string[]>> = {
  music: [
    'classical',
    'jazz',
    'rock',
    'pop',
    'electronic',
    'hip-hop',
    'folk',
    'world',
    'opera',
    'choir',
    'metal',
    'blues',
  ],
  theatre: ['drama', 'comedy', 'musical', 'opera', 'puppetry', 'improv', 'cabaret'],
  dance: ['ballet', 'contemporary', 'tango', 'hip-hop', 'folk', 'flamenco'],
  exhibition: ['art', 'photography', 'design', 'history', 'science', 'architecture'],
  cinema: ['premiere', 'classic', 'documentary', 'festival', 'open-air', 'animation'],
  comedy: ['stand-up', 'sketch', 'improv'],
  festival: ['music', 'film', 'arts', 'food', 'literature'],
  talk: ['lecture', 'reading', 'panel', 'workshop', 'tour'],
  family: ['children', 'puppetry', 'workshop', 'circus'],
  other: [],
};

/** `category` or `category/subcategory`, validated against the taxonomy. */
export const CategoryPath = z.string().refine(
  (v) => {
    const [c, sub, ...rest] = v.split('/');
    if (rest.length || !Category.safeParse(c).success) return false;
    return sub === undefined || SUBCATEGORIES[c as Category].includes(sub);
  },
  { message: 'must be a category of the taxonomy, optionally with a subcategory (e.g. music/jazz)' },
);

/**
 * Finding the schema.org Events in parsed JSON-LD, wherever a page puts them: a single node, a
 * top-level array, an `@graph`, an ItemList's `itemListElement`/`item`, a WebPage's `mainEntity`,
 * or a Festival's `subEvent`s.
 */

export type LdNode = Record<string, unknown>;

/** schema.org Event and its subtypes (schema.org 28; the deprecated User* types left out). */
const EVENT_TYPES = new Set([
  'Event',
  'BroadcastEvent',
  'BusinessEvent',
  'ChildrensEvent',
  'ComedyEvent',
  'CourseInstance',
  'DanceEvent',
  'DeliveryEvent',
  'EducationEvent',
  'EventSeries',
  'ExhibitionEvent',
  'Festival',
  'FoodEvent',
  'Hackathon',
  'LiteraryEvent',
  'MusicEvent',
  'OnDemandEvent',
  'PublicationEvent',
  'SaleEvent',
  'ScreeningEvent',
  'SocialEvent',
  'SportsEvent',
  'TheaterEvent',
  'VisualArtsEvent',
]);

/** Far deeper than any real page nests; guards the recursion against pathological documents. */
const MAX_DEPTH = 32;

export function isNode(value: unknown): value is LdNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `https://schema.org/MusicEvent`, `http://schema.org/MusicEvent`, `schema:MusicEvent` -> `MusicEvent`. */
export function shortName(term: string): string {
  return term.trim().replace(/^.*[/#:]/, '');
}

/** A node's `@type`s as short names; `@type` may be one string or an array. */
export function typeNames(node: LdNode): string[] {
  const raw = node['@type'];
  const all = Array.isArray(raw) ? raw : [raw];
  return all.filter((t): t is string => typeof t === 'string').map(shortName);
}

export function isEvent(node: LdNode): boolean {
  return typeNames(node).some((t) => EVENT_TYPES.has(t));
}

/**
 * Every Event node under `value`, in document order. Inside an Event only `subEvent(s)` is searched
 * (its `superEvent`, `location` or `offers` hold no listings of their own). A node reached twice
 * (the same object) is returned once.
 */
export function findEvents(value: unknown): LdNode[] {
  const found: LdNode[] = [];
  const seen = new Set<LdNode>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(v)) {
      for (const item of v) visit(item, depth + 1);
      return;
    }
    if (!isNode(v) || seen.has(v)) return;
    seen.add(v);
    if (isEvent(v)) {
      found.push(v);
      visit(v.subEvent, depth + 1);
      visit(v.subEvents, depth + 1);
      return;
    }
    for (const child of Object.values(v)) visit(child, depth + 1);
  };
  visit(value, 0);
  return found;
}

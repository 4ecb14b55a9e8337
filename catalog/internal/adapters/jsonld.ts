/**
 * The schema.org JSON-LD source adapter: the Events in an HTML page's
 * `<script type="application/ld+json">` blocks (or in a bare JSON-LD document), one draft each.
 *
 * Source ids: the Event's `@id` (blank nodes `_:…` excepted, they are not stable), else its `url`,
 * both made absolute against the page's address when it has one; else {@link contentId} of name,
 * startDate and location name. Pages often give every date of a run the same `url`: listings that
 * share an id but not a start then become `${id}@${startDate}` each, and a listing repeated with the
 * same id and start (an ItemList plus a `mainEntity`, say) is kept once.
 *
 * Rejections: a block that is not JSON (sourceId null, the block's number in the reason), and an
 * Event without `name` or `startDate` (the property named). Other blocks and Events still count.
 */
import type {
  AdapterContext,
  AdapterResult,
  ExtractedListing,
  ListingRejection,
  SourceAdapter,
  SourceDocument,
} from './adapter.ts';
import { absoluteUrl, readEvent } from './jsonld-event.ts';
import { ldBlocks } from './jsonld-scripts.ts';
import { ldTextOrId } from './jsonld-values.ts';
import { findEvents, type LdNode } from './jsonld-walk.ts';
import { contentId } from './mapped-values.ts';

/** The id a page gives an Event, if any: `@id`, else `url`. */
function declaredId(event: LdNode, base: string | null): string | null {
  const id = ldTextOrId(event['@id']);
  if (id !== null && !id.startsWith('_:')) return absoluteUrl(id, base);
  return absoluteUrl(ldTextOrId(event.url), base);
}

/** Applies the id rules of the header to listings that share an id within one document. */
function disambiguate(listings: ExtractedListing[]): ExtractedListing[] {
  const starts = new Map<string, Set<string>>();
  for (const l of listings) {
    const set = starts.get(l.sourceId) ?? new Set<string>();
    set.add(l.draft.start);
    starts.set(l.sourceId, set);
  }
  const seen = new Set<string>();
  const out: ExtractedListing[] = [];
  for (const l of listings) {
    const shared = (starts.get(l.sourceId)?.size ?? 0) > 1;
    const sourceId = shared ? `${l.sourceId}@${l.draft.start}` : l.sourceId;
    if (seen.has(sourceId)) continue;
    seen.add(sourceId);
    out.push({ ...l, sourceId });
  }
  return out;
}

function parse(doc: SourceDocument, ctx: AdapterContext): AdapterResult {
  const base = doc.location;
  const listings: ExtractedListing[] = [];
  const rejected: ListingRejection[] = [];
  for (const block of ldBlocks(doc.body)) {
    if (!block.ok) {
      rejected.push({ sourceId: null, reason: `JSON-LD block ${block.index}: ${block.reason}` });
      continue;
    }
    for (const event of findEvents(block.value)) {
      const read = readEvent(event, ctx.defaults, base);
      const id = declaredId(event, base);
      if (!read.ok) {
        rejected.push({ sourceId: id, reason: read.reason });
        continue;
      }
      const { draft } = read;
      listings.push({ sourceId: id ?? contentId(draft.title, draft.start, draft.venue.name ?? null), draft });
    }
  }
  return { listings: disambiguate(listings), rejected };
}

export const jsonldAdapter: SourceAdapter = {
  format: 'jsonld',
  parse(doc, ctx) {
    try {
      return parse(doc, ctx);
    } catch (err) {
      // Defensive: the readers above do not throw on content, but the contract is never to throw.
      const reason = `unreadable JSON-LD: ${err instanceof Error ? err.message : String(err)}`;
      return { listings: [], rejected: [{ sourceId: null, reason }] };
    }
  },
};

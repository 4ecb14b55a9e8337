/** Raw listings for tests: a German concert listing whose fields tests override. */
import type { ListingDraftInput, RawListing } from './listing.ts';
import { ListingDraft } from './listing.ts';
import { payloadHash } from './raw-listing.ts';

export function rawListing(
  source: string,
  sourceId: string,
  draft: Partial<ListingDraftInput> = {},
  priority = 0,
): RawListing {
  const payload = ListingDraft.parse({
    title: 'Berliner Philharmoniker: Mahler 5',
    start: '2027-03-28T20:00:00',
    end: '2027-03-28T22:00:00',
    timezone: 'Europe/Berlin',
    venue: {
      name: 'Philharmonie Berlin',
      address: 'Herbert-von-Karajan-Str. 1, 10785 Berlin',
      city: 'Berlin',
      country: 'DE',
      lat: 52.5098,
      lon: 13.37,
    },
    categories: ['Konzert', 'Klassik'],
    priceText: '35-120 EUR',
    language: 'de',
    ...draft,
  });
  return { source, sourceId, fetchedAt: 1, payloadHash: payloadHash(payload), priority, payload };
}

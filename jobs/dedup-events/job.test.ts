import { describe, expect, it } from 'vitest';
import {
  blockKey,
  normaliseListing,
  type CatalogEvent,
  type ListingStatus,
  type NormalisedListing,
} from '../../catalog/index.ts';
import { rawListing } from '../../catalog/testing.ts';
import { TestDriver } from '../../runtime/testing/index.ts';
import { dedupEventsJob } from './job.ts';

function normalised(...args: Parameters<typeof rawListing>): NormalisedListing {
  const r = normaliseListing(rawListing(...args));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.listing;
}

describe('dedup-events', () => {
  it('merges the same concert from two sources into one event that keeps both', async () => {
    const d = await TestDriver.create(dedupEventsJob({}));
    const venueCalendar = normalised('berlin-buehnen', 'b1', {}, 10);
    const aggregator = normalised(
      'ticketing-api',
      'tk-1',
      { title: 'Berliner Philharmoniker - Mahler Symphony No. 5', start: '2027-03-28T18:00:00Z' },
      0,
    );
    const block = blockKey(venueCalendar);
    expect(blockKey(aggregator)).toBe(block);
    await d.pipe('blocks', block, { kind: 'listing', listing: venueCalendar });
    await d.pipe('blocks', block, { kind: 'listing', listing: aggregator });
    const events = d.readOutput<CatalogEvent>('events');
    expect(new Set(events.map((e) => e.key)).size).toBe(1);
    const merged = events.at(-1)!.value;
    expect(merged.title).toBe('Berliner Philharmoniker: Mahler 5');
    expect(merged.sources.map((s) => s.source).sort()).toEqual(['berlin-buehnen', 'ticketing-api']);
    const status = d.readOutput<ListingStatus>('status').map((s) => s.value);
    expect(status.map((s) => s.canonicalId)).toEqual([merged.id, merged.id]);
    await d.close();
  });

  it('keeps two concerts at one place on one day apart', async () => {
    const d = await TestDriver.create(dedupEventsJob({}));
    const mahler = normalised('berlin-buehnen', 'b1');
    const schubert = normalised('berlin-buehnen', 'b2', {
      title: 'Kammermusik: Schubert-Quintett',
      start: '2027-03-28T11:00:00',
      end: null,
    });
    const block = blockKey(mahler);
    await d.pipe('blocks', block, { kind: 'listing', listing: mahler });
    await d.pipe('blocks', block, { kind: 'listing', listing: schubert });
    expect(new Set(d.readOutput('events').map((e) => e.key)).size).toBe(2);
    await d.close();
  });

  it('deletes the event with a tombstone when its last listing is retracted', async () => {
    const d = await TestDriver.create(dedupEventsJob({}));
    const l = normalised('s', '1');
    const block = blockKey(l);
    await d.pipe('blocks', block, { kind: 'listing', listing: l });
    await d.pipe('blocks', block, { kind: 'retract', source: 's', sourceId: '1' });
    const events = d.readOutput<CatalogEvent | null>('events');
    expect(events.map((e) => e.value === null)).toEqual([false, true]);
    expect(events[1]!.key).toBe(events[0]!.key);
    expect((await d.readStore('blocks')).size).toBe(0);
    await d.close();
  });
});

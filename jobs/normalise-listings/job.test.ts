import { describe, expect, it } from 'vitest';
import type { BlockMessage, ListingStatus, Rejection } from '../../catalog/index.ts';
import { rawListing } from '../../catalog/testing.ts';
import { TestDriver } from '../../runtime/testing/index.ts';
import { normaliseListingsJob } from './job.ts';

const job = () => normaliseListingsJob({});

describe('normalise-listings', () => {
  it('sends a normalised listing to its block (country, city, local date)', async () => {
    const d = await TestDriver.create(job());
    await d.pipe('listings', 'berlin-buehnen:b1', rawListing('berlin-buehnen', 'b1'));
    const out = d.readOutput<BlockMessage>('blocks');
    expect(out.map((o) => o.key)).toEqual(['DE|berlin|2027-03-28']);
    const msg = out[0]!.value;
    expect(msg.kind).toBe('listing');
    if (msg.kind !== 'listing') return;
    expect(msg.listing.event.startsAt).toBe('2027-03-28T18:00:00.000Z');
    expect(msg.listing.event.category).toBe('music');
    await d.close();
  });

  it('drops a re-imported listing whose payload did not change', async () => {
    const d = await TestDriver.create(job());
    const l = rawListing('berlin-buehnen', 'b1');
    await d.pipe('listings', 'berlin-buehnen:b1', l);
    await d.pipe('listings', 'berlin-buehnen:b1', { ...l, fetchedAt: 2 });
    expect(d.readOutput('blocks')).toHaveLength(1);
    await d.close();
  });

  it('retracts a listing from its old block when its date moves', async () => {
    const d = await TestDriver.create(job());
    await d.pipe('listings', 's:1', rawListing('s', '1'));
    await d.pipe('listings', 's:1', rawListing('s', '1', { start: '2027-03-29T20:00:00', end: null }));
    expect(d.readOutput<BlockMessage>('blocks').map((o) => [o.key, o.value.kind])).toEqual([
      ['DE|berlin|2027-03-28', 'listing'],
      ['DE|berlin|2027-03-28', 'retract'],
      ['DE|berlin|2027-03-29', 'listing'],
    ]);
    await d.close();
  });

  it('dead-letters a listing that does not normalise, with its reasons, and retracts it', async () => {
    const d = await TestDriver.create(job());
    await d.pipe('listings', 's:1', rawListing('s', '1'));
    await d.pipe('listings', 's:1', rawListing('s', '1', { start: 'next Friday' }));
    const rejected = d.readOutput<Rejection>('rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.value.stage).toBe('normalise');
    expect(rejected[0]!.value.reasons.join(' ')).toMatch(/^start/);
    const status = d.readOutput<ListingStatus>('status');
    expect(status.map((s) => s.value.outcome)).toEqual(['rejected']);
    expect(d.readOutput<BlockMessage>('blocks').map((o) => o.value.kind)).toEqual(['listing', 'retract']);
    await d.close();
  });
});

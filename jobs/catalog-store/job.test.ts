import { describe, expect, it } from 'vitest';
import type { CatalogEvent, ListingStatus } from '../../catalog/index.ts';
import { catalogEvent } from '../../api/query/test-events.ts';
import { TestDriver } from '../../runtime/testing/index.ts';
import { catalogStoreJob, type CatalogSinks } from './job.ts';

class FakeSinks implements CatalogSinks {
  readonly rows = new Map<string, CatalogEvent>();
  readonly outcomesByKey = new Map<string, ListingStatus>();
  writes = 0;
  failing = false;
  closed = 0;
  events = {
    upsertMany: (events: CatalogEvent[]) => {
      if (this.failing) return Promise.reject(new Error('connection refused'));
      this.writes++;
      for (const e of events) this.rows.set(e.id, e);
      return Promise.resolve();
    },
    deleteMany: (ids: string[]) => {
      for (const id of ids) this.rows.delete(id);
      return Promise.resolve();
    },
  };
  outcomes = {
    recordOutcomes: (batch: ListingStatus[]) => {
      for (const o of batch) this.outcomesByKey.set(`${o.source}:${o.sourceId}`, o);
      return Promise.resolve();
    },
  };
  close() {
    this.closed++;
    return Promise.resolve();
  }
}

const status = (sourceId: string, canonicalId: string): ListingStatus => ({
  source: 's',
  sourceId,
  outcome: 'accepted',
  reasons: [],
  canonicalId,
  unmappedTerms: [],
  missingCoordinates: false,
  at: 1,
});

describe('catalog-store', () => {
  it('writes the latest version of each event and each outcome at the commit, and deletes on tombstones', async () => {
    const sinks = new FakeSinks();
    const d = await TestDriver.create(catalogStoreJob({ sinks: () => sinks }));
    const a = catalogEvent('a', '2027-03-28T18:00:00Z');
    const b = catalogEvent('b', '2027-03-29T18:00:00Z');
    await d.pipe('events', 'a', a);
    await d.pipe('events', 'a', { ...a, title: 'renamed' });
    await d.pipe('events', 'b', b);
    await d.pipe('status', 's:1', status('1', 'a'));
    expect(sinks.writes).toBe(0);
    await d.commit();
    expect(sinks.writes).toBe(1);
    expect(sinks.rows.get('a')!.title).toBe('renamed');
    expect(sinks.outcomesByKey.get('s:1')!.canonicalId).toBe('a');
    await d.pipe('events', 'b', null);
    await d.commit();
    expect([...sinks.rows.keys()]).toEqual(['a']);
    await d.close();
    expect(sinks.closed).toBe(1);
  });

  it('keeps the changes when the database is down, for the retried commit', async () => {
    const sinks = new FakeSinks();
    const d = await TestDriver.create(catalogStoreJob({ sinks: () => sinks }));
    sinks.failing = true;
    await d.pipe('events', 'a', catalogEvent('a', '2027-03-28T18:00:00Z'));
    await expect(d.commit()).rejects.toThrow(/retriable failure/);
    sinks.failing = false;
    await d.commit();
    expect([...sinks.rows.keys()]).toEqual(['a']);
    await d.close();
  });
});

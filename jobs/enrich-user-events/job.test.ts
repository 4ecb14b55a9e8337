import { describe, expect, it } from 'vitest';
import type { CatalogEvent, EnrichedEvent } from '../../model/index.ts';
import { TestDriver } from '../../runtime/testing/index.ts';
import { enrichUserEventsJob } from './job.ts';

const tosca: CatalogEvent = {
  id: 'evt-1',
  title: 'Tosca',
  category: 'music',
  subcategory: 'opera',
  startsAt: '2026-12-01T18:00:00Z',
  endsAt: null,
  timezone: 'Europe/Berlin',
  venue: { name: 'Staatsoper', address: 'Unter den Linden 7', lat: 52.517, lon: 13.395 },
  city: 'Berlin',
  country: 'DE',
  price: { min: 20, max: 120, currency: 'EUR', isFree: false },
  status: 'scheduled',
  url: null,
  sources: [{ source: 'test', sourceId: '1', url: null }],
  performers: [],
};

const event = (context: Record<string, unknown>) => ({
  eventId: 'e-1',
  userId: 'u1',
  eventType: 'VIEW',
  timestamp: 1_790_000_000_000,
  context,
});

describe('enrich-user-events', () => {
  it('joins a known item with the catalogue: category, venue city and coordinates, region', async () => {
    const d = await TestDriver.create(enrichUserEventsJob(), { partitions: 2 });
    d.pipeGlobal('catalog', 'evt-1', tosca);
    await d.pipe('events', 'u1', event({ itemId: 'evt-1', device: 'iPhone', geo: 'us' }));
    const [out] = d.readOutput<EnrichedEvent>('enriched');
    expect(out!.key).toBe('u1');
    expect(out!.value.enrichment).toEqual({
      categories: ['music'],
      subcategory: 'opera',
      deviceType: 'MOBILE',
      geoRegion: 'EMEA',
      city: 'Berlin',
      lat: 52.517,
      lon: 13.395,
      itemKnown: true,
    });
    expect(out!.value.context).toEqual({ itemId: 'evt-1', device: 'iPhone', geo: 'us' });
    await d.close();
  });

  it('enriches an unknown item from the event context instead of dropping it', async () => {
    const d = await TestDriver.create(enrichUserEventsJob());
    await d.pipe(
      'events',
      'u1',
      event({ itemId: 'nope', category: 'Konzert', device: 'desktop', geo: 'FR', city: 'Paris' }),
    );
    const [out] = d.readOutput<EnrichedEvent>('enriched');
    expect(out!.value.enrichment).toMatchObject({
      categories: ['music'],
      deviceType: 'DESKTOP',
      geoRegion: 'EMEA',
      city: 'Paris',
      itemKnown: false,
    });
    await d.close();
  });

  it('dead-letters events that fail the UserEvent schema', async () => {
    const d = await TestDriver.create(enrichUserEventsJob());
    await d.pipe('events', 'u1', { userId: 'u1', eventType: 'VIEW' });
    expect(d.readOutput('enriched')).toEqual([]);
    expect(d.readDeadLetters()[0]!.headers['pulse.error.code']).toBe('SCHEMA_INVALID');
    await d.close();
  });
});

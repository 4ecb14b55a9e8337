import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { SourceQuality } from '../../state/index.ts';
import { registerCatalogQualityMetrics } from './metrics.ts';

const quality: SourceQuality = {
  source: 'ticketing-api',
  lastRunAt: 1,
  lastOutcome: 'imported',
  fetched: 6,
  parseRejected: 1,
  rejected: 2,
  accepted: 4,
  mergedAsDuplicates: 3,
  missingCoordinates: 1,
  unmappedTerms: [
    { term: 'immersive experience', listings: 2 },
    { term: 'vr', listings: 1 },
  ],
  topReasons: [],
};

describe('catalogue quality metrics', () => {
  it('export the figures of pulse catalog quality per source at each scrape', async () => {
    const registry = new Registry();
    let calls = 0;
    registerCatalogQualityMetrics(registry, () => (calls++, Promise.resolve([quality])));
    const text = await registry.metrics();
    expect(calls).toBe(1);
    for (const line of [
      'pulse_catalog_listings{source="ticketing-api",state="fetched"} 6',
      'pulse_catalog_listings{source="ticketing-api",state="rejected"} 3',
      'pulse_catalog_listings{source="ticketing-api",state="accepted"} 4',
      'pulse_catalog_listings{source="ticketing-api",state="merged"} 3',
      'pulse_catalog_listings{source="ticketing-api",state="missing_coordinates"} 1',
      'pulse_catalog_listings{source="ticketing-api",state="unmapped_category"} 3',
    ])
      expect(text).toContain(line);
  });

  it('keep the last figures when the database cannot be read', async () => {
    const registry = new Registry();
    let down = false;
    registerCatalogQualityMetrics(registry, () =>
      down ? Promise.reject(new Error('connection refused')) : Promise.resolve([quality]),
    );
    await registry.metrics();
    down = true;
    expect(await registry.metrics()).toContain(
      'pulse_catalog_listings{source="ticketing-api",state="merged"} 3',
    );
  });
});

import { CatalogEvent, EnrichedEvent, UserEvent, type Enrichment } from '../../model/index.ts';
import { defineJob } from '../../runtime/index.ts';
import { geoRegion, mapCategory, normalizeDevice } from './normalize.ts';

/**
 * `enrich-user-events`: `raw-user-events` → `enriched-events` (both keyed by userId). Joins each
 * interaction with the event catalogue (a global table of `events-catalog`) to attach the item's
 * category, venue city and coordinates; normalises the device and maps the country to a region.
 * An unknown item is enriched from the event's own context, never dropped.
 */
export function enrichUserEventsJob(opts: { namespace?: string; commitIntervalMs?: number } = {}) {
  const ns = opts.namespace ?? '';
  return defineJob({
    name: `${ns}enrich-user-events`,
    commitIntervalMs: opts.commitIntervalMs,
    description: 'joins interactions with the catalogue and normalises device, region and category',
    inputs: { events: { topic: `${ns}raw-user-events`, schema: UserEvent } },
    globals: { catalog: { topic: `${ns}events-catalog`, schema: CatalogEvent } },
    outputs: { enriched: { topic: `${ns}enriched-events`, schema: EnrichedEvent } },
    processor: () => ({
      process(record, ctx) {
        const e = record.value;
        const item = e.context.itemId ? ctx.global('catalog').get(e.context.itemId) : undefined;
        ctx.emit('enriched', e.userId, enrichEvent(e, item));
      },
    }),
  });
}

/**
 * The enrichment of one event, given the catalogue entry of its item (undefined when the event has
 * no itemId or the item is unknown). Pure: offline checks enrich the input the same way.
 */
export function enrichEvent(e: UserEvent, item: CatalogEvent | undefined): EnrichedEvent {
  const c = e.context;
  let enrichment: Enrichment;
  if (item) {
    enrichment = {
      categories: [item.category],
      subcategory: item.subcategory,
      deviceType: normalizeDevice(c.device),
      geoRegion: geoRegion(item.country) ?? geoRegion(c.geo),
      city: item.city,
      lat: item.venue.lat ?? c.lat ?? null,
      lon: item.venue.lon ?? c.lon ?? null,
      itemKnown: true,
    };
  } else {
    const mapped = mapCategory(c.category);
    enrichment = {
      categories: mapped ? [mapped.category] : [],
      subcategory: mapped?.subcategory ?? null,
      deviceType: normalizeDevice(c.device),
      geoRegion: geoRegion(c.geo),
      city: c.city ?? null,
      lat: c.lat ?? null,
      lon: c.lon ?? null,
      itemKnown: false,
    };
  }
  return { ...e, enrichment };
}

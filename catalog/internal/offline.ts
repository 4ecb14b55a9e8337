/**
 * The catalogue pipeline in one process, without Kafka: import -> normalise -> dedup, with the same
 * functions the stream jobs run. For `pulse catalog eval`, the fixture tests and the benchmark;
 * production runs the jobs.
 */
import path from 'node:path';
import type { CatalogEvent } from '../../model/index.ts';
import type { ListingRejection } from './adapters/adapter.ts';
import { addListing, blockKey, removeListing, type DedupBlock } from './dedup/block.ts';
import { importDocument } from './importer.ts';
import type { RawListing } from './listing.ts';
import { listingKey } from './messages.ts';
import { normaliseListing } from './normalise/normalise-listing.ts';
import type { SourceConfig } from './sources-config.ts';

export interface OfflineCatalogue {
  /** Canonical events by id. */
  events: Map<string, CatalogEvent>;
  blocks: Map<string, DedupBlock>;
  /** Rejections by source: adapter and normalisation. */
  rejected: Array<{ source: string; sourceId: string | null; reason: string }>;
  /** Listings that changed something (a re-import of unchanged sources adds none). */
  applied: number;
}

export class OfflinePipeline {
  readonly state: OfflineCatalogue = { events: new Map(), blocks: new Map(), rejected: [], applied: 0 };
  /** Per listing: the payload hash last applied and its block (as the normalise job keeps). */
  private readonly seen = new Map<string, { hash: string; block: string | null }>();

  /** Applies raw listings as the normalise and dedup jobs would. */
  apply(listings: readonly RawListing[]): void {
    for (const raw of listings) {
      const key = listingKey(raw.source, raw.sourceId);
      const prev = this.seen.get(key);
      if (prev?.hash === raw.payloadHash) continue;
      this.state.applied++;
      const result = normaliseListing(raw);
      if (prev?.block) this.change(prev.block, (b) => removeListing(b, raw.source, raw.sourceId));
      if (!result.ok) {
        for (const e of result.errors)
          this.state.rejected.push({
            source: raw.source,
            sourceId: raw.sourceId,
            reason: `${e.path}: ${e.message}`,
          });
        this.seen.set(key, { hash: raw.payloadHash, block: null });
        continue;
      }
      const block = blockKey(result.listing);
      this.change(block, (b) => addListing(b, result.listing));
      this.seen.set(key, { hash: raw.payloadHash, block });
    }
  }

  rejectAtParse(source: string, rejected: readonly ListingRejection[]): void {
    for (const r of rejected) this.state.rejected.push({ source, sourceId: r.sourceId, reason: r.reason });
  }

  private change(key: string, f: (b: DedupBlock) => ReturnType<typeof addListing>): void {
    const c = f(this.state.blocks.get(key) ?? { clusters: [] });
    if (c.block.clusters.length) this.state.blocks.set(key, c.block);
    else this.state.blocks.delete(key);
    for (const e of c.upserted) this.state.events.set(e.id, e);
    for (const id of c.deleted) this.state.events.delete(id);
  }
}

/** Imports every configured file source (paths relative to `baseDir`) into the pipeline. */
export async function importSources(
  pipeline: OfflinePipeline,
  sources: readonly SourceConfig[],
  baseDir: string,
  now: number,
  horizonDays = 365,
): Promise<void> {
  for (const s of sources) {
    const location = s.path ? path.resolve(baseDir, s.path) : s.url!;
    const r = await importDocument(location, s, { now, horizonDays });
    if (r.status !== 'imported') continue;
    pipeline.rejectAtParse(s.name, r.rejected);
    pipeline.apply(r.listings);
  }
}

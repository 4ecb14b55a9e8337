/**
 * The event catalogue: source adapters, normalisation, cross-source deduplication and the import
 * path. The public door of `catalog/`: code outside it imports only from here.
 */
export { CatalogEvent } from '../model/index.ts';
export {
  DraftOffer,
  DraftVenue,
  ListingDraft,
  NormalisedEvent,
  NormalisedListing,
  RawListing,
} from './internal/listing.ts';
export type { ListingDraftInput } from './internal/listing.ts';
export { BlockMessage, catalogTopics, ListingStatus, listingKey, Rejection } from './internal/messages.ts';
export type {
  AdapterContext,
  AdapterResult,
  ExtractedListing,
  ListingRejection,
  SourceAdapter,
  SourceDocument,
  SourceFormat,
} from './internal/adapters/adapter.ts';
export { adapterFor } from './internal/adapters/index.ts';
export { canonicalJson, payloadHash, toRawListings } from './internal/raw-listing.ts';
export {
  FieldMapping,
  loadSourcesFile,
  SourceConfig,
  SourceDefaults,
  SourcesFile,
} from './internal/sources-config.ts';
export { normaliseListing } from './internal/normalise/normalise-listing.ts';
export type { NormaliseResult } from './internal/normalise/normalise-listing.ts';
export { addListing, blockKey, removeListing } from './internal/dedup/block.ts';
export type { BlockChange, Cluster, DedupBlock } from './internal/dedup/block.ts';
export { canonicalEvent } from './internal/dedup/canonical.ts';
export { DEDUP, scoreMatch } from './internal/dedup/score.ts';
export { evaluateMerge } from './internal/dedup/evaluate.ts';
export { DEFAULT_HORIZON_DAYS, importDocument, ImportError } from './internal/importer.ts';
export type { ImportOptions, ImportResult, ImportSource } from './internal/importer.ts';
export { publishImport } from './internal/publish.ts';
export { detectFormat } from './internal/detect-format.ts';
export { importSources, OfflinePipeline } from './internal/offline.ts';
export type { OfflineCatalogue } from './internal/offline.ts';
export { runImport } from './internal/run-import.ts';
export type { SourceRuns } from './internal/run-import.ts';

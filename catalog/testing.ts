/** Test helpers of the catalogue, for tests outside `catalog/` (jobs). */
export { rawListing } from './internal/test-raw-listings.ts';

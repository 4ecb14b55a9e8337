import type { SourceAdapter, SourceFormat } from './adapter.ts';
import { icalAdapter } from './ical.ts';
import { jsonldAdapter } from './jsonld.ts';
import { csvAdapter, jsonAdapter } from './mapped.ts';

const adapters: Record<SourceFormat, SourceAdapter> = {
  ics: icalAdapter,
  jsonld: jsonldAdapter,
  json: jsonAdapter,
  csv: csvAdapter,
};

export const adapterFor = (format: SourceFormat): SourceAdapter => adapters[format];

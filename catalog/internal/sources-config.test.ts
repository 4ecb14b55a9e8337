import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FieldMapping, loadSourcesFile } from './sources-config.ts';

const shipped = fileURLToPath(new URL('../../configs/sources.yaml', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'sources-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function loadText(yaml: string): () => unknown {
  const path = join(scratch, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  return () => loadSourcesFile(path);
}

describe('the shipped configs/sources.yaml', () => {
  const { sources } = loadSourcesFile(shipped);

  it('lists the eight fixture sources with their formats and priorities', () => {
    expect(sources.map((s) => [s.name, s.format, s.priority])).toEqual([
      ['berlin-buehnen', 'ics', 10],
      ['berlin-museen', 'ics', 10],
      ['paris-agenda', 'ics', 5],
      ['kulturkalender-berlin', 'jsonld', 5],
      ['paris-sorties', 'jsonld', 5],
      ['madrid-agenda', 'jsonld', 5],
      ['ticketing-api', 'json', 0],
      ['madrid-export', 'csv', 5],
    ]);
  });

  it('points every source at a file that exists relative to the config file', () => {
    for (const s of sources) {
      expect(s.url).toBeUndefined();
      expect(existsSync(resolve(dirname(shipped), s.path!)), s.name).toBe(true);
    }
  });

  it('gives single-city sources their zone, country and city, and the aggregator none', () => {
    const byName = new Map(sources.map((s) => [s.name, s]));
    expect(byName.get('madrid-export')!.defaults).toEqual({
      timezone: 'Europe/Madrid',
      country: 'ES',
      city: 'Madrid',
      currency: 'EUR',
      language: 'es',
    });
    expect(byName.get('ticketing-api')!.defaults).toEqual({ currency: 'EUR', language: 'en' });
  });

  it('maps the CSV export with its delimiter, date formats and decimal comma', () => {
    const mapping = sources.find((s) => s.name === 'madrid-export')!.mapping!;
    expect(mapping).toMatchObject({
      delimiter: ';',
      dateFormat: 'dd/MM/yyyy',
      timeFormat: 'HH:mm',
      decimalSeparator: ',',
    });
    expect(mapping.fields).toMatchObject({ start: 'fecha', startTime: 'hora', 'venue.lat': 'lat' });
    const api = sources.find((s) => s.name === 'ticketing-api')!.mapping!;
    expect(api.records).toBe('data.events');
    expect(api.fields['venue.lat']).toBe('venue.geo.lat');
  });
});

describe('loadSourcesFile', () => {
  const json = (mapping: string) =>
    `sources:\n  - name: api\n    format: json\n    path: a.json\n    mapping:\n${mapping}`;

  it('names a misspelt mapping field and the missing title', () => {
    expect(loadText(json('      fields: { titel: name, start: when }'))).toThrow(
      'sources.0.mapping.fields.title: Invalid input: expected string, received undefined; ' +
        'sources.0.mapping.fields: Unrecognized key: "titel"',
    );
  });

  it('names a decimal separator that is neither a dot nor a comma', () => {
    expect(loadText(json("      decimalSeparator: ';'\n      fields: { title: t, start: s }"))).toThrow(
      'sources.0.mapping.decimalSeparator: Invalid option: expected one of "."|","',
    );
  });

  it('refuses an end time column without an end date column, naming endTime', () => {
    expect(loadText(json('      fields: { title: t, start: s, endTime: h }'))).toThrow(
      'sources.0.mapping.fields.endTime: endTime needs end (the column with the end date)',
    );
  });

  it('names the field of a bad value outside the mapping', () => {
    expect(loadText('sources:\n  - name: x\n    format: ics\n    path: a.ics\n    priority: high\n')).toThrow(
      'sources.0.priority: Invalid input: expected number, received string',
    );
  });
});

describe('FieldMapping', () => {
  it('accepts a mapping with only title and start', () => {
    expect(FieldMapping.safeParse({ fields: { title: 'a', start: 'b' } }).success).toBe(true);
  });

  it('refuses an empty field path', () => {
    const parsed = FieldMapping.safeParse({ fields: { title: '', start: 'b' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['fields', 'title']);
  });
});

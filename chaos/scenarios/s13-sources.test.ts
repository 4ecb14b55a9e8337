import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDocument } from '../../catalog/index.ts';
import {
  importAll,
  importSource,
  judge,
  SOURCE_MAX_BYTES,
  SOURCE_TIMEOUT_MS,
  sourceCases,
  sourcesNetwork,
  sourceUrl,
  startSourceServer,
  type SourceServer,
} from './s13-sources.ts';

let server: SourceServer;
const now = Date.now();

beforeAll(async () => {
  server = await startSourceServer(now);
});
afterAll(async () => {
  await server.close();
});

const opts = {
  allowPrivate: false,
  timeoutMs: SOURCE_TIMEOUT_MS,
  maxBytes: SOURCE_MAX_BYTES,
  network: sourcesNetwork,
};

describe('scenario 13: misbehaving sources through the importer', () => {
  it('imports the good sources and fails each bad one with its own code and reason, all at once', async () => {
    const cases = sourceCases();
    const outcomes = await importAll(cases, async (c) => {
      const r = await importDocument(sourceUrl(c, server.port), importSource(c.name), opts);
      if (r.status !== 'imported') throw new Error('not modified');
      return { listings: r.listings.length, summary: `${r.listings.length} listings (${r.format})` };
    });
    const problems = outcomes.flatMap((o, i) => judge(cases[i]!, o));
    expect(problems).toEqual([]);
    expect(server.forbiddenHits).toBe(0);
    // Every kind of failure the scenario promises is there.
    const codes = new Set(outcomes.flatMap((o) => (o.ok ? [] : [o.code])));
    expect([...codes].sort()).toEqual(
      [
        'IMPORT_FAILED',
        'bad-encoding',
        'bad-url',
        'forbidden-address',
        'http-status',
        'network',
        'timeout',
        'too-large',
        'too-many-redirects',
      ].sort(),
    );
  });

  it('decodes the latin-1 source: its text is not garbled', async () => {
    const c = sourceCases().find((x) => x.name === 'good-gzip-latin1')!;
    const r = await importDocument(sourceUrl(c, server.port), importSource(c.name), opts);
    expect(r.status).toBe('imported');
    if (r.status !== 'imported') return;
    expect(r.listings.map((l) => l.payload.title)).toContain('Kammerkonzert Nr. 1 im Café Größenwahn');
  });

  it('judges an outcome that contradicts the expectation', () => {
    const [good] = sourceCases();
    const bad = sourceCases().find((c) => c.name === 'hangs')!;
    expect(judge(good!, { name: 'good-ics', ms: 5, ok: false, code: 'timeout', message: 'x' })).toHaveLength(
      1,
    );
    expect(judge(bad, { name: 'hangs', ms: 5, ok: true, listings: 1, summary: '1 listings' })).toHaveLength(
      1,
    );
    expect(
      judge(bad, {
        name: 'hangs',
        ms: 5,
        ok: false,
        code: 'network',
        message: 'no complete response within 3000 ms',
      }),
    ).toHaveLength(1);
    expect(
      judge(bad, { name: 'hangs', ms: 5, ok: false, code: 'timeout', message: 'something else' }),
    ).toHaveLength(1);
  });
});

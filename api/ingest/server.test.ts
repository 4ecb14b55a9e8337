import { describe, expect, it } from 'vitest';
import { IngestConfigError } from './errors.ts';
import { DEV_INGEST_KEY, resolveIngestKeys } from './server.ts';

function recorder() {
  const warnings: string[] = [];
  return {
    warnings,
    log: { info: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined },
  };
}

describe('resolveIngestKeys', () => {
  it('refuses to start in production without keys', () => {
    expect(() => resolveIngestKeys(undefined, 'production', recorder().log)).toThrow(IngestConfigError);
    expect(() => resolveIngestKeys(' , ', 'production', recorder().log)).toThrow(/PULSE_INGEST_KEYS/);
  });

  it('uses only the configured keys in production, without the development key', () => {
    expect(resolveIngestKeys('a, b', 'production', recorder().log)).toEqual(['a', 'b']);
  });

  it('accepts the development key outside production and warns that it does', () => {
    const { log, warnings } = recorder();
    expect(resolveIngestKeys(undefined, 'development', log)).toEqual([DEV_INGEST_KEY]);
    expect(resolveIngestKeys('a', 'test', log)).toEqual(['a', DEV_INGEST_KEY]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(DEV_INGEST_KEY);
  });
});

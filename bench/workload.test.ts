import { describe, expect, it } from 'vitest';
import { CountInput } from '../jobs/count-by-key/job.ts';
import { distinctWorkload, skewedWorkload } from './workload.ts';

const take = (opts: { records: number; keys: number; seed?: number }) => [...skewedWorkload(opts)];

describe('bench workload', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = take({ records: 2000, keys: 500, seed: 7 });
    const b = take({ records: 2000, keys: 500, seed: 7 });
    const c = take({ records: 2000, keys: 500, seed: 8 });
    expect(a).toEqual(b);
    expect(a.map((r) => r.key)).not.toEqual(c.map((r) => r.key));
  });

  it('produces ~300-byte values that count-by-key accepts, keyed by their key field', () => {
    const records = take({ records: 5000, keys: 1000 });
    for (const r of records) {
      const bytes = Buffer.byteLength(r.value);
      expect(bytes).toBeGreaterThanOrEqual(280);
      expect(bytes).toBeLessThanOrEqual(320);
      const parsed = CountInput.parse(JSON.parse(r.value));
      expect(parsed.key).toBe(r.key);
    }
  });

  it('is skewed: a few keys take a large share, yet many keys appear', () => {
    const keys = 10_000;
    const records = take({ records: 100_000, keys });
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
    const sorted = [...counts.values()].sort((x, y) => y - x);
    const top1pct = sorted.slice(0, keys / 100).reduce((s, n) => s + n, 0);
    // Zipf(1.0) over 10k keys: the top 1% of keys hold ~52% of the records (uniform would be 1%).
    expect(top1pct / records.length).toBeGreaterThan(0.4);
    expect(sorted[0]! / records.length).toBeGreaterThan(0.05);
    expect(counts.size).toBeGreaterThan(keys / 2);
  });

  it('has a distinct-key workload with every key exactly once', () => {
    const records = [...distinctWorkload(3000)];
    expect(new Set(records.map((r) => r.key)).size).toBe(3000);
  });
});

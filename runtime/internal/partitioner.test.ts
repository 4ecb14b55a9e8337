import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './partitioner.ts';

describe('murmur2 partitioner', () => {
  it('matches the Java client on its published test vectors', () => {
    // Vectors from Kafka's UtilsTest.testMurmur2.
    const cases: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [input, expected] of cases) expect(murmur2(Buffer.from(input))).toBe(expected);
  });

  it('spreads keys over every partition and is stable', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(partitionForKey(`user-${i}`, 12));
    expect(seen.size).toBe(12);
    expect(partitionForKey('user-1', 12)).toBe(partitionForKey(Buffer.from('user-1'), 12));
  });
});

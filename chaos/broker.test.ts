import { describe, expect, it } from 'vitest';
import { coordinatorPartition, javaHashCode, probeClientIds } from './broker.ts';

describe('group coordinator placement', () => {
  it("computes Java's String.hashCode, overflow included", () => {
    expect(javaHashCode('')).toBe(0);
    expect(javaHashCode('hello')).toBe(99162322);
    expect(javaHashCode('Aa')).toBe(javaHashCode('BB')); // a classic collision: 2112
    expect(javaHashCode('polygenelubricants')).toBe(-2147483648);
  });

  it('places a group as Kafka does, Integer.MIN_VALUE on partition 0', () => {
    expect(coordinatorPartition('hello', 50)).toBe(99162322 % 50);
    expect(coordinatorPartition('polygenelubricants', 12)).toBe(0);
    expect(coordinatorPartition('Aa', 12)).toBe(2112 % 12);
  });

  it('finds probe groups that cover every coordinator partition once', () => {
    for (const n of [1, 12, 50]) {
      const ids = probeClientIds(n).map((id) => `${id}-reader`);
      expect(ids).toHaveLength(n);
      expect(new Set(ids.map((id) => coordinatorPartition(id, n))).size).toBe(n);
    }
  });
});

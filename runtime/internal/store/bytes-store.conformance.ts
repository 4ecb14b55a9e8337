import { describe, expect, it } from 'vitest';
import type { BytesStore } from './bytes-store.ts';

/** One suite, run against every BytesStore implementation. */
export function bytesStoreConformance(name: string, make: () => Promise<BytesStore>): void {
  describe(`${name} (BytesStore conformance)`, () => {
    it('reads back what a batch wrote, and undefined for missing keys', async () => {
      const s = await make();
      await s.write([
        { key: 'a', value: Buffer.from('1') },
        { key: 'b', value: Buffer.from('2') },
      ]);
      expect((await s.get('a'))?.toString()).toBe('1');
      expect(await s.get('zz')).toBeUndefined();
      expect((await s.getMany(['b', 'zz', 'a'])).map((v) => v?.toString())).toEqual(['2', undefined, '1']);
      await s.destroy();
    });

    it('deletes keys in a batch and iterates ranges in key order', async () => {
      const s = await make();
      await s.write(['c', 'a', 'b', 'd'].map((k) => ({ key: k, value: Buffer.from(k) })));
      await s.write([{ key: 'b', value: undefined }]);
      const keys: string[] = [];
      for await (const [k] of s.range({ gte: 'a', lt: 'd' })) keys.push(k);
      expect(keys).toEqual(['a', 'c']);
      await s.destroy();
    });

    it('answers an empty getMany and an empty write without a round trip', async () => {
      const s = await make();
      expect(await s.getMany([])).toEqual([]);
      await s.write([]);
      await s.destroy();
    });
  });
}

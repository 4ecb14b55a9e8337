import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bytesStoreConformance } from './bytes-store.conformance.ts';
import { MemoryStore } from './memory-store.ts';
import { RocksStore } from './rocks-store.ts';

bytesStoreConformance('MemoryStore', async () => {
  const s = new MemoryStore();
  await s.open();
  return s;
});

bytesStoreConformance('RocksStore', async () => {
  const s = new RocksStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rocks-')), 'db'));
  await s.open();
  return s;
});

describe('RocksStore close', () => {
  it('waits for operations in flight, refuses new ones, and opens again', async () => {
    const s = new RocksStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rocks-')), 'db'));
    await s.open();
    await s.write(Array.from({ length: 2000 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(512, i) })));
    // Operations started before close: each must complete, none may touch a closed database.
    const many = s.getMany(Array.from({ length: 2000 }, (_, i) => `k${i}`));
    const size = s.approximateSize();
    const late = s.write([{ key: 'late', value: Buffer.from('x') }]);
    const closed = s.close();
    const values = await many;
    await Promise.all([size, late]);
    expect(values).toHaveLength(2000);
    expect(values[1999]).toEqual(Buffer.alloc(512, 1999 % 256));
    await closed;
    await expect(s.get('k1')).rejects.toThrow(/closed/);
    await s.open();
    expect(await s.get('late')).toEqual(Buffer.from('x'));
    await s.close();
  });
});

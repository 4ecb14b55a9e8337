import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bytesStoreConformance } from './bytes-store.conformance.ts';
import { MemoryStore } from './memory-store.ts';
import { localDamage, RocksStore } from './rocks-store.ts';
import { classify, StateCorruptedError } from '../errors.ts';
import { openTaskStore, storePath } from '../engine/task-state.ts';
import type { AnyJob } from '../api.ts';

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

describe('RocksStore damaged while in use', () => {
  it('turns a corrupt table block into STATE_CORRUPTED, marks the store, and the next open discards it', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocks-damage-'));
    const location = storePath(stateDir, 'j', 's', 0);
    // A small memtable, so the entries land in table files (*.sst), checked only when read.
    const s = new RocksStore(location, { writeBufferSize: 64 * 1024, cacheSize: 0 });
    await s.open();
    for (let b = 0; b < 20; b++)
      await s.write(
        Array.from({ length: 100 }, (_, i) => ({ key: `k${b * 100 + i}`, value: Buffer.alloc(200, i) })),
      );
    await s.close();
    const tables = fs.readdirSync(location).filter((f) => f.endsWith('.sst'));
    expect(tables.length).toBeGreaterThan(0);
    for (const t of tables) {
      const f = path.join(location, t);
      const fd = fs.openSync(f, 'r+');
      fs.writeSync(fd, Buffer.alloc(64, 0x5a), 0, 64, 100); // inside the first data block
      fs.closeSync(fd);
    }

    const damaged = new RocksStore(location, { cacheSize: 0 });
    await damaged.open();
    const err = await damaged.getMany(Array.from({ length: 2000 }, (_, i) => `k${i}`)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StateCorruptedError);
    expect(classify(err, 'dead_letter').action).toBe('fail');
    expect(localDamage(location)).toMatch(/damaged while in use: .*Corruption/);
    await damaged.close();

    const job = { name: 'j' } as AnyJob;
    const opened = await openTaskStore(job, 's', 0, stateDir, {}, 1000);
    expect(opened.discarded).toMatch(/damaged while in use/);
    expect(opened.local).toBeUndefined();
    expect(await opened.cached.bytes.get('k1')).toBeUndefined();
    expect(localDamage(location)).toBeUndefined();
    await opened.cached.bytes.close();
  });
});

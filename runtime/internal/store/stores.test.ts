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

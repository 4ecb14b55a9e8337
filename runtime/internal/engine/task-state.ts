import path from 'node:path';
import type { AnyJob } from '../api.ts';
import type { BatchOp, BytesStore } from '../store/bytes-store.ts';
import { CHECKPOINT_KEY } from '../store/bytes-store.ts';
import { CachedStore, type CacheBudget } from '../store/cached-store.ts';
import { RocksStore, type RocksOptions } from '../store/rocks-store.ts';
import { parseLocalMeta, type LocalMeta } from './checkpoint.ts';

/** Where a task's store lives: `<stateDir>/<job>/<store>/<partition>`. */
export const storePath = (stateDir: string, job: string, store: string, partition: number): string =>
  path.join(stateDir, job, store, String(partition));

export interface OpenedStore {
  name: string;
  cached: CachedStore<unknown>;
  local: LocalMeta | undefined;
  /** Why local state was discarded on open (corrupt files), if it was. */
  discarded?: string;
}

/**
 * Opens a task's RocksDB store. A store that fails to open (corrupt files, truncated WAL) is wiped and
 * recreated: local state is a cache of the changelog and is never trusted when it fails its checks.
 */
export async function openTaskStore(
  job: AnyJob,
  store: string,
  partition: number,
  stateDir: string,
  rocks: RocksOptions,
  maxCachedEntries: CacheBudget | number,
): Promise<OpenedStore> {
  const location = storePath(stateDir, job.name, store, partition);
  let bytes: BytesStore = new RocksStore(location, rocks);
  let discarded: string | undefined;
  let local: LocalMeta | undefined;
  try {
    await bytes.open();
    const raw = await bytes.get(CHECKPOINT_KEY);
    local = parseLocalMeta(raw);
    if (raw && !local) discarded = 'unreadable local checkpoint';
  } catch (err) {
    discarded = `cannot open local state: ${(err as Error).message}`;
    await bytes.destroy().catch(() => undefined);
    bytes = new RocksStore(location, rocks);
    await bytes.open();
  }
  return { name: store, cached: new CachedStore(store, bytes, maxCachedEntries), local, discarded };
}

/** Deletes every entry of the store (keeping the instance open) and returns a fresh one. */
export async function wipeStore(
  s: CachedStore<unknown>,
  rocks: RocksOptions,
  maxCachedEntries: CacheBudget | number,
): Promise<CachedStore<unknown>> {
  const location = s.bytes.location;
  s.release();
  await s.bytes.destroy();
  const bytes = new RocksStore(location, rocks);
  await bytes.open();
  return new CachedStore(s.name, bytes, maxCachedEntries);
}

export function localMetaOp(meta: LocalMeta): BatchOp {
  return { key: CHECKPOINT_KEY, value: Buffer.from(JSON.stringify(meta)) };
}

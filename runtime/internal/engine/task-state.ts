import path from 'node:path';
import type { AnyJob } from '../api.ts';
import type { BatchOp, BytesStore } from '../store/bytes-store.ts';
import { CHECKPOINT_KEY } from '../store/bytes-store.ts';
import { CachedStore, type CacheBudget } from '../store/cached-store.ts';
import { localDamage, RocksStore, type RocksOptions } from '../store/rocks-store.ts';
import { parseLocalMeta, type LocalMeta } from './checkpoint.ts';
import { backoffMs, isTransientStoreError, sleepUnless } from '../errors.ts';

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

/** Waiting out a transient failure to open a store (see {@link openTaskStore}). */
export interface OpenRetry {
  /** Ends the wait: the error is thrown instead. */
  stopped?: () => boolean;
  /** Called before each wait (to log it). */
  onRetry?: (err: Error, attempt: number, delayMs: number, location: string) => void;
}

/**
 * Opens a task's RocksDB store. A store that fails its checks ({@link localDamage}: a damaged
 * write-ahead log, a mark left when it was found damaged in use; or files RocksDB refuses to open) is
 * wiped and recreated: local state is a cache of the changelog, never trusted when it
 * fails its checks.
 * A transient failure (a full disk, a lock still held, any `IO error` that is not damage; see
 * {@link isTransientStoreError}) is no sign of damage: the open is retried with capped backoff until
 * it succeeds or `retry.stopped()` says to give up (then the error is thrown), and the files are kept.
 */
export async function openTaskStore(
  job: AnyJob,
  store: string,
  partition: number,
  stateDir: string,
  rocks: RocksOptions,
  maxCachedEntries: CacheBudget | number,
  retry: OpenRetry = {},
): Promise<OpenedStore> {
  const location = storePath(stateDir, job.name, store, partition);
  // Set once damaged files were destroyed, even if reopening the empty store must then be retried.
  let discarded: string | undefined;
  for (let attempt = 0; ; attempt++) {
    let bytes: BytesStore = new RocksStore(location, rocks);
    try {
      let local: LocalMeta | undefined;
      try {
        const damage = localDamage(location);
        if (damage !== undefined) throw new Error(damage);
        await bytes.open();
        const raw = await bytes.get(CHECKPOINT_KEY);
        local = parseLocalMeta(raw);
        if (raw && !local) discarded ??= 'unreadable local checkpoint';
      } catch (err) {
        if (isTransientStoreError(err)) throw err;
        discarded = `cannot open local state: ${(err as Error).message}`;
        await bytes.destroy().catch(() => undefined);
        bytes = new RocksStore(location, rocks);
        await bytes.open();
      }
      return { name: store, cached: new CachedStore(store, bytes, maxCachedEntries), local, discarded };
    } catch (err) {
      await bytes.close().catch(() => undefined);
      if (!isTransientStoreError(err) || retry.stopped?.()) throw err;
      const delay = backoffMs(attempt);
      retry.onRetry?.(err as Error, attempt + 1, delay, location);
      await sleepUnless(delay, retry.stopped ?? (() => false));
    }
  }
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

/**
 * The bytes-level store under every key-value store: string keys, Buffer values, atomic batches.
 * Two implementations: RocksDB on disk (`rocks-store.ts`, the runtime) and LevelDB-in-memory
 * (`memory-store.ts`, the test driver). Both pass `bytes-store.conformance.ts`.
 */
export interface BatchOp {
  key: string;
  /** `undefined` deletes the key. */
  value: Buffer | undefined;
}

export interface BytesStore {
  readonly location: string;
  open(): Promise<void>;
  /** Values for `keys`, in order; `undefined` for missing keys. One round trip for the whole list. */
  getMany(keys: string[]): Promise<Array<Buffer | undefined>>;
  get(key: string): Promise<Buffer | undefined>;
  /** Applies every op atomically (all or nothing, also across a crash). */
  write(ops: BatchOp[]): Promise<void>;
  /** Entries with `gte <= key < lt`, in key order. */
  range(opts?: { gte?: string; lt?: string }): AsyncIterable<[string, Buffer]>;
  /** Approximate bytes on disk (0 in memory). */
  approximateSize(): Promise<number>;
  close(): Promise<void>;
  /** Closes the store and deletes everything in it. */
  destroy(): Promise<void>;
}

/** Keys starting with NUL are the runtime's own (checkpoint metadata); job keys may not start with it. */
export const META_PREFIX = '\u0000pulse:';
export const CHECKPOINT_KEY = `${META_PREFIX}checkpoint`;

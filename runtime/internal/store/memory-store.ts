import { MemoryLevel } from 'memory-level';
import type { BatchOp, BytesStore } from './bytes-store.ts';

/** An in-memory store from the level family, for the test driver and unit tests. */
export class MemoryStore implements BytesStore {
  private db = new MemoryLevel<string, Buffer>({ keyEncoding: 'utf8', valueEncoding: 'buffer' });

  constructor(readonly location: string = 'memory') {}

  async open(): Promise<void> {
    await this.db.open();
  }

  async get(key: string): Promise<Buffer | undefined> {
    return (await this.db.get(key)) ?? undefined;
  }

  async getMany(keys: string[]): Promise<Array<Buffer | undefined>> {
    if (keys.length === 0) return [];
    return (await this.db.getMany(keys)).map((v) => v ?? undefined);
  }

  async write(ops: BatchOp[]): Promise<void> {
    if (ops.length === 0) return;
    await this.db.batch(
      ops.map((o) =>
        o.value === undefined
          ? { type: 'del' as const, key: o.key }
          : { type: 'put' as const, key: o.key, value: o.value },
      ),
    );
  }

  async *range(opts: { gte?: string; lt?: string } = {}): AsyncIterable<[string, Buffer]> {
    for await (const [k, v] of this.db.iterator(opts)) yield [k, v];
  }

  approximateSize(): Promise<number> {
    return Promise.resolve(0);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async destroy(): Promise<void> {
    await this.db.clear();
    await this.db.close();
  }
}

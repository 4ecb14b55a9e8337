import type { AnyJob, GlobalTable } from './api.ts';

/** One in-memory global table: the latest valid value per key of a compacted topic. */
export class MemoryGlobalTable<V> implements GlobalTable<V> {
  private readonly map = new Map<string, V>();
  invalid = 0;

  constructor(
    readonly name: string,
    readonly topic: string,
    private readonly parse: (v: unknown) => { success: true; data: V } | { success: false },
  ) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  get size(): number {
    return this.map.size;
  }

  /** Applies one record of the topic: a tombstone deletes; an invalid value is counted and skipped. */
  apply(key: string, value: Buffer | null): void {
    if (value === null || value.length === 0) {
      this.map.delete(key);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(value.toString('utf8'));
    } catch {
      this.invalid++;
      return;
    }
    const r = this.parse(json);
    if (r.success) this.map.set(key, r.data);
    else this.invalid++;
  }
}

/** The global tables of a job, by name and by topic. Shared by all tasks of the job in a worker. */
export class GlobalTables {
  readonly byName = new Map<string, MemoryGlobalTable<unknown>>();
  readonly byTopic = new Map<string, MemoryGlobalTable<unknown>>();

  constructor(job: AnyJob) {
    for (const [name, spec] of Object.entries(job.globals)) {
      const t = new MemoryGlobalTable<unknown>(name, spec.topic, (v) => spec.schema.safeParse(v));
      this.byName.set(name, t);
      this.byTopic.set(spec.topic, t);
    }
  }

  get(name: string): MemoryGlobalTable<unknown> {
    const t = this.byName.get(name);
    if (!t) throw new TypeError(`no global table named "${name}"`);
    return t;
  }
}

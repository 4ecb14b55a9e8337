/**
 * Scenario 4: a worker's local state deleted, truncated or corrupted while it is down.
 *
 * Local state is RocksDB, one instance per task and store under
 * `<stateDir>/<job>/<store>/<partition>/` (runtime/internal/engine/task-state.ts), holding the store's
 * entries and its local checkpoint (the epoch, changelog end and input offsets it covers) in the
 * same write batches. It is a cache of the changelog: whatever is left of it, the restarted worker
 * must come back with exact state (restoring from the changelog what it cannot trust), neither
 * crash-looping nor serving what the damage left. Rounds, each on the next worker:
 * - deleted: SIGTERM, then the whole state directory removed;
 * - truncated: kill -9, then in each store the write-ahead log, the tables, the manifest or
 *   `CURRENT` (in turn, store by store) cut to a random fraction;
 * - corrupted: kill -9, then random bytes written over random places of those files.
 * Once each in the short form (truncation and corruption at the same time, on two workers), twice
 * each in the full form.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChaosContext, ChaosWorker, Scenario } from '../types.ts';

type Damage = 'deleted' | 'truncated' | 'corrupted';

/** Directories of RocksDB instances (they hold a `CURRENT` file) under `dir`. */
export function storeDirs(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === 'CURRENT')) out.push(d);
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(dir);
  return out.sort();
}

/**
 * What a damage round hits in the i-th store, in turn: the write-ahead log (`*.log`, replayed at
 * open; two stores of five, as the newest writes live there), the tables (`*.sst`, checked when a
 * block is read), the manifest (`MANIFEST-*`, read at open) or `CURRENT` (names the manifest). A
 * store without tables gets its log hit instead.
 */
function targets(dir: string, i: number): string[] {
  const files = fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).size > 0);
  const pick = (re: RegExp) => files.filter((f) => re.test(f)).map((f) => path.join(dir, f));
  const wal = pick(/\.log$/);
  switch (i % 5) {
    case 2: {
      const sst = pick(/\.sst$/);
      return sst.length ? sst : wal;
    }
    case 3:
      return pick(/^MANIFEST-/);
    case 4:
      return pick(/^CURRENT$/);
    default:
      return wal;
  }
}

function randomBytes(n: number, random: () => number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
}

/** Applies the damage; returns what it did, for the log. */
export function damage(stateDir: string, kind: Damage, random: () => number): string {
  const stores = storeDirs(stateDir);
  if (kind === 'deleted') {
    fs.rmSync(stateDir, { recursive: true, force: true });
    return `deleted ${stores.length} stores`;
  }
  let files = 0;
  let bytes = 0;
  stores.forEach((dir, i) => {
    for (const f of targets(dir, i)) {
      const size = fs.statSync(f).size;
      files++;
      if (kind === 'truncated') {
        const keep = Math.floor(size * (0.1 + 0.8 * random()));
        fs.truncateSync(f, keep);
        bytes += size - keep;
      } else {
        const fd = fs.openSync(f, 'r+');
        try {
          // In a write-ahead log, the newer half: the latest writes of the keys, which nothing
          // written later covers up (corruption there must not go unnoticed).
          const from = f.endsWith('.log') ? Math.floor(size / 2) : 0;
          for (let k = 0; k < 4; k++) {
            const n = Math.min(size - from, 16 + Math.floor(random() * 48));
            const at = from + Math.floor(random() * Math.max(1, size - from - n));
            fs.writeSync(fd, randomBytes(n, random), 0, n, at);
            bytes += n;
          }
        } finally {
          fs.closeSync(fd);
        }
      }
    }
  });
  return `${kind} ${files} files of ${stores.length} stores (${bytes} bytes)`;
}

/** One round: the workers go down together, are damaged one after another (so the seeded random
 * choices do not depend on timing), and come back together. */
async function round(
  ctx: ChaosContext,
  hits: Array<{ w: ChaosWorker; kind: Damage; n: number }>,
): Promise<void> {
  await Promise.all(hits.map(({ w, kind }) => (kind === 'deleted' ? w.stop(30_000) : w.kill())));
  for (const { w, kind } of hits) {
    if (storeDirs(w.stateDir).length === 0)
      throw new Error(`${w.id} had no local state to damage (${w.stateDir})`);
    const what = damage(w.stateDir, kind, () => ctx.random());
    ctx.log(`${w.id} down; ${what} at ${(ctx.progress() * 100).toFixed(0)} % of the load`);
  }
  await ctx.sleep(500 + Math.floor(ctx.random() * 1500));
  for (const { w } of hits) w.start();
  await Promise.all(hits.map(({ w }) => w.waitReady(180_000)));
  for (const { w, kind, n } of hits) ctx.faultEnded(`state ${kind} on ${w.id} (#${n})`);
}

export const scenario: Scenario = {
  id: 4,
  name: 'local state deleted, truncated or corrupted while a worker is down',
  // Back in the short form since write-ahead logs are checked before a store opens
  // (runtime/internal/store/wal-check.ts): RocksDB, with the binding's paranoid checks off, skipped
  // a corrupted block and kept later batches, and users came out short.
  inShort: true,
  async run(ctx) {
    // Short form: the deletion, then truncation and corruption on two workers at once (the third
    // keeps running); full form: six rounds one after another.
    const plan: Damage[][] = ctx.short
      ? [['deleted'], ['truncated', 'corrupted']]
      : [['deleted'], ['truncated'], ['corrupted'], ['deleted'], ['truncated'], ['corrupted']];
    let n = 0;
    for (let r = 0; r < plan.length; r++) {
      await ctx.untilProgress(0.15 + (0.7 * r) / plan.length);
      const hits = plan[r]!.map((kind) => {
        const w = ctx.workers[n % ctx.workers.length]!;
        n++;
        return { w, kind, n };
      });
      await round(ctx, hits);
    }
  },
};

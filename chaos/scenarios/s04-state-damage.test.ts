import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../workload.ts';
import { damage, storeDirs } from './s04-state-damage.ts';

/** A state directory shaped like a worker's: `<job>/<store>/<partition>/` RocksDB-like file sets. */
function fakeState(root: string, stores: number): string[] {
  const dirs: string[] = [];
  for (let i = 0; i < stores; i++) {
    const dir = path.join(root, 'ns-aggregate-profiles', 'profiles', String(i));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'CURRENT'), 'MANIFEST-000003\n');
    fs.writeFileSync(path.join(dir, 'MANIFEST-000003'), Buffer.alloc(200, 1));
    fs.writeFileSync(path.join(dir, '000004.log'), Buffer.alloc(10_000, 2));
    fs.writeFileSync(path.join(dir, '000005.sst'), Buffer.alloc(5_000, 3));
    fs.writeFileSync(path.join(dir, 'LOG'), 'info log');
    dirs.push(dir);
  }
  return dirs;
}

function snapshot(dirs: string[]): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const d of dirs)
    for (const f of fs.readdirSync(d)) m.set(path.join(d, f), fs.readFileSync(path.join(d, f)));
  return m;
}

describe('state damage', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'chaos-damage-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds every RocksDB instance under a state directory', () => {
    const dirs = fakeState(root, 3);
    expect(storeDirs(root)).toEqual(dirs.sort());
  });

  it('deletes the whole state directory', () => {
    fakeState(root, 2);
    expect(damage(root, 'deleted', mulberry32(1))).toBe('deleted 2 stores');
    expect(fs.existsSync(root)).toBe(false);
  });

  it('truncates the log, tables, manifest or CURRENT of each store in turn, never the info log', () => {
    const dirs = fakeState(root, 5);
    const before = snapshot(dirs);
    damage(root, 'truncated', mulberry32(1));
    const shorter = [...before]
      .filter(([f, b]) => fs.statSync(f).size < b.length)
      .map(([f]) => path.relative(root, f));
    expect(shorter.map((f) => f.split(path.sep).slice(-2).join('/')).sort()).toEqual([
      '0/000004.log',
      '1/000004.log',
      '2/000005.sst',
      '3/MANIFEST-000003',
      '4/CURRENT',
    ]);
    for (const d of dirs) expect(fs.readFileSync(path.join(d, 'LOG'), 'utf8')).toBe('info log');
  });

  it('corrupts bytes in place (same sizes), the same way for the same seed', () => {
    const a = fakeState(path.join(root, 'a'), 5);
    fakeState(path.join(root, 'b'), 5);
    const before = snapshot(a);
    damage(path.join(root, 'a'), 'corrupted', mulberry32(9));
    damage(path.join(root, 'b'), 'corrupted', mulberry32(9));
    const changed = [...before].filter(([f, buf]) => !fs.readFileSync(f).equals(buf));
    expect(changed).toHaveLength(5);
    for (const [f, buf] of changed) expect(fs.statSync(f).size).toBe(buf.length);
    const twin = (f: string) => f.replace(`${path.sep}a${path.sep}`, `${path.sep}b${path.sep}`);
    for (const [f] of before) expect(fs.readFileSync(f).equals(fs.readFileSync(twin(f)))).toBe(true);
  });

  it('hits the newer half of a write-ahead log, where the latest writes are', () => {
    const [dir] = fakeState(root, 1);
    damage(root, 'corrupted', mulberry32(3));
    const log = fs.readFileSync(path.join(dir!, '000004.log'));
    const firstChange = log.findIndex((x) => x !== 2);
    expect(firstChange).toBeGreaterThanOrEqual(5_000);
  });
});

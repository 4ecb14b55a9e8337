import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RocksStore } from './rocks-store.ts';
import { checkWriteAheadLogs } from './wal-check.ts';

/** A real RocksDB with `batches` write batches in its log (one of them larger than a 32 KiB block). */
async function storeWithLog(batches: number): Promise<string> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wal-')), 'db');
  const s = new RocksStore(dir, { writeBufferSize: 64 * 1024 * 1024 });
  await s.open();
  for (let b = 0; b < batches; b++) {
    const size = b === 3 ? 100_000 : b > 10 ? 8_000 : 200;
    await s.write([
      { key: `k${b}`, value: Buffer.alloc(size, b + 1) },
      { key: '__checkpoint', value: Buffer.from(String(b)) },
    ]);
  }
  await s.close();
  return dir;
}

const newestLog = (dir: string): string => {
  const logs = fs.readdirSync(dir).filter((f) => /^\d+\.log$/.test(f));
  logs.sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  return path.join(dir, logs[logs.length - 1]!);
};

describe('checkWriteAheadLogs', () => {
  it('accepts an intact log and counts its batches', async () => {
    const dir = await storeWithLog(20);
    const v = checkWriteAheadLogs(dir);
    expect(v).toMatchObject({ ok: true });
    expect(v.ok && v.records).toBeGreaterThanOrEqual(20);
  });

  it('finds a corrupted record in the middle that RocksDB itself skips, keeping later batches', async () => {
    const dir = await storeWithLog(20);
    const log = newestLog(dir);
    const bytes = fs.readFileSync(log);
    // Inside the payload of batch 10 (its 200-byte value of 11s), well before the log's end.
    const at = bytes.indexOf(Buffer.alloc(200, 11));
    expect(at).toBeGreaterThan(0);
    bytes[at + 50] = bytes[at + 50]! ^ 0xff;
    fs.writeFileSync(log, bytes);

    const v = checkWriteAheadLogs(dir);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toMatch(/checksum mismatch/);

    // Why the check exists: the binding opens with paranoid checks off, and RocksDB drops the rest
    // of the 32 KiB block that holds batch 10, then replays the blocks after it: batch 19 and its
    // checkpoint survive, vouching for a state without batch 10.
    const s = new RocksStore(dir);
    await s.open();
    expect(await s.get('k10')).toBeUndefined();
    expect(await s.get('k19')).toEqual(Buffer.alloc(8_000, 20));
    expect((await s.get('__checkpoint'))?.toString()).toBe('19');
    await s.close();
  });

  it('accepts the newest log cut off inside a record (a consistent older state remains)', async () => {
    const dir = await storeWithLog(20);
    const log = newestLog(dir);
    const size = fs.statSync(log).size;
    fs.truncateSync(log, size - 100);
    expect(checkWriteAheadLogs(dir)).toMatchObject({ ok: true });
  });

  it('rejects garbage over record headers, and a missing directory is no damage', async () => {
    const dir = await storeWithLog(20);
    const log = newestLog(dir);
    const fd = fs.openSync(log, 'r+');
    fs.writeSync(fd, Buffer.alloc(16, 0xab), 0, 16, Math.floor(fs.statSync(log).size / 2));
    fs.closeSync(fd);
    expect(checkWriteAheadLogs(dir).ok).toBe(false);
    expect(checkWriteAheadLogs(path.join(dir, 'absent'))).toMatchObject({ ok: true, logs: 0 });
  });
});

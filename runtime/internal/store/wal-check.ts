/**
 * Checks a RocksDB instance's write-ahead logs before it is opened.
 *
 * The `rocksdb` binding opens databases with `paranoid_checks` off, and with it off RocksDB's
 * recovery skips a corrupted record in the middle of a log and replays the batches after it. Our
 * local checkpoint is written in the same batch as the entries it covers, so a later, intact batch
 * would vouch for a state that silently misses the entries of the skipped one. This reads every
 * physical record of every log and verifies its CRC32C, as RocksDB's `log::Reader` would with
 * paranoid checks on; a store that fails is not trusted and is restored from its changelog.
 *
 * Format (RocksDB `db/log_format.h`): 32 KiB blocks of records; a header of checksum (4 bytes,
 * masked CRC32C of the type byte, [log number,] payload), length (2), type (1)[, log number (4) for
 * the recyclable types 5–8]; fewer than a header's bytes at the end of a block are zero padding.
 *
 * What counts as damage: a bad checksum, a length running past its block, an unknown type, a
 * fragment out of order, or non-zero bytes where a log's written part ends. A log that simply ends
 * inside a record (the tail cut off) loses only its newest batches, the local checkpoint with them,
 * so what remains is a consistent older state; that is accepted in the newest log only, as an older
 * log cut short would be followed by newer batches.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Crc32c } from '@aws-crypto/crc32c';

const BLOCK = 32768;
const HEADER = 7;
const RECYCLABLE_HEADER = 11;
const MASK_DELTA = 0xa282ead8;

export type WalVerdict = { ok: true; logs: number; records: number } | { ok: false; reason: string };

const unmask = (masked: number): number => {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
};

const allZero = (buf: Buffer, from: number): boolean => {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
};

/** Verifies one log's bytes; `newest` allows its tail to be cut off. */
export function checkLogBytes(buf: Buffer, newest: boolean): { records: number } | { reason: string } {
  let records = 0;
  let inFragment = false;
  let pos = 0;
  while (pos < buf.length) {
    const left = BLOCK - (pos % BLOCK);
    if (left < HEADER) {
      // Block trailer: zero padding (or the end of the file).
      const end = Math.min(buf.length, pos + left);
      for (let i = pos; i < end; i++) if (buf[i] !== 0) return { reason: `non-zero block trailer at ${i}` };
      pos = end;
      continue;
    }
    if (buf.length - pos < HEADER) {
      if (!newest) return { reason: `log cut inside a record header at ${pos}` };
      return { records };
    }
    const length = buf.readUInt16LE(pos + 4);
    const type = buf[pos + 6]!;
    if (type === 0) {
      // Preallocated space: the written part of the log ended here.
      if (allZero(buf, pos)) return { records };
      return { reason: `zero record type followed by data at ${pos}` };
    }
    if (type > 8) return { reason: `unknown record type ${type} at ${pos}` };
    const headerSize = type >= 5 ? RECYCLABLE_HEADER : HEADER;
    if (headerSize + length > left)
      return { reason: `record at ${pos} runs past its block (length ${length})` };
    if (pos + headerSize + length > buf.length) {
      if (!newest) return { reason: `log cut inside a record at ${pos}` };
      return { records };
    }
    const crc = new Crc32c()
      .update(buf.subarray(pos + 6, pos + headerSize))
      .update(buf.subarray(pos + headerSize, pos + headerSize + length))
      .digest();
    if (crc >>> 0 !== unmask(buf.readUInt32LE(pos)))
      return { reason: `checksum mismatch in the record at ${pos}` };
    const kind = ((type - 1) % 4) + 1; // 1 full, 2 first, 3 middle, 4 last (recyclable types alike)
    if ((kind === 1 || kind === 2) && inFragment)
      return { reason: `fragmented record interrupted at ${pos}` };
    if ((kind === 3 || kind === 4) && !inFragment) return { reason: `fragment without its start at ${pos}` };
    inFragment = kind === 2 || kind === 3;
    if (kind === 1 || kind === 4) records++;
    pos += headerSize + length;
  }
  return { records };
}

/** Checks every `<number>.log` in a RocksDB directory (none there, or no directory, is fine). */
export function checkWriteAheadLogs(dir: string): WalVerdict {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((f) => /^\d+\.log$/.test(f));
  } catch {
    return { ok: true, logs: 0, records: 0 };
  }
  names.sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  let records = 0;
  for (const [i, name] of names.entries()) {
    const result = checkLogBytes(fs.readFileSync(path.join(dir, name)), i === names.length - 1);
    if ('reason' in result) return { ok: false, reason: `write-ahead log ${name}: ${result.reason}` };
    records += result.records;
  }
  return { ok: true, logs: names.length, records };
}

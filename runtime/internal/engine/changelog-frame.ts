/**
 * The value of a changelog record that sets a key: a 14-byte frame, then the store's value bytes.
 *
 *     byte 0      0x00 (no JSON text starts with it, so unframed values of older changelogs are told apart)
 *     byte 1      frame version, 1
 *     bytes 2-5   the writer's epoch (uint32, big-endian): a restore skips records of fenced epochs
 *     bytes 6-13  the input offset that last wrote the entry (float64, big-endian; -1 for a repair)
 *
 * The epoch used to travel in record headers (`pulse.epoch`, `pulse.src`). The Kafka client turns
 * every header of every message it delivers into a JavaScript object and a Buffer, which made
 * headers half the CPU cost of reading a changelog (11-15 µs per record with one header against
 * 7 µs without, 200,000 530-byte records). A restore reads millions of them.
 *
 * Deletes stay tombstones (a null value, which compaction needs) and keep the epoch in the
 * `pulse.epoch` header, as do claim markers; a restore still reads unframed values with headers,
 * so changelogs written before frames restore unchanged.
 */
import { EPOCH_HEADER, SOURCE_OFFSET_HEADER } from './checkpoint.ts';

export const FRAME_BYTES = 14;
const MAGIC = 0x00;
const VERSION = 1;
const MAX_EPOCH = 0xffff_ffff;

/** Writes the frame into the first {@link FRAME_BYTES} bytes of `buf` (the value follows them). */
export function writeFrame(buf: Buffer, epoch: number, src: number): void {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH)
    throw new RangeError(`epoch ${epoch} does not fit a changelog frame`);
  buf[0] = MAGIC;
  buf[1] = VERSION;
  buf.writeUInt32BE(epoch, 2);
  buf.writeDoubleBE(src, 6);
}

/** A framed copy of `value`. */
export function frame(value: Buffer, epoch: number, src: number): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_BYTES + value.length);
  writeFrame(buf, epoch, src);
  value.copy(buf, FRAME_BYTES);
  return buf;
}

/** Whether a changelog value carries a frame. */
export function isFramed(value: Buffer): boolean {
  return value.length >= FRAME_BYTES && value[0] === MAGIC && value[1] === VERSION;
}

/** The writer's epoch of a framed value. */
export function frameEpoch(value: Buffer): number {
  return value.readUInt32BE(2);
}

/** The input offset that last wrote a framed value's entry. */
export function frameSource(value: Buffer): number {
  return value.readDoubleBE(6);
}

/** The store's bytes of a framed value (a view, not a copy). */
export function framePayload(value: Buffer): Buffer {
  return value.subarray(FRAME_BYTES);
}

/** The headers of a changelog record without a frame (a tombstone): its writer's epoch and source. */
export function epochHeaders(epoch: number, src: number): Record<string, string> {
  return { [EPOCH_HEADER]: String(epoch), [SOURCE_OFFSET_HEADER]: String(src) };
}

/** The writer's epoch of a changelog record: its frame's, else its `pulse.epoch` header's, else none. */
export function writerEpoch(m: {
  value?: Buffer | null | undefined;
  headers?: ReadonlyArray<Record<string, unknown>> | undefined;
}): number | undefined {
  if (m.value && isFramed(m.value)) return frameEpoch(m.value);
  if (!m.headers?.length) return undefined;
  // The last header of that name, without decoding the others (restore's hot loop).
  let v: unknown;
  for (const entry of m.headers) if (Object.hasOwn(entry, EPOCH_HEADER)) v = entry[EPOCH_HEADER];
  return Buffer.isBuffer(v) || typeof v === 'string' ? Number(v.toString()) : undefined;
}

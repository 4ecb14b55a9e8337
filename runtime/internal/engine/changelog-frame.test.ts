import { describe, expect, it } from 'vitest';
import {
  frame,
  frameEpoch,
  framePayload,
  frameSource,
  FRAME_BYTES,
  isFramed,
  writeFrame,
} from './changelog-frame.ts';
import { CachedStore } from '../store/cached-store.ts';
import { MemoryStore } from '../store/memory-store.ts';

describe('changelog frame', () => {
  it('carries the epoch and source offset before the value, and gives the value back as it was', () => {
    const value = Buffer.from(JSON.stringify({ userId: 'ü-1', weights: { concert: 1.5 } }));
    const f = frame(value, 4_000_000_000, 9_007_199_254_740_991);
    expect(f.length).toBe(FRAME_BYTES + value.length);
    expect(isFramed(f)).toBe(true);
    expect(frameEpoch(f)).toBe(4_000_000_000);
    expect(frameSource(f)).toBe(9_007_199_254_740_991);
    expect(framePayload(f).equals(value)).toBe(true);
    expect(frameSource(frame(value, 0, -1))).toBe(-1);
  });

  it('tells unframed values of older changelogs apart: no JSON text starts with a NUL byte', () => {
    for (const v of ['{"a":1}', '"s"', '1', 'true', 'null', '[]', ' {"a":1}'])
      expect(isFramed(Buffer.from(v))).toBe(false);
    expect(isFramed(Buffer.from([0, 1, 0]))).toBe(false); // too short for a frame
    expect(isFramed(Buffer.alloc(0))).toBe(false);
  });

  it('refuses an epoch the frame cannot hold', () => {
    const b = Buffer.alloc(FRAME_BYTES);
    expect(() => writeFrame(b, -1, 0)).toThrow(/epoch -1/);
    expect(() => writeFrame(b, 2 ** 32, 0)).toThrow(RangeError);
    expect(() => writeFrame(b, 1.5, 0)).toThrow(RangeError);
  });

  it('is filled in place in the headroom a store leaves before each serialised value', () => {
    const s = new CachedStore<{ n: number; s: string }>('s', new MemoryStore(), 100);
    s.put('a', { n: 1, s: 'é' });
    s.commitRecord(7);
    s.delete('b');
    s.commitRecord(8);
    const [a, b] = s.takeDirty(FRAME_BYTES);
    expect(b).toMatchObject({ key: 'b', bytes: undefined, src: 8 });
    expect(b!.framed).toBeUndefined();
    writeFrame(a!.framed!, 3, a!.src);
    expect(frameEpoch(a!.framed!)).toBe(3);
    expect(frameSource(a!.framed!)).toBe(7);
    expect(JSON.parse(framePayload(a!.framed!).toString())).toEqual({ n: 1, s: 'é' });
    // The store's own bytes (what RocksDB keeps) are the value alone.
    expect(a!.bytes!.toString()).toBe('{"n":1,"s":"é"}');
  });
});

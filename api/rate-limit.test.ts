import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './rate-limit.ts';

describe('createTokenBucket', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    let now = 0;
    const limiter = createTokenBucket({ ratePerSec: 2, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('k').allowed)).toEqual([true, true, true]);
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterMs: 500 });
    now = 500;
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);
  });

  it('keeps one bucket per key', () => {
    const limiter = createTokenBucket({ ratePerSec: 1, burst: 1, now: () => 0 });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('never refills beyond the burst', () => {
    let now = 0;
    const limiter = createTokenBucket({ ratePerSec: 100, burst: 2, now: () => now });
    limiter.take('k');
    now = 60_000;
    expect(limiter.take('k')).toEqual({ allowed: true, remaining: 1 });
    expect(limiter.take('k')).toEqual({ allowed: true, remaining: 0 });
    expect(limiter.take('k').allowed).toBe(false);
  });

  it('refuses a nonsensical configuration', () => {
    expect(() => createTokenBucket({ ratePerSec: 0, burst: 1, now: () => 0 })).toThrow(RangeError);
    expect(() => createTokenBucket({ ratePerSec: 1, burst: 0, now: () => 0 })).toThrow(RangeError);
  });
});

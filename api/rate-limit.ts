/**
 * A token bucket per credential: `burst` tokens at most, refilled at `ratePerSec`. Pure apart from
 * the injected clock, so tests drive time by hand.
 */
export interface RateLimiterOptions {
  ratePerSec: number;
  burst: number;
  /** Milliseconds from any fixed origin (Date.now, performance.now, a fake). */
  now: () => number;
}

export type TakeResult = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number };

export interface RateLimiter {
  /** Takes `cost` tokens from `key`'s bucket, or says how long until they are available. */
  take(key: string, cost?: number): TakeResult;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createTokenBucket(opts: RateLimiterOptions): RateLimiter {
  if (!(opts.ratePerSec > 0)) throw new RangeError('ratePerSec must be positive');
  if (!(opts.burst >= 1)) throw new RangeError('burst must be at least 1');
  const buckets = new Map<string, Bucket>();
  const perMs = opts.ratePerSec / 1000;
  return {
    take(key, cost = 1) {
      const now = opts.now();
      let b = buckets.get(key);
      if (!b) {
        b = { tokens: opts.burst, at: now };
        buckets.set(key, b);
      } else {
        b.tokens = Math.min(opts.burst, b.tokens + Math.max(0, now - b.at) * perMs);
        b.at = now;
      }
      if (b.tokens >= cost) {
        b.tokens -= cost;
        return { allowed: true, remaining: Math.floor(b.tokens) };
      }
      return { allowed: false, retryAfterMs: Math.ceil((cost - b.tokens) / perMs) };
    },
  };
}

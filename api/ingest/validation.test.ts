import { describe, expect, it } from 'vitest';
import { MAX_BATCH_EVENTS, validateBatch, validateEvent } from './validation.ts';

const NOW = 1_714_060_800_000;
const opts = { now: NOW, newId: () => 'generated-id' };
const good = { userId: 'u1', eventType: 'view', timestamp: NOW - 1000, context: { page: 'home' } };

const errorsOf = (raw: unknown) => {
  const r = validateEvent(raw, opts);
  if (r.ok) throw new Error('expected a rejection');
  return r.errors;
};

describe('validateEvent', () => {
  it('normalises a valid event: eventId assigned, eventType upper-cased', () => {
    expect(validateEvent(good, opts)).toEqual({
      ok: true,
      event: {
        eventId: 'generated-id',
        userId: 'u1',
        eventType: 'VIEW',
        timestamp: NOW - 1000,
        context: { page: 'home' },
      },
    });
  });

  it('keeps a client eventId and defaults context to {}', () => {
    const r = validateEvent({ eventId: 'e1', userId: 'u1', eventType: 'Like', timestamp: NOW }, opts);
    expect(r).toEqual({
      ok: true,
      event: { eventId: 'e1', userId: 'u1', eventType: 'LIKE', timestamp: NOW, context: {} },
    });
  });

  it('names an unknown top-level field', () => {
    expect(errorsOf({ ...good, extra: 1 })).toEqual([{ path: 'extra', message: 'unknown field "extra"' }]);
  });

  it('names an unknown field inside context', () => {
    expect(errorsOf({ ...good, context: { colour: 'red' } })).toEqual([
      { path: 'context.colour', message: 'unknown field "colour"' },
    ]);
  });

  it('says a timestamp in seconds looks like seconds', () => {
    expect(errorsOf({ ...good, timestamp: Math.floor(NOW / 1000) })).toEqual([
      { path: 'timestamp', message: 'timestamp looks like seconds; send epoch milliseconds' },
    ]);
  });

  it('rejects a timestamp more than 24 h in the future', () => {
    expect(errorsOf({ ...good, timestamp: NOW + 25 * 3600_000 })[0]).toMatchObject({ path: 'timestamp' });
    expect(validateEvent({ ...good, timestamp: NOW + 23 * 3600_000 }, opts).ok).toBe(true);
  });

  it('rejects an empty or oversized userId', () => {
    expect(errorsOf({ ...good, userId: '' })).toEqual([
      { path: 'userId', message: 'userId must not be empty' },
    ]);
    expect(errorsOf({ ...good, userId: 'x'.repeat(129) })).toEqual([
      { path: 'userId', message: 'userId must be at most 128 characters' },
    ]);
  });

  it('names wrong types and missing fields', () => {
    const errors = errorsOf({ userId: 5, eventType: 'VIEW' });
    expect(errors.map((e) => e.path).sort()).toEqual(['timestamp', 'userId']);
    expect(errors.find((e) => e.path === 'timestamp')!.message).toBe('timestamp is required');
  });

  it('rejects an unknown eventType and wrong context types', () => {
    expect(errorsOf({ ...good, eventType: 'teleport' })[0]!.path).toBe('eventType');
    expect(errorsOf({ ...good, context: { lat: 'north' } })[0]!.path).toBe('context.lat');
  });

  it('rejects a body that is not an object', () => {
    expect(errorsOf([good])).toEqual([{ path: '', message: 'an event must be a JSON object' }]);
    expect(errorsOf(null)[0]!.path).toBe('');
  });
});

describe('validateBatch', () => {
  it('accepts valid items even when others are rejected, with their indexes', () => {
    const r = validateBatch([good, { ...good, userId: '' }, good], opts);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.result.accepted.map((a) => a.index)).toEqual([0, 2]);
    expect(r.result.rejected).toEqual([
      { index: 1, errors: [{ path: 'userId', message: 'userId must not be empty' }] },
    ]);
  });

  it('rejects a non-array, an empty array and more than the maximum as a whole', () => {
    expect(validateBatch(good, opts).ok).toBe(false);
    expect(validateBatch([], opts).ok).toBe(false);
    expect(
      validateBatch(
        Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => good),
        opts,
      ).ok,
    ).toBe(false);
    expect(
      validateBatch(
        Array.from({ length: MAX_BATCH_EVENTS }, () => good),
        opts,
      ).ok,
    ).toBe(true);
  });
});

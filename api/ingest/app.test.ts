import { describe, expect, it } from 'vitest';
import type { UserEvent } from '../../model/index.ts';
import { BATCH_MAX_BYTES, createIngestApp, SINGLE_EVENT_MAX_BYTES, type Publish } from './app.ts';
import { createTokenBucket } from '../rate-limit.ts';

const NOW = 1_714_060_800_000;
const KEY = 'k-test';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const good = { userId: 'u1', eventType: 'view', timestamp: NOW - 1000, context: { page: 'home' } };

function setup(opts: { publish?: Publish; burst?: number; metricsToken?: string } = {}) {
  const published: UserEvent[][] = [];
  let n = 0;
  const app = createIngestApp({
    publish:
      opts.publish ??
      ((events) => {
        published.push(events);
        return Promise.resolve();
      }),
    keys: [KEY],
    rateLimiter: createTokenBucket({ ratePerSec: 1, burst: opts.burst ?? 1000, now: () => 0 }),
    log: quiet,
    now: () => NOW,
    newId: () => `id-${++n}`,
    metricsToken: opts.metricsToken,
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { app, post, published };
}

interface ErrorJson {
  error: { code: string; message: string; errors?: Array<{ path: string; message: string }> };
}

describe('POST /events', () => {
  it('answers 202 with the eventId after publishing the canonical event keyed by userId', async () => {
    const { post, published } = setup();
    const res = await post('/events', good);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ eventId: 'id-1' });
    expect(published).toEqual([
      [
        {
          eventId: 'id-1',
          userId: 'u1',
          eventType: 'VIEW',
          timestamp: NOW - 1000,
          context: { page: 'home' },
        },
      ],
    ]);
  });

  it.each([
    ['invalid JSON', '{"userId": ', ''],
    ['a wrong type', { ...good, userId: 42 }, 'userId'],
    ['an unknown top-level field', { ...good, colour: 'red' }, 'colour'],
    ['an unknown context field', { ...good, context: { colour: 'red' } }, 'context.colour'],
    ['a timestamp in seconds', { ...good, timestamp: 1_714_060_800 }, 'timestamp'],
    ['a timestamp more than 24 h ahead', { ...good, timestamp: NOW + 2 * 86_400_000 }, 'timestamp'],
    ['an empty userId', { ...good, userId: '' }, 'userId'],
    ['an oversized userId', { ...good, userId: 'u'.repeat(129) }, 'userId'],
    ['an unknown eventType', { ...good, eventType: 'teleport' }, 'eventType'],
  ])('answers 400 naming the field for %s', async (_name, body, path) => {
    const { post, published } = setup();
    const res = await post('/events', body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as ErrorJson;
    expect(json.error.errors!.map((e) => e.path)).toContain(path);
    if (path) expect(json.error.message).toContain(path);
    expect(published).toEqual([]);
  });

  it('says "looks like seconds" for a timestamp in seconds', async () => {
    const res = await setup().post('/events', { ...good, timestamp: 1_714_060_800 });
    expect(((await res.json()) as ErrorJson).error.message).toContain(
      'timestamp looks like seconds; send epoch milliseconds',
    );
  });

  it('accepts eventType in any case', async () => {
    const { post, published } = setup();
    expect((await post('/events', { ...good, eventType: 'PuRcHaSe' })).status).toBe(202);
    expect(published[0]![0]!.eventType).toBe('PURCHASE');
  });

  it('answers 413 for a body over 16 KiB', async () => {
    const res = await setup().post('/events', {
      ...good,
      context: { page: 'x'.repeat(SINGLE_EVENT_MAX_BYTES) },
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorJson).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 503 with Retry-After when publishing fails, never 500', async () => {
    const { post } = setup({ publish: () => Promise.reject(new Error('broker down')) });
    const res = await post('/events', good);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as ErrorJson).error.code).toBe('KAFKA_UNAVAILABLE');
  });
});

describe('authentication and rate limiting', () => {
  it('answers 401 without a bearer key and 403 with a wrong one', async () => {
    const { app, post } = setup();
    const none = await app.request('/events', { method: 'POST', body: JSON.stringify(good) });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await post('/events', good, { authorization: 'Bearer nope' })).status).toBe(403);
    expect((await post('/events', good, { authorization: 'Basic abc' })).status).toBe(401);
  });

  it('answers 429 with Retry-After once the key’s bucket is empty', async () => {
    const { post } = setup({ burst: 2 });
    expect((await post('/events', good)).status).toBe(202);
    expect((await post('/events', good)).status).toBe(202);
    const res = await post('/events', good);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
  });
});

describe('POST /events/batch', () => {
  it('answers 202 when every event was accepted', async () => {
    const { post, published } = setup();
    const res = await post('/events/batch', [good, good]);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      accepted: [
        { index: 0, eventId: 'id-1' },
        { index: 1, eventId: 'id-2' },
      ],
      rejected: [],
    });
    expect(published).toHaveLength(1);
  });

  it('answers 207 for a mixed batch, publishing the valid events and listing the rejected ones', async () => {
    const { post, published } = setup();
    const res = await post('/events/batch', [
      good,
      { ...good, timestamp: 1 },
      { ...good, extra: true },
      good,
    ]);
    expect(res.status).toBe(207);
    const body = (await res.json()) as {
      accepted: Array<{ index: number }>;
      rejected: Array<{ index: number; errors: Array<{ path: string }> }>;
    };
    expect(body.accepted.map((a) => a.index)).toEqual([0, 3]);
    expect(body.rejected.map((r) => [r.index, r.errors[0]!.path])).toEqual([
      [1, 'timestamp'],
      [2, 'extra'],
    ]);
    expect(published.flat()).toHaveLength(2);
  });

  it('answers 400 when no event is valid, publishing nothing', async () => {
    const { post, published } = setup();
    const res = await post('/events/batch', [{ ...good, userId: '' }]);
    expect(res.status).toBe(400);
    expect(published).toEqual([]);
  });

  it('answers 400 for a body that is not an array or holds more than 500 events', async () => {
    const { post } = setup();
    expect((await post('/events/batch', good)).status).toBe(400);
    expect(
      (
        await post(
          '/events/batch',
          Array.from({ length: 501 }, () => good),
        )
      ).status,
    ).toBe(400);
  });

  it('answers 413 for a batch over 1 MiB', async () => {
    const big = Array.from({ length: 100 }, () => ({
      ...good,
      context: { page: 'x'.repeat(BATCH_MAX_BYTES / 90) },
    }));
    expect((await setup().post('/events/batch', big)).status).toBe(413);
  });

  it('answers 503 when publishing the batch fails', async () => {
    const { post } = setup({ publish: () => Promise.reject(new Error('timeout')) });
    expect((await post('/events/batch', [good])).status).toBe(503);
  });
});

describe('operational endpoints', () => {
  it('serves /healthz and /metrics without authentication', async () => {
    const { app, post } = setup();
    await post('/events', good);
    await post('/events', { ...good, userId: '' });
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const text = await (await app.request('/metrics')).text();
    expect(text).toContain('pulse_ingest_requests_total{route="/events",status="202"} 1');
    expect(text).toContain('pulse_ingest_events_accepted_total 1');
    expect(text).toContain('pulse_ingest_events_rejected_total 1');
    expect(text).toContain('pulse_ingest_produce_seconds_count{outcome="ok"} 1');
  });

  it('restricts /metrics to the metrics token when one is configured', async () => {
    const { app } = setup({ metricsToken: 'metrics-token-0123456789' });
    expect((await app.request('/metrics')).status).toBe(401);
    expect((await app.request('/metrics', { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(401);
    const ok = await app.request('/metrics', {
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    expect(ok.status).toBe(200);
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('sends the security headers on every answer, 404s included', async () => {
    const { app, post } = setup();
    for (const res of [
      await post('/events', good),
      await app.request('/nope'),
      await app.request('/healthz'),
    ]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).toContain('max-age=');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    }
  });

  it('answers 404 as JSON for an unknown route', async () => {
    const res = await setup().app.request('/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorJson).error.code).toBe('NOT_FOUND');
  });
});

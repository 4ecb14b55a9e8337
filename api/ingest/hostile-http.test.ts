/**
 * Hostile HTTP against the ingestion app on a real loopback server (issue 7): bodies that lie about
 * their size, oversized and deeply nested bodies, bytes that are not UTF-8. Requests are written by
 * hand on `node:net` sockets so that nothing (fetch, undici) fixes them up on the way out. Every wait
 * is bounded: a case that gets no answer fails on its own assertion instead of hanging the run.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UserEvent } from '../../model/index.ts';
import { listen, type ListeningServer } from '../http-server.ts';
import { createIngestApp } from './app.ts';
import { createIngestMetrics } from './metrics.ts';

const KEY = 'k-hostile';
const MiB = 1024 * 1024;
/** Errors the app logged: a client's misbehaviour must never be logged as the server's error. */
const loggedErrors: string[] = [];
const log = {
  info: () => undefined,
  warn: () => undefined,
  error: (msg: string) => void loggedErrors.push(msg),
};

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The complete HTTP/1.1 responses in `data` (Content-Length bodies, or up to the close). */
function parseResponses(data: Buffer, closed: boolean): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', at);
    if (end < 0) return out;
    const [statusLine = '', ...lines] = data.subarray(at, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
    const bodyEnd = length === undefined ? data.length : end + 4 + length;
    if (bodyEnd > data.length || (length === undefined && !closed)) return out;
    out.push({
      status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]),
      headers,
      body: data.subarray(end + 4, bodyEnd).toString('utf8'),
    });
    at = bodyEnd;
  }
}

const sockets: Socket[] = [];

/** A raw connection: write bytes, then wait (bounded) for responses or the close. */
async function open(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let data = Buffer.alloc(0);
  let closed = false;
  let wake = () => undefined as void;
  socket.on('data', (d: Buffer) => {
    data = Buffer.concat([data, d]);
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  // EPIPE / ECONNRESET when the server answered early and hung up while we were still writing.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return {
    socket,
    send: (...parts: Array<string | Buffer>) =>
      void socket.write(Buffer.concat(parts.map((p) => Buffer.from(p)))),
    /** Resolves once `count` responses arrived or the socket closed, or after `ms` in any case. */
    async wait(count: number, ms: number): Promise<{ responses: RawResponse[]; closed: boolean }> {
      const deadline = Date.now() + ms;
      for (;;) {
        const responses = parseResponses(data, closed);
        if (responses.length >= count || closed || Date.now() >= deadline) return { responses, closed };
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, deadline - Date.now());
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}

const head = (path: string, ...extra: string[]) =>
  [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    `Authorization: Bearer ${KEY}`,
    'Content-Type: application/json',
    ...extra,
    '',
    '',
  ].join('\r\n');
const sized = (body: string | Buffer) => `Content-Length: ${Buffer.byteLength(body)}`;
const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
const eventJson = (userId: string) => JSON.stringify({ userId, eventType: 'view', timestamp: Date.now() });
const errorOf = (r: RawResponse | undefined) =>
  (JSON.parse(r?.body ?? 'null') as { error: { code: string; errors?: Array<{ path: string }> } }).error;

let server: ListeningServer;
const published: UserEvent[] = [];

/** Sends one complete request and returns its single response (bounded wait). */
async function roundTrip(path: string, body: string | Buffer, extra: string[] = [sized(body)]) {
  const c = await open(server.port);
  c.send(head(path, ...extra), body);
  const { responses } = await c.wait(1, 5_000);
  c.socket.destroy();
  return responses[0];
}

const metrics = createIngestMetrics();

beforeAll(async () => {
  const app = createIngestApp({
    publish: (events) => {
      published.push(...events);
      return Promise.resolve();
    },
    keys: [KEY],
    rateLimiter: { take: () => ({ allowed: true, remaining: 1 }) },
    log,
    metrics,
  });
  server = await listen({
    name: 'ingest API (hostile)',
    fetch: app.fetch,
    port: 0,
    hostname: '127.0.0.1',
    log,
    release: () => Promise.resolve(),
  });
});

afterEach(() => {
  // A socket left half-way would keep server.close() waiting for its request.
  for (const s of sockets.splice(0)) s.destroy();
});

afterAll(() => server?.close());

describe('bodies over the size limit', () => {
  it('answers 413 to a Content-Length over 16 KiB before the body is sent', async () => {
    const c = await open(server.port);
    c.send(head('/events', 'Content-Length: 10000000'), 'x'.repeat(1024));
    const { responses } = await c.wait(1, 5_000);
    expect(responses.map((r) => r.status)).toEqual([413]);
    expect(errorOf(responses[0])).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', errors: [{ path: '' }] });
  });

  it('answers 413 to a batch Content-Length of 1 MiB + 1 before the body is sent', async () => {
    const c = await open(server.port);
    c.send(head('/events/batch', `Content-Length: ${MiB + 1}`), '[');
    const { responses } = await c.wait(1, 5_000);
    expect(responses.map((r) => r.status)).toEqual([413]);
  });

  it('answers 413 to a chunked body over 16 KiB sent without Content-Length', async () => {
    const body = Array.from({ length: 5 }, () => chunk('x'.repeat(4096))).join('') + '0\r\n\r\n';
    const res = await roundTrip('/events', body, ['Transfer-Encoding: chunked']);
    expect(res?.status).toBe(413);
    expect(errorOf(res).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 413 to a chunked batch over 1 MiB sent without Content-Length', async () => {
    const body = Array.from({ length: 17 }, () => chunk(' '.repeat(64 * 1024))).join('') + '0\r\n\r\n';
    const res = await roundTrip('/events/batch', body, ['Transfer-Encoding: chunked']);
    expect(res?.status).toBe(413);
  });
});

describe('bodies that disagree with their Content-Length', () => {
  it('waits for a body shorter than its Content-Length without blocking others, and answers 400 when the client gives up', async () => {
    const slow = await open(server.port);
    slow.send(head('/events', 'Content-Length: 200'), eventJson('slow'));
    // The server may legitimately wait for the rest; it must not answer yet, nor stall others.
    expect((await slow.wait(1, 1_000)).responses).toEqual([]);
    expect((await roundTrip('/events', eventJson('meanwhile')))?.status).toBe(202);
    slow.socket.end();
    const { responses, closed } = await slow.wait(1, 5_000);
    expect(responses.map((r) => r.status)).toEqual([400]);
    expect(closed).toBe(true);
    expect(published.map((e) => e.userId)).not.toContain('slow');
  });

  it('treats a client hanging up mid-body as a client error, not a logged 500', async () => {
    for (const framing of ['Content-Length: 200', 'Transfer-Encoding: chunked']) {
      const c = await open(server.port);
      c.send(
        head('/events', framing),
        framing.startsWith('Content') ? eventJson('gone') : chunk('{"userId":'),
      );
      await c.wait(1, 300);
      c.socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(loggedErrors).toEqual([]);
    expect(await metrics.registry.metrics()).not.toContain('status="500"');
    expect(published.map((e) => e.userId)).not.toContain('gone');
  });

  it('reads only Content-Length bytes of a longer body and answers 400 to the bytes after them', async () => {
    const c = await open(server.port);
    const body = eventJson('overlong');
    c.send(head('/events', 'Content-Length: 10'), body);
    const { responses, closed } = await c.wait(2, 5_000);
    // `{"userId":` is not JSON (400 INVALID_JSON), the rest is not HTTP (Node's bare 400, then
    // close); Node writes its 400 first, so the app's answer may be lost: both are 400 anyway.
    expect(responses.length).toBeGreaterThan(0);
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([400]));
    expect(closed).toBe(true);
    expect(published.map((e) => e.userId)).not.toContain('overlong');
  });
});

describe('deeply nested JSON', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

  it('answers 413 to 100,000 levels of [ on /events (over 16 KiB)', async () => {
    expect((await roundTrip('/events', '['.repeat(100_000)))?.status).toBe(413);
  });

  it('answers 400 INVALID_EVENT naming the body for 8,000 levels of [ ] on /events', async () => {
    const res = await roundTrip('/events', deep(8_000));
    expect(res?.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'INVALID_EVENT', errors: [{ path: '' }] });
  });

  it('answers 400 INVALID_JSON to 100,000 unclosed levels of [ on /events/batch', async () => {
    const res = await roundTrip('/events/batch', '['.repeat(100_000));
    expect(res?.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'INVALID_JSON', errors: [{ path: '' }] });
  });

  it('rejects item 0 of a batch nested 100,000 levels deep, answering 400', async () => {
    const res = await roundTrip('/events/batch', deep(100_000));
    expect(res?.status).toBe(400);
    expect(JSON.parse(res!.body)).toEqual({
      accepted: [],
      rejected: [{ index: 0, errors: [{ path: '', message: 'an event must be a JSON object' }] }],
    });
  });

  it('rejects an event whose unknown field nests objects 100,000 levels deep', async () => {
    const body = `[{"a":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}]`;
    const res = await roundTrip('/events/batch', body);
    expect(res?.status).toBe(400);
    const paths = (
      JSON.parse(res!.body) as { rejected: Array<{ errors: Array<{ path: string }> }> }
    ).rejected[0]!.errors.map((e) => e.path);
    expect(paths).toEqual(['userId', 'eventType', 'timestamp', 'a']);
  });
});

describe('bytes that are not plain UTF-8 JSON', () => {
  it('answers 400 INVALID_ENCODING naming the body for bytes that are not UTF-8', async () => {
    const res = await roundTrip('/events', Buffer.from([0xff, 0xfe, 0xfd, 0xc0, 0xaf]));
    expect(res?.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'INVALID_ENCODING', errors: [{ path: '' }] });
  });

  it('answers 400 INVALID_ENCODING for invalid UTF-8 inside a JSON string (RFC 8259 §8.1), publishing nothing', async () => {
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const body = Buffer.concat([
        Buffer.from('{"userId":"u'),
        Buffer.from(bad),
        Buffer.from(`","eventType":"view","timestamp":${Date.now()}}`),
      ]);
      const res = await roundTrip('/events', body);
      expect(res?.status).toBe(400);
      expect(errorOf(res).code).toBe('INVALID_ENCODING');
    }
    expect(published.some((e) => e.userId.includes('\uFFFD'))).toBe(false);
  });

  it('accepts an event preceded by a UTF-8 BOM, which it ignores (RFC 8259 §8.1 allows that)', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(eventJson('bom'))]);
    expect((await roundTrip('/events', body))?.status).toBe(202);
    expect(published.filter((e) => e.userId === 'bom')).toHaveLength(1);
  });
});

describe('after all of the above', () => {
  it('still answers a valid event with 202 and publishes it', async () => {
    const res = await roundTrip('/events', eventJson('still-up'), [
      sized(eventJson('still-up')),
      'Connection: close',
    ]);
    expect(res?.status).toBe(202);
    expect(published.at(-1)?.userId).toBe('still-up');
  });
});

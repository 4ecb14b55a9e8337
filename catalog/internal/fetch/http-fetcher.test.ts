import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_USER_AGENT, FetchError, fetchDocument } from './http-fetcher.ts';
import type { FetchOptions } from './http-fetcher.ts';
import type { ResolvedAddress } from './address-guard.ts';

const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n';
const ETAG = '"v1"';
const LAST_MODIFIED = 'Wed, 03 Mar 2027 10:00:00 GMT';

const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
const routes: Record<string, (res: ServerResponse, headers: IncomingHttpHeaders) => void> = {
  '/ok': (res) => {
    res.writeHead(200, {
      'content-type': 'text/calendar; charset=utf-8',
      etag: ETAG,
      'last-modified': LAST_MODIFIED,
    });
    res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ICS)]));
  },
  '/etag': (res, h) => {
    if (h['if-none-match'] === ETAG) res.writeHead(304).end();
    else res.writeHead(200, { etag: ETAG }).end('fresh');
  },
  '/last-modified': (res, h) => {
    if (h['if-modified-since'] === LAST_MODIFIED) res.writeHead(304).end();
    else res.writeHead(200, { 'last-modified': LAST_MODIFIED }).end('fresh');
  },
  '/hang': () => undefined,
  '/hang-body': (res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial');
  },
  // Declares 2000 bytes but sends none: only an early rejection avoids waiting for the deadline.
  '/declared-large': (res) => {
    res.writeHead(200, { 'content-length': '2000' });
    res.flushHeaders();
  },
  '/chunked-large': (res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (let i = 0; i < 20; i++) res.write('x'.repeat(100));
  },
  '/chunked': (res) => {
    res.writeHead(200, { 'content-type': 'text/csv' });
    for (const part of ['a,b,c\n', '1,2,3\n', '4,5,6\n']) res.write(part);
    res.end();
  },
  '/gzip': (res) => {
    res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('compressed text'));
  },
  '/relative': (res) => res.writeHead(302, { location: 'ok?from=relative' }).end(),
  '/loop': (res) => res.writeHead(301, { location: '/loop' }).end(),
  '/to-loopback': (res) => res.writeHead(302, { location: `${base}/ok` }).end(),
  '/to-internal': (res) => res.writeHead(307, { location: 'http://internal.test/admin' }).end(),
  '/to-file': (res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end(),
  '/server-error': (res) => res.writeHead(503).end('busy'),
  '/not-found': (res) => res.writeHead(404).end('gone'),
  '/latin1': (res) => {
    res.writeHead(200, { 'content-type': 'text/csv; charset=ISO-8859-1' });
    res.end(Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x3b, 0x80])); // "Café;€"
  },
  '/bad-utf8': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]));
  },
};

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  seen.push({ path, headers: req.headers });
  (routes[path] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res, req.headers);
});
let base = '';
let port = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  seen.length = 0;
});

const local: FetchOptions = { allowPrivate: true };

/** 'public.test' passes the guard as a public address, but the socket goes to the test server. */
const viaPublicName: FetchOptions = {
  network: {
    resolve: (host) =>
      Promise.resolve<ResolvedAddress[]>(
        host === 'public.test'
          ? [{ address: '93.184.216.34', family: 4 }]
          : host === 'internal.test'
            ? [{ address: '10.0.0.5', family: 4 }]
            : [],
      ),
    dialOverride: (checked) =>
      checked.address === '93.184.216.34' ? { address: '127.0.0.1', family: 4 } : checked,
  },
};

async function failure(url: string, opts: FetchOptions): Promise<FetchError> {
  const err: unknown = await fetchDocument(url, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FetchError);
  return err as FetchError;
}

describe('fetchDocument', () => {
  it('returns the decoded body, validators and size, without the BOM', async () => {
    expect(await fetchDocument(`${base}/ok`, local)).toEqual({
      status: 'ok',
      body: ICS,
      contentType: 'text/calendar; charset=utf-8',
      etag: ETAG,
      lastModified: LAST_MODIFIED,
      finalUrl: `${base}/ok`,
      bytes: ICS.length + 3,
    });
    expect(seen[0]?.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
  });

  it('sends If-None-Match and reports 304 as not-modified', async () => {
    expect(await fetchDocument(`${base}/etag`, { ...local, etag: ETAG })).toEqual({
      status: 'not-modified',
    });
    expect(seen[0]?.headers['if-none-match']).toBe(ETAG);
    expect((await fetchDocument(`${base}/etag`, local)).status).toBe('ok');
  });

  it('sends If-Modified-Since and reports 304 as not-modified', async () => {
    const opts = { ...local, lastModified: LAST_MODIFIED };
    expect(await fetchDocument(`${base}/last-modified`, opts)).toEqual({ status: 'not-modified' });
    expect(seen[0]?.headers['if-modified-since']).toBe(LAST_MODIFIED);
  });

  it('times out, retriably, on a server that never answers', async () => {
    const err = await failure(`${base}/hang`, { ...local, timeoutMs: 200 });
    expect([err.code, err.retriable]).toEqual(['timeout', true]);
  });

  it('times out on a body that never ends: the deadline covers the body', async () => {
    const err = await failure(`${base}/hang-body`, { ...local, timeoutMs: 200 });
    expect(err.code).toBe('timeout');
  });

  it('rejects a declared Content-Length over maxBytes before reading the body', async () => {
    const err = await failure(`${base}/declared-large`, { ...local, maxBytes: 1000 });
    expect([err.code, err.retriable]).toEqual(['too-large', false]);
  });

  it('aborts a chunked body once it passes maxBytes', async () => {
    const err = await failure(`${base}/chunked-large`, { ...local, maxBytes: 1000 });
    expect(err.code).toBe('too-large');
  });

  it('reads a chunked body without Content-Length in full', async () => {
    const result = await fetchDocument(`${base}/chunked`, local);
    expect(result).toMatchObject({ status: 'ok', body: 'a,b,c\n1,2,3\n4,5,6\n', bytes: 18 });
  });

  it('decompresses a gzip body', async () => {
    expect(await fetchDocument(`${base}/gzip`, local)).toMatchObject({ body: 'compressed text' });
  });

  it('follows a relative redirect and reports the final URL', async () => {
    const result = await fetchDocument(`${base}/relative`, local);
    expect(result).toMatchObject({ status: 'ok', body: ICS, finalUrl: `${base}/ok?from=relative` });
  });

  it('gives up after maxRedirects redirects', async () => {
    const err = await failure(`${base}/loop`, { ...local, maxRedirects: 3 });
    expect(err.code).toBe('too-many-redirects');
    expect(seen.map((s) => s.path)).toEqual(['/loop', '/loop', '/loop', '/loop']);
  });

  it('refuses a redirect from a public host to a loopback address', async () => {
    const err = await failure(`http://public.test:${port}/to-loopback`, viaPublicName);
    expect(err.code).toBe('forbidden-address');
    expect(err.message).toContain('forbidden address 127.0.0.1');
    expect(seen.map((s) => s.path)).toEqual(['/to-loopback']);
  });

  it('refuses a redirect to a name that resolves to a private address', async () => {
    const err = await failure(`http://public.test:${port}/to-internal`, viaPublicName);
    expect(err.code).toBe('forbidden-address');
    expect(err.message).toContain('forbidden address 10.0.0.5');
  });

  it('connects to the checked address while keeping the URL host in the Host header', async () => {
    const asked: string[] = [];
    const resolve = viaPublicName.network!.resolve!;
    const network = { ...viaPublicName.network, resolve: (h: string) => (asked.push(h), resolve(h)) };
    const result = await fetchDocument(`http://public.test:${port}/relative`, { network });
    expect(asked).toEqual(['public.test', 'public.test']); // once per hop, then pinned
    expect(result).toMatchObject({ finalUrl: `http://public.test:${port}/ok?from=relative` });
    expect(seen.map((s) => s.headers.host)).toEqual([`public.test:${port}`, `public.test:${port}`]);
  });

  it('refuses a redirect to a non-http scheme', async () => {
    expect((await failure(`${base}/to-file`, local)).code).toBe('bad-url');
  });

  it.each([['ftp://example.com/x.ics'], ['not a url'], ['file:///etc/passwd']])(
    'refuses %j as a bad URL',
    async (url) => {
      expect((await failure(url, local)).code).toBe('bad-url');
    },
  );

  it('marks HTTP 5xx as retriable', async () => {
    const err = await failure(`${base}/server-error`, local);
    expect([err.code, err.httpStatus, err.retriable]).toEqual(['http-status', 503, true]);
  });

  it('marks HTTP 404 as not retriable', async () => {
    const err = await failure(`${base}/not-found`, local);
    expect([err.code, err.httpStatus, err.retriable]).toEqual(['http-status', 404, false]);
  });

  it('decodes an ISO-8859-1 body as windows-1252', async () => {
    expect(await fetchDocument(`${base}/latin1`, local)).toMatchObject({ body: 'Café;€' });
  });

  it('rejects a body that is not valid UTF-8', async () => {
    const err = await failure(`${base}/bad-utf8`, local);
    expect([err.code, err.retriable]).toEqual(['bad-encoding', false]);
    expect(err.cause).toBeInstanceOf(TypeError);
  });

  it('refuses loopback by default without sending a request', async () => {
    const err = await failure(`${base}/ok`, {});
    expect([err.code, err.retriable]).toEqual(['forbidden-address', false]);
    expect(seen).toEqual([]);
  });

  it('refuses localhost by default', async () => {
    expect((await failure(`http://localhost:${port}/ok`, {})).code).toBe('forbidden-address');
    expect(seen).toEqual([]);
  });

  it('reports an unresolvable name as a retriable network error with its cause', async () => {
    const err = await failure('http://nowhere.test/feed.ics', {
      network: { resolve: () => Promise.reject(new Error('ENOTFOUND')) },
    });
    expect([err.code, err.retriable, (err.cause as Error).message]).toEqual(['network', true, 'ENOTFOUND']);
  });
});

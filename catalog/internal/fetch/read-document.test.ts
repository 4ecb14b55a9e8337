import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError } from './http-fetcher.ts';
import type { FetchOptions } from './http-fetcher.ts';
import { readDocument } from './read-document.ts';

const dir = mkdtempSync(join(tmpdir(), 'read-document-'));
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/csv' }).end('a;b;c\n1;2;3\n');
});
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(location: string, opts: FetchOptions = {}): Promise<FetchError> {
  const err: unknown = await readDocument(location, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FetchError);
  return err as FetchError;
}

describe('readDocument', () => {
  it('reads a local file in the fetch result shape', async () => {
    const path = file('agenda.ics', 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    expect(await readDocument(path)).toEqual({
      status: 'ok',
      body: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n',
      contentType: null,
      etag: null,
      lastModified: null,
      finalUrl: pathToFileURL(path).href,
      bytes: 32,
    });
  });

  it('reads a path relative to the working directory and a file: URL', async () => {
    const path = file('relative.json', '{"a":1}');
    expect(await readDocument(relative(process.cwd(), path))).toMatchObject({ body: '{"a":1}' });
    expect(await readDocument(pathToFileURL(path).href)).toMatchObject({ body: '{"a":1}' });
  });

  it('strips a UTF-8 byte-order mark', async () => {
    const path = file('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('x,y,z')]));
    expect(await readDocument(path)).toMatchObject({ body: 'x,y,z', bytes: 8 });
  });

  it('rejects a file over maxBytes', async () => {
    const err = await failure(file('big.csv', 'x'.repeat(101)), { maxBytes: 100 });
    expect([err.code, err.retriable]).toEqual(['too-large', false]);
  });

  it('accepts a file of exactly maxBytes', async () => {
    expect(await readDocument(file('edge.csv', 'x'.repeat(100)), { maxBytes: 100 })).toMatchObject({
      bytes: 100,
    });
  });

  it('rejects a file that is not valid UTF-8', async () => {
    const err = await failure(file('latin1.csv', Buffer.from([0x43, 0x61, 0x66, 0xe9])));
    expect(err.code).toBe('bad-encoding');
  });

  it('reports a missing file as a non-retriable io error with its cause', async () => {
    const err = await failure(join(dir, 'missing.ics'));
    expect([err.code, err.retriable, (err.cause as NodeJS.ErrnoException).code]).toEqual([
      'io',
      false,
      'ENOENT',
    ]);
  });

  it('reports a directory as an io error', async () => {
    expect((await failure(dir)).code).toBe('io');
  });

  it('refuses schemes other than http, https and file', async () => {
    expect((await failure('ftp://example.com/agenda.ics')).code).toBe('bad-url');
  });

  it('fetches an http URL with the fetch options applied', async () => {
    expect(await readDocument(`${base}/export.csv`, { allowPrivate: true })).toMatchObject({
      status: 'ok',
      body: 'a;b;c\n1;2;3\n',
      contentType: 'text/csv',
      finalUrl: `${base}/export.csv`,
    });
    expect((await failure(`${base}/export.csv`)).code).toBe('forbidden-address');
  });
});

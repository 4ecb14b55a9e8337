/**
 * One entry point for a source's `location`, whether it names a web document or a local file
 * (fixtures, hand-maintained exports, development): both come back in the {@link FetchResult}
 * shape under the same size cap and the same strict decoding rules.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FetchError, decodeBody, fetchDocument, readCapped } from './http-fetcher.ts';
import type { FetchOptions, FetchResult } from './http-fetcher.ts';

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Reads `location`: an http(s) URL is fetched with {@link fetchDocument} (all of `opts` applies);
 * a `file:` URL or a path (relative to the working directory) is read from disk, where only
 * `maxBytes` applies and the result always has status 'ok', `contentType`, `etag` and
 * `lastModified` null, and `finalUrl` the file's absolute `file:` URL. Any other scheme fails
 * with 'bad-url'; missing or unreadable files with 'io'. Rejects only with {@link FetchError}.
 */
export async function readDocument(location: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(location)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return fetchDocument(location, opts);
  let path: string;
  if (scheme === 'file') {
    try {
      path = fileURLToPath(location);
    } catch (err) {
      throw new FetchError('bad-url', `not a usable file URL: ${location}`, { cause: err });
    }
  } else if (scheme !== undefined && scheme.length > 1) {
    // One letter is a Windows drive ("C:\\feeds\\x.ics"), not a scheme.
    throw new FetchError('bad-url', `cannot read ${location}: only http, https and files`);
  } else {
    path = location;
  }
  return readFileDocument(resolve(path), opts.maxBytes ?? DEFAULT_MAX_BYTES);
}

async function readFileDocument(path: string, maxBytes: number): Promise<FetchResult> {
  let bytes: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new FetchError('io', `${path} is not a regular file`);
      if (stat.size > maxBytes) {
        throw new FetchError('too-large', `${path}: ${stat.size} bytes exceeds ${maxBytes}`);
      }
      // Still capped while streaming: the file may grow between stat and read.
      const stream = createReadStream(path, { fd: handle.fd, autoClose: false });
      bytes = await readCapped(stream, maxBytes, path);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof FetchError) throw err;
    throw new FetchError('io', `cannot read ${path}: ${String(err)}`, { cause: err });
  }
  return {
    status: 'ok',
    body: decodeBody(bytes, null, path),
    contentType: null,
    etag: null,
    lastModified: null,
    finalUrl: pathToFileURL(path).href,
    bytes: bytes.length,
  };
}

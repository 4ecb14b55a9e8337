/**
 * Fetches one catalogue source document over HTTP(S), safely: SSRF guard with the checked address
 * pinned for the connection (see address-guard.ts), manual redirects re-checked at every hop, one
 * deadline for the whole exchange, a byte cap enforced while streaming, conditional requests, and
 * strict text decoding. Built on node:http rather than global fetch because only node:http lets
 * us choose the address the socket connects to.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip } from 'node:zlib';
import { TextDecoder } from 'node:util';
import { resolveChecked, systemResolver } from './address-guard.ts';
import type { ResolvedAddress, Resolver } from './address-guard.ts';

export type FetchErrorCode =
  | 'timeout'
  | 'too-large'
  | 'http-status'
  | 'forbidden-address'
  | 'too-many-redirects'
  | 'bad-url'
  | 'bad-encoding'
  | 'network'
  /** Local files only (read-document.ts): missing, unreadable, a directory. */
  | 'io';

/**
 * The one error type of fetching. `code` is stable (log it, branch on it); `retriable` says
 * whether the same request may succeed later: timeouts, network failures and HTTP 5xx, 408 and
 * 429 are; everything else needs a change of URL, configuration or content first.
 */
export class FetchError extends Error {
  override readonly name = 'FetchError';
  readonly retriable: boolean;
  /** The response status for code 'http-status', else null. */
  readonly httpStatus: number | null;
  constructor(
    readonly code: FetchErrorCode,
    message: string,
    opts: { cause?: unknown; httpStatus?: number } = {},
  ) {
    super(message, { cause: opts.cause });
    this.httpStatus = opts.httpStatus ?? null;
    const s = this.httpStatus ?? 0;
    this.retriable = code === 'timeout' || code === 'network' || s >= 500 || s === 408 || s === 429;
  }
}

export interface FetchOptions {
  /** Deadline for the whole fetch: DNS, every redirect hop, headers and body. Default 15 000. */
  timeoutMs?: number;
  /** Cap on the (decompressed) body, enforced while streaming. Default 10 MiB. */
  maxBytes?: number;
  /** Validators from the previous fetch; sent as If-None-Match / If-Modified-Since. */
  etag?: string | null | undefined;
  lastModified?: string | null | undefined;
  /** Permit loopback/private/link-local targets (local development sources). Default false. */
  allowPrivate?: boolean;
  /** Redirects followed before failing with 'too-many-redirects'. Default 5. */
  maxRedirects?: number;
  userAgent?: string;
  /**
   * Seams FOR TESTS ONLY, which cannot reach public addresses. `resolve` replaces dns.lookup;
   * `dialOverride` maps the address that passed the guard to the one actually connected to, so a
   * test can make 'public.test' look public to the guard while its socket goes to 127.0.0.1.
   * Production code must leave both unset: `dialOverride` deliberately breaks pinning.
   */
  network?: {
    resolve?: Resolver;
    dialOverride?: (checked: ResolvedAddress) => ResolvedAddress;
  };
}

export type FetchResult =
  | {
      status: 'ok';
      body: string;
      /** The Content-Type header as sent, or null. */
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      /** The URL after redirects. */
      finalUrl: string;
      /** Size of the body in bytes: after Content-Encoding decompression, before text decoding. */
      bytes: number;
    }
  | { status: 'not-modified' };

export const DEFAULT_USER_AGENT = 'Pulsecity-catalog/0.1 (+https://github.com/pulsecity)';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Fetches `url`. Resolves to a document or 'not-modified'; rejects only with {@link FetchError}. */
export async function fetchDocument(url: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const controller = new AbortController();
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await followRedirects(parseHttpUrl(url), opts, controller.signal);
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (controller.signal.aborted) {
      throw new FetchError('timeout', `${url}: no complete response within ${timeoutMs} ms`, {
        cause: err,
      });
    }
    throw new FetchError('network', `${url}: ${String(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

async function followRedirects(start: URL, opts: FetchOptions, signal: AbortSignal): Promise<FetchResult> {
  const maxRedirects = opts.maxRedirects ?? 5;
  let url = start;
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(url, opts, signal);
    const status = res.statusCode ?? 0;
    if (REDIRECTS.has(status)) {
      res.destroy();
      const location = res.headers.location;
      if (location === undefined) {
        throw new FetchError('http-status', `${url.href}: ${status} without Location`, {
          httpStatus: status,
        });
      }
      if (hop >= maxRedirects) {
        throw new FetchError('too-many-redirects', `${start.href}: more than ${maxRedirects}`);
      }
      url = parseHttpUrl(location, url);
      continue;
    }
    if (status === 304) {
      res.destroy();
      return { status: 'not-modified' };
    }
    if (status < 200 || status > 299) {
      res.destroy();
      throw new FetchError('http-status', `${url.href}: HTTP ${status}`, { httpStatus: status });
    }
    const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (declared > maxBytes) {
      res.destroy();
      throw new FetchError('too-large', `${url.href}: ${declared} bytes exceeds ${maxBytes}`);
    }
    const bytes = await readCapped(decompressed(res, url), maxBytes, url.href);
    const contentType = res.headers['content-type'] ?? null;
    return {
      status: 'ok',
      body: decodeBody(bytes, contentType, url.href),
      contentType,
      etag: header(res, 'etag'),
      lastModified: header(res, 'last-modified'),
      finalUrl: url.href,
      bytes: bytes.length,
    };
  }
}

async function requestOnce(url: URL, opts: FetchOptions, signal: AbortSignal): Promise<IncomingMessage> {
  const guard = await untilAborted(
    resolveChecked(url.hostname, {
      allowPrivate: opts.allowPrivate ?? false,
      resolve: opts.network?.resolve ?? systemResolver,
    }),
    signal,
  );
  if (!guard.ok) throw new FetchError('forbidden-address', `${url.href}: ${guard.reason}`);
  const pinned = opts.network?.dialOverride?.(guard.address) ?? guard.address;
  // The socket connects to the checked address whatever DNS says by now (no rebinding window);
  // Host header and TLS name still come from the URL. IP literals never reach `lookup`.
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all === true) callback(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const headers: Record<string, string> = {
    'user-agent': opts.userAgent ?? DEFAULT_USER_AGENT,
    accept: 'text/calendar, application/ld+json, application/json, text/csv, text/html;q=0.9, */*;q=0.5',
    'accept-encoding': 'gzip, br',
  };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    // agent: false: no pooled socket from an earlier hop or fetch is reused past the guard.
    const req = transport.request(url, { headers, lookup, signal, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** DNS lookups cannot be cancelled; stop waiting for one when the deadline passes. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted while resolving'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Accepts only absolute http(s) URLs (relative ones resolved against `base`). */
function parseHttpUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch (err) {
    throw new FetchError('bad-url', `not a URL: ${JSON.stringify(text)}`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError('bad-url', `only http and https are fetched, not ${url.href}`);
  }
  return url;
}

function header(res: IncomingMessage, name: string): string | null {
  const value = res.headers[name];
  return typeof value === 'string' ? value : null;
}

function decompressed(res: IncomingMessage, url: URL): Readable {
  const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return res;
  const inflate = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : null;
  const decoder = encoding === 'br' ? createBrotliDecompress() : inflate;
  if (decoder === null) {
    res.destroy();
    throw new FetchError('bad-encoding', `${url.href}: unsupported Content-Encoding ${encoding}`);
  }
  // Errors of either side surface on `decoder`, which readCapped consumes.
  return pipeline(res, decoder, () => undefined);
}

/**
 * Collects a stream into one buffer, destroying it and failing with 'too-large' as soon as more
 * than `maxBytes` arrived, so an endless or oversized body never sits in memory.
 */
export async function readCapped(stream: Readable, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new FetchError('too-large', `${what}: body exceeds ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Decodes a body to text. A byte-order mark wins (and is dropped); else the Content-Type charset;
 * else UTF-8. Decoding is strict: bytes invalid in the charset fail with 'bad-encoding' rather
 * than turning into U+FFFD, so a mislabelled feed is reported instead of imported garbled.
 * ISO-8859-1/latin1 decode as windows-1252, as browsers do (WHATWG Encoding).
 */
export function decodeBody(bytes: Uint8Array, contentType: string | null, what: string): string {
  const bom = BOMS.find((b) => b.mark.every((byte, i) => bytes[i] === byte));
  const label = bom?.label ?? charsetOf(contentType) ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true });
  } catch (err) {
    throw new FetchError('bad-encoding', `${what}: unsupported charset ${label}`, { cause: err });
  }
  const rest = bytes.subarray(bom?.mark.length ?? 0);
  if (decoder.encoding === 'windows-1252') return decodeWindows1252(rest);
  try {
    return decoder.decode(rest);
  } catch (err) {
    throw new FetchError('bad-encoding', `${what}: body is not valid ${label}`, { cause: err });
  }
}

const BOMS = [
  { mark: [0xef, 0xbb, 0xbf], label: 'utf-8' },
  { mark: [0xff, 0xfe], label: 'utf-16le' },
  { mark: [0xfe, 0xff], label: 'utf-16be' },
];

function charsetOf(contentType: string | null): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase() ?? null;
}

/** windows-1252 characters at 0x80-0x9F; the five unassigned bytes stay C1 controls (WHATWG). */
const CP1252_HIGH =
  '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

/**
 * Node 20's TextDecoder decodes windows-1252 (and so latin1, which WHATWG maps to it) as plain
 * ISO-8859-1, turning e.g. 0x80 into a C1 control instead of the euro sign; decode it here.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    out += byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80] : String.fromCharCode(byte);
  }
  return out;
}

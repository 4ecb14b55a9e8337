/**
 * Serving a Hono app over HTTP, shared by the ingestion and query APIs: listen, and an idempotent
 * `close()` (also on `signal` abort) that stops accepting, lets requests in flight finish, closes
 * idle keep-alive connections, then releases the API's own resources (`release`). If listening
 * fails, the resources are released before the error is thrown.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import { bearerMatches, type Logger } from '../runtime/index.ts';

export interface ListeningServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Whole-request and headers deadlines of both APIs' HTTP servers. */
export const REQUEST_TIMEOUT_MS = 30_000;
export const HEADERS_TIMEOUT_MS = 10_000;

export async function listen(opts: {
  name: string;
  fetch: (req: Request) => Response | Promise<Response>;
  port: number;
  hostname?: string | undefined;
  log: Logger;
  signal?: AbortSignal | undefined;
  release: () => Promise<void>;
  /** Extra fields of the "listening" log line. */
  fields?: Record<string, unknown>;
}): Promise<ListeningServer> {
  let server: ServerType | undefined;
  let port = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      server = serve(
        {
          fetch: opts.fetch,
          port: opts.port,
          hostname: opts.hostname ?? '0.0.0.0',
          // A client that sends its headers or body too slowly is cut off (Node's own default is
          // 300 s for the whole request), so slow or stalled uploads cannot pin connections.
          serverOptions: { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS },
        },
        (info) => {
          port = info.port;
          resolve();
        },
      );
      server.once('error', reject);
    });
  } catch (err) {
    await opts.release();
    throw err;
  }
  opts.log.info(`${opts.name} listening`, { port, ...opts.fields });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        // Keep-alive connections would otherwise hold close() open until they time out.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
      await opts.release();
      opts.log.info(`${opts.name} stopped`, { port });
    })());
  opts.signal?.addEventListener('abort', () => void close(), { once: true });
  if (opts.signal?.aborted) await close();
  return { port, close };
}

/** What both APIs' error classes carry (IngestError, QueryError). */
export interface HttpError {
  status: 400 | 401 | 403 | 404 | 413 | 415 | 429 | 500 | 503;
  code: string;
  message: string;
  extra: { errors?: Array<{ path: string; message: string }>; retryAfterSec?: number };
}

/**
 * The one error shape of both APIs: `{error: {code, message, errors?}}` with the error's status,
 * `Retry-After` when given, and the Bearer challenge of `realm` on a 401.
 */
export function errorResponse(c: Context, err: HttpError, realm: string): Response {
  if (err.extra.retryAfterSec !== undefined) c.header('Retry-After', String(err.extra.retryAfterSec));
  if (err.status === 401) c.header('WWW-Authenticate', `Bearer realm="${realm}"`);
  return c.json(
    {
      error: {
        code: err.code,
        message: err.message,
        ...(err.extra.errors && { errors: err.extra.errors }),
      },
    },
    err.status,
  );
}

/** An error no handler expected: logged with its stack, answered as a bare 500. */
export function internalErrorResponse(c: Context, err: Error, log: Logger): Response {
  log.error('unexpected error', { error: err.message, stack: err.stack });
  return c.json({ error: { code: 'INTERNAL', message: 'internal error' } }, 500);
}

/**
 * Restricts a route (`/metrics`) to `Authorization: Bearer <token>` when a token is configured
 * (`PULSE_METRICS_TOKEN`); without one the route stays open, for a scraper inside the network.
 */
export function metricsGuard(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!token || bearerMatches(c.req.header('authorization'), token)) return next();
    return c.json({ error: { code: 'UNAUTHENTICATED', message: 'metrics need the metrics token' } }, 401, {
      'WWW-Authenticate': 'Bearer realm="pulse-metrics"',
    });
  };
}

/**
 * Serving a Hono app over HTTP, shared by the ingestion and query APIs: listen, and an idempotent
 * `close()` (also on `signal` abort) that stops accepting, lets requests in flight finish, closes
 * idle keep-alive connections, then releases the API's own resources (`release`). If listening
 * fails, the resources are released before the error is thrown.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from '../runtime/index.ts';

export interface ListeningServer {
  readonly port: number;
  close(): Promise<void>;
}

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
      server = serve({ fetch: opts.fetch, port: opts.port, hostname: opts.hostname ?? '0.0.0.0' }, (info) => {
        port = info.port;
        resolve();
      });
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

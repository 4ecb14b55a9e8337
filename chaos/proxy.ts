/**
 * A loopback TCP proxy for fault injection: the workers talk to PostgreSQL or Redis through it, and
 * a scenario takes the dependency away (`down`), resets connections (`cutAll`), or cuts the one
 * connection that carries a given request after the server received it and before its answer
 * reaches the client (`cutAfter`): the client sees a failure for a request the server carried out,
 * which is the ambiguous outcome of a connection lost during a commit.
 *
 * `down()` keeps listening but resets every connection as soon as it is accepted (the client sees
 * ECONNRESET or "connection terminated", as when a server restarts), so `up()` is immediate and the
 * address never changes.
 */
import net from 'node:net';
import type { FaultProxy } from './types.ts';

export type RunningFaultProxy = FaultProxy & {
  /** Stops listening and resets every connection; idempotent. */
  close(): Promise<void>;
  /** Connections open now (for tests and logs). */
  readonly connections: number;
};

/** How long an armed connection waits for the server's answer before it is cut anyway. */
const ARMED_TIMEOUT_MS = 5_000;

interface Link {
  client: net.Socket;
  server: net.Socket;
  /** The last bytes the client sent, so a needle split across two chunks is still found. */
  tail: Buffer;
  /** A cut is due: client data still flows to the server, the first answer byte triggers the cut. */
  armed: { resolve: () => void; timer: NodeJS.Timeout } | undefined;
  closed: boolean;
}

interface PendingCut {
  needle: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `target`. */
export async function startFaultProxy(target: { host: string; port: number }): Promise<RunningFaultProxy> {
  const links = new Set<Link>();
  const pending: PendingCut[] = [];
  let isDown = false;
  let closing = false;

  const reset = (socket: net.Socket) => {
    if (socket.destroyed) return;
    // RST rather than FIN: the peer sees a connection reset, not an orderly close.
    if (typeof socket.resetAndDestroy === 'function' && socket.readyState !== 'opening')
      socket.resetAndDestroy();
    else socket.destroy();
  };

  const drop = (link: Link) => {
    if (link.closed) return;
    link.closed = true;
    links.delete(link);
    if (link.armed) {
      clearTimeout(link.armed.timer);
      // The connection ended before the server answered; the request was forwarded all the same.
      link.armed.resolve();
      link.armed = undefined;
    }
    reset(link.client);
    reset(link.server);
  };

  const cut = (link: Link) => {
    const armed = link.armed;
    link.armed = undefined;
    if (armed) clearTimeout(armed.timer);
    drop(link);
    armed?.resolve();
  };

  const maxTail = () => pending.reduce((m, p) => Math.max(m, p.needle.length - 1), 0);

  const onClientData = (link: Link, chunk: Buffer) => {
    if (link.closed) return;
    if (!link.armed && pending.length > 0) {
      const window = link.tail.length ? Buffer.concat([link.tail, chunk]) : chunk;
      const hit = pending.findIndex((p) => window.includes(p.needle));
      if (hit >= 0) {
        const [p] = pending.splice(hit, 1);
        link.armed = { resolve: p!.resolve, timer: setTimeout(() => cut(link), ARMED_TIMEOUT_MS) };
        link.armed.timer.unref();
      }
      const keep = maxTail();
      link.tail =
        keep > 0 ? Buffer.from(window.subarray(Math.max(0, window.length - keep))) : Buffer.alloc(0);
    }
    // Armed or not, the request goes to the server in full (a message may span several chunks).
    if (!link.server.write(chunk)) {
      link.client.pause();
      link.server.once('drain', () => link.client.resume());
    }
  };

  const onServerData = (link: Link, chunk: Buffer) => {
    if (link.closed) return;
    if (link.armed) {
      // The server answered the request: it has been carried out. The client never sees the answer.
      cut(link);
      return;
    }
    if (!link.client.write(chunk)) {
      link.server.pause();
      link.client.once('drain', () => link.server.resume());
    }
  };

  const server = net.createServer({ noDelay: true }, (client) => {
    client.on('error', () => undefined);
    if (isDown || closing) {
      reset(client);
      return;
    }
    const upstream = net.connect({ host: target.host, port: target.port, noDelay: true });
    upstream.on('error', () => undefined);
    const link: Link = { client, server: upstream, tail: Buffer.alloc(0), armed: undefined, closed: false };
    links.add(link);
    client.on('data', (c: Buffer) => onClientData(link, c));
    upstream.on('data', (c: Buffer) => onServerData(link, c));
    // An orderly close on one side is passed on as such; errors reset both.
    client.on('end', () => (link.armed ? cut(link) : upstream.end()));
    upstream.on('end', () => (link.armed ? cut(link) : client.end()));
    client.on('close', () => drop(link));
    upstream.on('close', () => drop(link));
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    address: `127.0.0.1:${port}`,
    get connections() {
      return links.size;
    },
    down() {
      isDown = true;
      for (const link of [...links]) drop(link);
    },
    up() {
      isDown = false;
    },
    cutAll() {
      for (const link of [...links]) drop(link);
    },
    cutAfter(needle: string) {
      if (needle.length === 0) return Promise.reject(new Error('cutAfter needs a non-empty needle'));
      return new Promise<void>((resolve, reject) =>
        pending.push({ needle: Buffer.from(needle, 'utf8'), resolve, reject }),
      );
    },
    async close() {
      if (closing) return;
      closing = true;
      for (const p of pending.splice(0))
        p.reject(new Error(`proxy closed before "${p.needle.toString()}" was seen`));
      for (const link of [...links]) drop(link);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

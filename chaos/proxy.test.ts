import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type RunningFaultProxy } from './proxy.ts';

/**
 * A TCP server that records what each connection sent and echoes it back prefixed with "echo:";
 * with `answerOn`, it answers only once the connection's data contains that terminator.
 */
async function echoServer(opts: { answerOn?: string } = {}) {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    const i = received.push('') - 1;
    s.on('data', (c: Buffer) => {
      received[i] += c.toString();
      if (!opts.answerOn) s.write(`echo:${c.toString()}`);
      else if (received[i]!.includes(opts.answerOn)) s.write('done');
    });
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A client that collects what it receives and how its connection ended. */
function connect(address: string) {
  const [host, port] = address.split(':');
  const socket = net.connect({ host: host!, port: Number(port) });
  const state = { data: '', error: undefined as Error | undefined, closed: false };
  socket.on('data', (c: Buffer) => (state.data += c.toString()));
  socket.on('error', (e) => (state.error = e));
  const closed = new Promise<void>((r) =>
    socket.on('close', () => {
      state.closed = true;
      r();
    }),
  );
  const connected = new Promise<void>((r) => socket.once('connect', () => r()));
  return { socket, state, closed, connected };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('startFaultProxy', () => {
  let upstream: Awaited<ReturnType<typeof echoServer>>;
  let proxy: RunningFaultProxy;

  beforeEach(async () => {
    upstream = await echoServer();
    proxy = await startFaultProxy({ host: '127.0.0.1', port: upstream.port });
  });
  afterEach(async () => {
    await proxy.close();
    await upstream.close();
  });

  it('forwards both ways on a loopback address', async () => {
    expect(proxy.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const c = connect(proxy.address);
    c.socket.write('hello');
    await until(() => c.state.data === 'echo:hello', 'the echo');
    expect(upstream.received).toEqual(['hello']);
    c.socket.end();
    await c.closed;
  });

  it('resets open connections on down(), refuses new ones until up()', async () => {
    const open = connect(proxy.address);
    open.socket.write('a');
    await until(() => open.state.data === 'echo:a', 'the first echo');
    proxy.down();
    await open.closed;
    expect(open.state.error).toBeDefined();

    const refused = connect(proxy.address);
    refused.socket.write('never');
    await refused.closed;
    expect(refused.state.data).toBe('');
    expect(upstream.received).toEqual(['a']);

    proxy.up();
    const again = connect(proxy.address);
    again.socket.write('b');
    await until(() => again.state.data === 'echo:b', 'the echo after up()');
    again.socket.end();
  });

  it('cutAll() resets every open connection once and keeps accepting', async () => {
    const a = connect(proxy.address);
    const b = connect(proxy.address);
    await Promise.all([a.connected, b.connected]);
    await until(() => proxy.connections === 2, 'two links');
    proxy.cutAll();
    await Promise.all([a.closed, b.closed]);
    const c = connect(proxy.address);
    c.socket.write('still here');
    await until(() => c.state.data === 'echo:still here', 'the echo after cutAll()');
    c.socket.end();
  });

  it('cutAfter() delivers the request to the server but never its answer, even when the needle spans chunks', async () => {
    const bystander = connect(proxy.address);
    const victim = connect(proxy.address);
    await Promise.all([bystander.connected, victim.connected]);
    const cut = proxy.cutAfter('COMMIT');
    victim.socket.write('BEGIN;CO');
    await until(() => victim.state.data === 'echo:BEGIN;CO', 'the answer before the needle');
    victim.socket.write('MMIT;');
    await cut;
    await victim.closed;
    // The server got the whole request; the client got nothing after it and saw the connection fail.
    expect(upstream.received).toContain('BEGIN;COMMIT;');
    expect(victim.state.data).toBe('echo:BEGIN;CO');
    expect(victim.state.error).toBeDefined();
    // Only the connection that carried the needle is cut, and the needle is used up.
    bystander.socket.write('COMMIT');
    await until(() => bystander.state.data === 'echo:COMMIT', 'the bystander echo');
    bystander.socket.end();
  });

  it('cutAfter() forwards a request that continues after the needle, then cuts at the answer', async () => {
    // One request in two writes; the server answers once it has the end (as PostgreSQL does at Sync).
    const syncing = await echoServer({ answerOn: ';sync' });
    const p = await startFaultProxy({ host: '127.0.0.1', port: syncing.port });
    try {
      const c = connect(p.address);
      await c.connected;
      const cut = p.cutAfter('insert into');
      c.socket.write('insert into t values (1');
      await sleep(50);
      c.socket.write(');sync');
      await cut;
      await c.closed;
      expect(syncing.received).toEqual(['insert into t values (1);sync']);
      expect(c.state.data).toBe('');
    } finally {
      await p.close();
      await syncing.close();
    }
  });

  it('close() rejects a cutAfter() that never happened', async () => {
    const cut = proxy.cutAfter('never sent');
    const settled = cut.then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    await proxy.close();
    expect(await settled).toMatch(/proxy closed/);
  });
});

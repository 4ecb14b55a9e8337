import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { Worker } from './worker.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const worker = (metricsToken?: string) =>
  new Worker([], {
    brokers: ['127.0.0.1:1'],
    stateDir: '/nonexistent',
    workerId: 'w',
    port: 0,
    log: quiet,
    metricsToken,
  });

describe("the worker's HTTP endpoints", () => {
  it('serve /metrics and /status to anyone without a metrics token', async () => {
    const app = worker().app();
    expect((await app.request('/metrics')).status).toBe(200);
    expect((await app.request('/status')).status).toBe(200);
  });

  it('restrict /metrics and /status, not health, to the metrics token when one is set', async () => {
    const app = worker('metrics-token-0123456789').app();
    expect((await app.request('/metrics')).status).toBe(401);
    expect((await app.request('/status', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const auth = { headers: { authorization: 'Bearer metrics-token-0123456789' } };
    expect((await app.request('/metrics', auth)).status).toBe(200);
    expect((await app.request('/status', auth)).status).toBe(200);
    expect((await app.request('/healthz')).status).toBe(200);
  });
});

describe('worker shutdown', () => {
  it('closes its HTTP server while a request is still in progress on a connection', async () => {
    const w = worker();
    await w.start();
    // A client whose request never completes (here: headers not finished), as a monitor's request
    // to a handler that hangs during shutdown: the connection is busy, never idle.
    const socket = net.connect(w.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const closedByServer = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Before the fix, close() waited for that connection (up to Node's 60 s headers timeout).
    await w.close();
    await closedByServer;
    expect(socket.destroyed).toBe(true);
  });
});

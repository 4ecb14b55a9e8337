import { describe, expect, it } from 'vitest';
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

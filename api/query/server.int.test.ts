import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.ts';
import { createTopic, deleteTopicsWithPrefix, produceAll } from '../../test/support/kafka.ts';
import { PersonalizeBody } from './http-schemas.ts';
import { startQueryServer, type QueryServer } from './server.ts';
import { catalogEvent } from './test-events.ts';

const cfg = loadConfig();
const prefix = `it-query-server-${Date.now()}-`;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const servers: QueryServer[] = [];

const start = (brokers: string[], catalogTopic: string) =>
  startQueryServer({
    port: 0,
    hostname: '127.0.0.1',
    redisUrl: cfg.redisUrl,
    databaseUrl: cfg.databaseUrl,
    namespace: prefix,
    keys: 'it-key',
    jwtSecret: undefined,
    nodeEnv: 'test',
    brokers,
    catalogTopic,
    log: quiet,
  }).then((s) => (servers.push(s), s));

const get = (server: QueryServer, path: string) =>
  fetch(`http://127.0.0.1:${server.port}${path}`, { headers: { authorization: 'Bearer it-key' } });

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await deleteTopicsWithPrefix(cfg.kafkaBrokers, prefix);
});

describe('query server with the catalogue', () => {
  it('serves feeds from the catalogue topic once it is loaded', async () => {
    const topic = `${prefix}events-catalog`;
    await createTopic(cfg.kafkaBrokers, topic, 2, { 'cleanup.policy': 'compact' });
    const soon = Date.now() + 3_600_000;
    const events = Array.from({ length: 30 }, (_, i) =>
      catalogEvent(`ev-${i}`, new Date(soon + i * 3_600_000).toISOString()),
    );
    await produceAll(
      cfg.kafkaBrokers,
      topic,
      events.map((e) => ({ key: e.id, value: e })),
    );
    const server = await start(cfg.kafkaBrokers, topic);
    let res: Response;
    const t0 = Date.now();
    while ((res = await get(server, '/api/v1/personalize?userId=nobody&limit=10')).status === 503) {
      expect(Date.now() - t0).toBeLessThan(30_000);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(res.status).toBe(200);
    const body = PersonalizeBody.parse(await res.json());
    expect(body.strategy).toBe('soonest');
    expect(body.items.map((i) => i.eventId)).toEqual(events.slice(0, 10).map((e) => e.id));
    await server.close();
  }, 60_000);

  it('serves profiles while Kafka is unreachable, answers feeds 503, and still closes promptly', async () => {
    const server = await start(['127.0.0.1:1'], `${prefix}events-catalog`);
    expect((await get(server, '/api/v1/users/nobody/profile')).status).toBe(404);
    const res = await get(server, '/api/v1/personalize?userId=nobody');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('CATALOGUE_LOADING');
    const t0 = Date.now();
    await server.close();
    expect(Date.now() - t0).toBeLessThan(5000);
  }, 60_000);
});

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../cli/config.ts';
import { startFaultProxy, type RunningFaultProxy } from './proxy.ts';

const cfg = loadConfig();
const table = `chaos_proxy_${Date.now().toString(36)}`;

let direct: pg.Client;
let proxy: RunningFaultProxy;
let pool: pg.Pool;

function viaProxy(databaseUrl: string, address: string): string {
  const url = new URL(databaseUrl);
  url.host = address;
  return url.toString();
}

const rowCount = async (id: number) =>
  Number((await direct.query(`select count(*) as n from ${table} where id = $1`, [id])).rows[0].n);

beforeAll(async () => {
  direct = new pg.Client({ connectionString: cfg.databaseUrl });
  await direct.connect();
  await direct.query(`create table ${table} (id int primary key, note text)`);
  const url = new URL(cfg.databaseUrl);
  proxy = await startFaultProxy({ host: url.hostname, port: Number(url.port || 5432) });
  pool = new pg.Pool({
    connectionString: viaProxy(cfg.databaseUrl, proxy.address),
    max: 2,
    connectionTimeoutMillis: 3000,
  });
  pool.on('error', () => undefined);
});

afterAll(async () => {
  await pool?.end().catch(() => undefined);
  await proxy?.close();
  await direct?.query(`drop table if exists ${table}`);
  await direct?.end();
});

describe('the fault proxy in front of PostgreSQL', () => {
  it('makes queries fail with a connection error while down, and recovers on up()', async () => {
    expect((await pool.query('select 1 as one')).rows[0].one).toBe(1);
    proxy.down();
    await expect(pool.query('select 1 as one')).rejects.toThrow(
      /terminated|ECONNRESET|closed|timeout|Connection/i,
    );
    await expect(pool.query('select 2 as two')).rejects.toThrow();
    proxy.up();
    expect((await pool.query('select 3 as three')).rows[0].three).toBe(3);
  });

  it('cutAfter("COMMIT"): the client gets an error while the server committed', async () => {
    const client = await pool.connect();
    client.on('error', () => undefined); // the reset also surfaces as an event on a checked-out client
    let broken: Error | undefined;
    try {
      await client.query('begin');
      await client.query(`insert into ${table} (id, note) values ($1, $2)`, [1, 'explicit transaction']);
      const cut = proxy.cutAfter('COMMIT');
      await expect(client.query('COMMIT')).rejects.toThrow();
      await cut;
      broken = new Error('cut by the proxy');
    } finally {
      client.release(broken);
    }
    expect(await rowCount(1)).toBe(1);
  });

  it('cuts an autocommit statement sent with the extended protocol after it committed', async () => {
    const cut = proxy.cutAfter(`insert into ${table}`);
    const note = 'x'.repeat(200_000); // spans many TCP chunks after the one holding the needle
    await expect(pool.query(`insert into ${table} (id, note) values ($1, $2)`, [2, note])).rejects.toThrow();
    await cut;
    expect(await rowCount(2)).toBe(1);
    // The pool replaces the broken connection.
    expect((await pool.query(`select note from ${table} where id = 2`)).rows[0].note).toBe(note);
  });

  it('leaves other connections alone while a cut is pending', async () => {
    const cut = proxy.cutAfter('never-sent-needle');
    expect((await pool.query('select 4 as four')).rows[0].four).toBe(4);
    await proxy.close().catch(() => undefined);
    await expect(cut).rejects.toThrow(/proxy closed/);
  });
});

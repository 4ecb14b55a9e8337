import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../cli/config.ts';
import { loadMigrations, migrate, MigrationError } from './migrator.ts';

const config = loadConfig();
const schema = `it_migrations_${process.pid}_${Date.now()}`;

async function clientInSchema(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: config.databaseUrl });
  await c.connect();
  // The test's own schema first (its tables), then public, where the database's extensions (pg_trgm,
  // earthdistance, ...) and their types live, as in a real deployment's default search_path.
  await c.query(`set search_path to ${schema}, public`);
  return c;
}

describe('PostgreSQL migrations', () => {
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: config.databaseUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
  });
  afterAll(async () => {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  });

  it('applies every migration once and is a no-op the second time', async () => {
    const c = await clientInSchema();
    try {
      const all = loadMigrations().map((m) => m.version);
      expect(await migrate(c)).toEqual(all);
      expect(await migrate(c)).toEqual([]);
      const { rows } = await c.query<{ version: number }>(
        'select version from schema_migrations order by version',
      );
      expect(rows.map((r) => r.version)).toEqual(all);
      await c.query("select * from sink_offsets where sink = 'x'");
    } finally {
      await c.end();
    }
  });

  it('lets concurrent starters apply each migration exactly once under the advisory lock', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mig-'));
    fs.writeFileSync(path.join(dir, '0001_a.sql'), 'create table conc_a (id int primary key);');
    fs.writeFileSync(path.join(dir, '0002_b.sql'), 'insert into conc_a values (1);');
    const ms = loadMigrations(dir);
    const clients = await Promise.all([clientInSchema(), clientInSchema(), clientInSchema()]);
    try {
      await clients[0].query('drop table if exists schema_migrations');
      const results = await Promise.all(clients.map((c) => migrate(c, ms)));
      expect(results.flat().sort()).toEqual([1, 2]);
      const { rows } = await clients[0].query<{ n: string }>('select count(*)::text as n from conc_a');
      expect(rows[0]!.n).toBe('1');
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it('refuses to run when an applied migration file was edited', async () => {
    const c = await clientInSchema();
    try {
      const edited = loadMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'changed' } : m));
      await expect(migrate(c, edited)).rejects.toBeInstanceOf(MigrationError);
    } finally {
      await c.end();
    }
  });
});

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/** Default folder of numbered SQL migrations, e.g. `0001_sink_offsets.sql`. Files are only ever appended. */
export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Arbitrary but fixed key for `pg_advisory_lock`, so concurrent starters apply migrations one at a time. */
const LOCK_KEY = 0x70756c73; // "puls"

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  readonly code = 'MIGRATION_FAILED';
  readonly retriable = false;
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const seen = new Set<number>();
  return files.map((file) => {
    const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw new MigrationError(`migration file ${file} must be named NNNN_name.sql`);
    const version = Number(m[1]);
    if (seen.has(version)) throw new MigrationError(`two migrations share version ${version}`);
    seen.add(version);
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    return { version, name: m[2] ?? file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

/**
 * Applies pending migrations in order, each in its own transaction, under a session advisory lock,
 * and records them in the `schema_migrations` ledger. An applied migration whose file changed is an
 * error (migrations are append-only). Returns the versions applied by this call (empty = no-op).
 */
export async function migrate(
  client: pg.ClientBase,
  migrations: Migration[] = loadMigrations(),
): Promise<number[]> {
  await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
  try {
    await client.query(`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await client.query<{ version: number; checksum: string; name: string }>(
      'select version, checksum, name from schema_migrations',
    );
    const applied = new Map(rows.map((r) => [r.version, r]));
    for (const m of migrations) {
      const prior = applied.get(m.version);
      if (prior && prior.checksum !== m.checksum) {
        throw new MigrationError(
          `migration ${m.version} (${m.name}) changed after it was applied; add a new migration instead`,
        );
      }
    }
    const done: number[] = [];
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await client.query('begin');
      try {
        await client.query(m.sql);
        await client.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new MigrationError(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      done.push(m.version);
    }
    return done;
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]);
  }
}

/**
 * A `prepare()` for a pool: applies the migrations once, on first use (a failure is retried on the
 * next call), so writers and readers that may start before anything migrated the database can
 * simply `await prepare()` before their first query.
 */
export function migrateOnce(pool: pg.Pool): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () =>
    (ready ??= (async () => {
      const c = await pool.connect();
      try {
        await migrate(c);
      } finally {
        c.release();
      }
    })().catch((err: unknown) => {
      ready = undefined;
      throw err;
    }));
}

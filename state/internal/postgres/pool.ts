import pg from 'pg';

// int8 (bigint) columns come back as strings by default; offsets and counts fit in a JS number's
// safe range for any realistic topic, but we keep them as bigint where exactness matters.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => BigInt(v));

export type PgPool = pg.Pool;

export function createPool(databaseUrl: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead
  return pool;
}

import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { aptInstall, isLoopback, isPortOpen, isRoot, run, waitUntil, which } from './process.ts';
import type { ServiceStatus, StackService } from './types.ts';

async function query(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return await client.query(sql, params);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function adminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

function binDir(): string | undefined {
  const onPath = which('pg_ctl');
  if (onPath) return path.dirname(onPath);
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'pg_ctl')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : undefined;
}

/**
 * PostgreSQL: reuse a server that answers at DATABASE_URL, else initialise and start one from the
 * system's binaries with data under .stack/postgres (trust auth, loopback only). Either way the
 * database named in the URL is created when missing.
 */
export function postgresService(opts: { stackDir: string; url: string }): StackService {
  const u = new URL(opts.url);
  const host = u.hostname || '127.0.0.1';
  const port = Number(u.port || 5432);
  const user = decodeURIComponent(u.username || 'postgres');
  const database = decodeURIComponent(u.pathname.replace(/^\//, '') || 'postgres');
  const dir = path.join(opts.stackDir, 'postgres');
  const dataDir = path.join(dir, 'data');
  const address = `${host}:${port}`;

  // initdb and postgres refuse to run as root: as root we run them as the `postgres` system user.
  const asOwner = (bin: string, args: string[]) =>
    isRoot() ? run('runuser', ['-u', 'postgres', '--', bin, ...args]) : run(bin, args);

  const ours = () => fs.existsSync(path.join(dataDir, 'postmaster.pid'));

  async function status(): Promise<ServiceStatus> {
    const open = await isPortOpen(host, port);
    let healthy = false;
    let detail: string | undefined;
    if (open) {
      try {
        const r = await query(opts.url, 'select current_setting($1) as v', ['server_version']);
        healthy = true;
        detail = `PostgreSQL ${(r.rows[0] as { v: string }).v}, database ${database}`;
      } catch (err) {
        detail = (err as Error).message;
      }
    }
    return {
      name: 'postgres',
      address,
      origin: open ? (ours() ? 'started' : 'found') : 'absent',
      healthy,
      detail,
    };
  }

  async function ensureDatabase(): Promise<void> {
    const exists = await query(adminUrl(opts.url), 'select 1 from pg_database where datname = $1', [
      database,
    ]);
    if (exists.rowCount === 0) {
      console.log(`stack: creating database ${database}`);
      await query(adminUrl(opts.url), `create database "${database.replaceAll('"', '""')}"`);
    }
  }

  async function up(): Promise<ServiceStatus> {
    if (!(await isPortOpen(host, port))) {
      if (!isLoopback(host))
        throw new Error(`PostgreSQL at ${address} is not reachable, and we only start servers on loopback`);
      let bin = binDir();
      if (!bin) {
        aptInstall(['postgresql'], 'PostgreSQL is not installed');
        bin = binDir();
        if (!bin) throw new Error('PostgreSQL binaries not found after installing');
      }
      fs.mkdirSync(dir, { recursive: true });
      if (isRoot()) run('chown', ['-R', 'postgres:postgres', dir]);
      if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
        console.log(`stack: initialising PostgreSQL in ${dataDir}`);
        asOwner(path.join(bin, 'initdb'), [
          '-D',
          dataDir,
          '-U',
          user,
          '--auth=trust',
          '-E',
          'UTF8',
          '--no-instructions',
        ]);
      }
      asOwner(path.join(bin, 'pg_ctl'), [
        '-D',
        dataDir,
        '-l',
        path.join(dir, 'postgres.log'),
        '-w',
        '-t',
        '60',
        '-o',
        `-p ${port} -c listen_addresses=${host} -k ${dir}`,
        'start',
      ]);
    }
    await waitUntil(
      `PostgreSQL on ${address}`,
      async () => {
        await query(adminUrl(opts.url), 'select 1');
        return true;
      },
      60_000,
    );
    await ensureDatabase();
    return status();
  }

  async function down(): Promise<string> {
    if (!ours()) return (await isPortOpen(host, port)) ? 'left running (not started by us)' : 'not running';
    const bin = binDir();
    if (!bin) return 'binaries missing';
    asOwner(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    return 'stopped';
  }

  return { name: 'postgres', up, down, status };
}

import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import {
  aptInstall,
  isLoopback,
  isPortOpen,
  pidAlive,
  readPid,
  spawnDetached,
  stopPid,
  waitUntil,
  which,
} from './process.ts';
import type { ServiceStatus, StackService } from './types.ts';

async function ping(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Redis: reuse one that answers at REDIS_URL, else start redis-server with data under .stack/redis. */
export function redisService(opts: { stackDir: string; url: string }): StackService {
  const u = new URL(opts.url);
  const host = u.hostname || '127.0.0.1';
  const port = Number(u.port || 6379);
  const dir = path.join(opts.stackDir, 'redis');
  const pidFile = path.join(dir, 'redis.pid');
  const address = `${host}:${port}`;
  const ownPid = () => {
    const pid = readPid(pidFile);
    return pid !== undefined && pidAlive(pid) ? pid : undefined;
  };

  async function status(): Promise<ServiceStatus> {
    const pid = ownPid();
    const open = await isPortOpen(host, port);
    const healthy = open && (await ping(opts.url));
    return {
      name: 'redis',
      address,
      origin: pid ? 'started' : open ? 'found' : 'absent',
      healthy,
      detail: pid ? `pid ${pid}` : undefined,
    };
  }

  async function up(): Promise<ServiceStatus> {
    if ((await status()).origin === 'absent') {
      if (!isLoopback(host))
        throw new Error(`Redis at ${address} is not reachable, and we only start servers on loopback`);
      if (!which('redis-server')) aptInstall(['redis-server'], 'Redis is not installed');
      fs.mkdirSync(dir, { recursive: true });
      const pid = spawnDetached(
        'redis-server',
        [
          '--bind',
          host,
          '--port',
          String(port),
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
        ],
        { logFile: path.join(dir, 'redis.log') },
      );
      fs.writeFileSync(pidFile, String(pid));
    }
    await waitUntil(`Redis on ${address}`, () => ping(opts.url), 30_000);
    return status();
  }

  async function down(): Promise<string> {
    const pid = ownPid();
    if (!pid) return (await isPortOpen(host, port)) ? 'left running (not started by us)' : 'not running';
    await stopPid(pid);
    fs.rmSync(pidFile, { force: true });
    return `stopped pid ${pid}`;
  }

  return { name: 'redis', up, down, status };
}

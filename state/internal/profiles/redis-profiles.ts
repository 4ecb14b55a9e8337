import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ProfileSink, VersionedProfile } from './profile-sink.ts';

// Compare-and-set on the version, atomically in Redis: an older or equal version never overwrites.
const CAS = `
local cur = redis.call('HGET', KEYS[1], 'version')
if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'updatedAt', ARGV[2], 'profile', ARGV[3])
return 1`;

type CasRedis = Redis & {
  profileCas(key: string, version: string, updatedAt: string, profile: string): Promise<number>;
};

/** Profile snapshots in Redis: one hash per user at `<prefix>profile:<userId>`. */
export class RedisProfileStore implements ProfileSink {
  readonly name = 'redis';
  readonly serving = true;
  private readonly redis: CasRedis;

  constructor(
    url: string,
    private readonly prefix = '',
  ) {
    this.redis = new Redis(url, {
      maxRetriesPerRequest: 2,
      enableAutoPipelining: true,
      lazyConnect: false,
    }) as CasRedis;
    this.redis.on('error', () => undefined); // surfaced by the failing command instead
    this.redis.defineCommand('profileCas', { numberOfKeys: 1, lua: CAS });
  }

  key(userId: string): string {
    return `${this.prefix}profile:${userId}`;
  }

  /** `<prefix>profiles:generation`: outside the `profile:*` key space on purpose. */
  get generationKey(): string {
    return `${this.prefix}profiles:generation`;
  }

  async generation(): Promise<{ id: string; created: boolean }> {
    for (;;) {
      const fresh = randomUUID();
      if ((await this.redis.set(this.generationKey, fresh, 'NX')) === 'OK')
        return { id: fresh, created: true };
      const id = await this.redis.get(this.generationKey);
      if (id !== null) return { id, created: false };
      // Deleted between the two commands (the store was flushed again): try again.
    }
  }

  async write(batch: VersionedProfile[]): Promise<number> {
    if (batch.length === 0) return 0;
    const p = this.redis.pipeline() as unknown as {
      profileCas: (...a: string[]) => void;
      exec(): Promise<Array<[Error | null, unknown]> | null>;
    };
    for (const u of batch)
      p.profileCas(this.key(u.userId), String(u.version), String(u.updatedAt), JSON.stringify(u.profile));
    const results = (await p.exec()) ?? [];
    let written = 0;
    for (const [err, r] of results) {
      if (err) throw err;
      written += Number(r);
    }
    return written;
  }

  async get(userId: string): Promise<VersionedProfile | undefined> {
    const h = await this.redis.hgetall(this.key(userId));
    if (!h.version) return undefined;
    return {
      userId,
      version: Number(h.version),
      updatedAt: Number(h.updatedAt),
      profile: JSON.parse(h.profile ?? 'null'),
    };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

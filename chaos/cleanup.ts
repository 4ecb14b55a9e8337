/** Removal of what a chaos run created on the shared stack. */
import { Redis } from 'ioredis';
import type { AppConfig } from '../cli/config.ts';
import type { KafkaAdmin } from '../runtime/index.ts';
import { createPool } from '../state/index.ts';

/** Deletes the namespace's topics, Redis keys and PostgreSQL rows. */
export async function cleanUp(admin: KafkaAdmin | undefined, config: AppConfig, ns: string): Promise<void> {
  if (admin) {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(ns));
    if (topics.length) await admin.deleteTopics({ topics });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(ns));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  }
  const pool = createPool(config.databaseUrl, 1);
  await pool.query('delete from user_profiles where namespace = $1', [ns]).catch(() => undefined);
  await pool.end();
  const redis = new Redis(config.redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${ns}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

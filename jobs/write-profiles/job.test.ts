import { describe, expect, it } from 'vitest';
import { TestDriver } from '../../runtime/testing/index.ts';
import type { ProfileSink, VersionedProfile } from '../../state/index.ts';
import { writeProfilesJob } from './job.ts';

class FakeSink implements ProfileSink {
  readonly rows = new Map<string, VersionedProfile>();
  batches: number[] = [];
  failing = false;
  constructor(
    readonly name = 'fake',
    readonly serving = false,
  ) {}
  write(batch: VersionedProfile[]): Promise<number> {
    if (this.failing) return Promise.reject(new Error(`${this.name} is down`));
    this.batches.push(batch.length);
    let n = 0;
    for (const u of batch) {
      const cur = this.rows.get(u.userId);
      if (!cur || cur.version < u.version) {
        this.rows.set(u.userId, u);
        n++;
      }
    }
    return Promise.resolve(n);
  }
  get(userId: string): Promise<VersionedProfile | undefined> {
    return Promise.resolve(this.rows.get(userId));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const profile = {
  interests: {},
  eventCounts: { VIEW: 0, CLICK: 0, LIKE: 0, SAVE: 0, SHARE: 0, PURCHASE: 0, DISMISS: 0 },
  totalEvents: 0,
  lastEventAt: 0,
  recentItems: [],
  dismissedItems: [],
  purchasedItems: [],
  activityScore: 0,
  home: null,
};

describe('write-profiles', () => {
  it('writes the newest version per user at commit, in batches, and never an older one', async () => {
    const sink = new FakeSink();
    const d = await TestDriver.create(writeProfilesJob({ sinks: () => [sink] }), { partitions: 2 });
    for (const v of [1, 3, 2])
      await d.pipe('updates', 'u1', { userId: 'u1', version: v, updatedAt: v, profile });
    await d.pipe('updates', 'u2', { userId: 'u2', version: 1, updatedAt: 1, profile });
    expect(sink.rows.size).toBe(0); // nothing before the commit
    await d.commit();
    expect(sink.rows.get('u1')?.version).toBe(3);
    expect(sink.rows.get('u2')?.version).toBe(1);
    await d.pipe('updates', 'u1', { userId: 'u1', version: 2, updatedAt: 9, profile });
    await d.commit();
    expect(sink.rows.get('u1')?.version).toBe(3);
    await d.close();
  });

  it('writes serving sinks within the serving interval and the others only at commit', async () => {
    const redis = new FakeSink('redis', true);
    const pg = new FakeSink('postgres');
    const d = await TestDriver.create(writeProfilesJob({ sinks: () => [redis, pg], servingIntervalMs: 20 }), {
      partitions: 1,
    });
    await d.pipe('updates', 'u1', { userId: 'u1', version: 4, updatedAt: 4, profile });
    await d.advanceTime(20);
    expect(redis.rows.get('u1')?.version).toBe(4);
    expect(pg.rows.size).toBe(0);
    await d.commit();
    expect(pg.rows.get('u1')?.version).toBe(4);
    // Between commits the durable sink is written in the background every durableIntervalMs.
    await d.pipe('updates', 'u1', { userId: 'u1', version: 5, updatedAt: 5, profile });
    await d.advanceTime(100);
    expect(pg.rows.get('u1')?.version).toBe(4);
    await d.advanceTime(160);
    expect(pg.rows.get('u1')?.version).toBe(5);
    await d.close();
  });

  it('leaves what a failed serving write missed to the commit, which writes it', async () => {
    const redis = new FakeSink('redis', true);
    const d = await TestDriver.create(writeProfilesJob({ sinks: () => [redis], servingIntervalMs: 20 }), {
      partitions: 1,
    });
    redis.failing = true;
    await d.pipe('updates', 'u1', { userId: 'u1', version: 2, updatedAt: 2, profile });
    await d.advanceTime(20);
    expect(redis.rows.size).toBe(0);
    redis.failing = false;
    await d.advanceTime(20); // nothing left for the punctuator: the update waits for the commit
    await d.commit();
    expect(redis.rows.get('u1')?.version).toBe(2);
    await d.close();
  });
});

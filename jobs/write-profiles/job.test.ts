import { describe, expect, it, vi } from 'vitest';
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

/** A serving sink that can lose its data, with a generation like RedisProfileStore's. */
class FakeServing extends FakeSink {
  gen: string | undefined;
  private n = 0;
  constructor() {
    super('redis', true);
  }
  generation(): Promise<{ id: string; created: boolean }> {
    if (this.failing) return Promise.reject(new Error('redis is down'));
    if (this.gen) return Promise.resolve({ id: this.gen, created: false });
    this.gen = `g${++this.n}`;
    return Promise.resolve({ id: this.gen, created: true });
  }
  wipe(): void {
    this.rows.clear();
    this.gen = undefined;
  }
  /** Writes that fail before the sink works again (the generation still answers). */
  failWrites = 0;
  override write(batch: VersionedProfile[]): Promise<number> {
    if (this.failWrites > 0) {
      this.failWrites--;
      return Promise.reject(new Error('redis went away mid-copy'));
    }
    return super.write(batch);
  }
}

/** A durable sink that can list its rows, like PgProfileStore. */
class FakeDurable extends FakeSink {
  scans = 0;
  constructor() {
    super('postgres', false);
  }
  scan(after: string, limit: number): Promise<VersionedProfile[]> {
    this.scans++; // `failing` fails writes only
    const ids = [...this.rows.keys()].filter((id) => id > after).sort();
    return Promise.resolve(ids.slice(0, limit).map((id) => this.rows.get(id)!));
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

  it('writes the durable sink at commit even while the serving sink is down', async () => {
    const redis = new FakeSink('redis', true);
    const pg = new FakeSink('postgres');
    const d = await TestDriver.create(writeProfilesJob({ sinks: () => [redis, pg] }), { partitions: 1 });
    redis.failing = true;
    await d.pipe('updates', 'u1', { userId: 'u1', version: 3, updatedAt: 3, profile });
    // The test driver does not retry: the commit fails (the runtime would retry it with backoff).
    await expect(d.commit()).rejects.toThrow(/retriable/);
    expect(pg.rows.get('u1')?.version).toBe(3);
    expect(redis.rows.size).toBe(0);
    redis.failing = false;
    await d.commit();
    expect(redis.rows.get('u1')?.version).toBe(3);
    await d.close();
  });

  it('rebuilds a serving sink that lost its data from the durable sink and the updates it has not confirmed', async () => {
    const redis = new FakeServing();
    const pg = new FakeDurable();
    const d = await TestDriver.create(
      writeProfilesJob({ sinks: () => [redis, pg], servingIntervalMs: 20, rebuildCheckMs: 1000 }),
      { partitions: 2 },
    );
    for (const u of ['u1', 'u2', 'u3'])
      await d.pipe('updates', u, { userId: u, version: 1, updatedAt: 1, profile });
    await d.commit();
    await d.advanceTime(20);
    await vi.waitFor(() => expect(redis.gen).toBe('g1'));
    // The durable sink falls behind: u1's version 2 reaches the serving sink only.
    pg.failing = true;
    await d.pipe('updates', 'u1', { userId: 'u1', version: 2, updatedAt: 2, profile });
    await d.advanceTime(20);
    expect(redis.rows.get('u1')?.version).toBe(2);
    expect(pg.rows.get('u1')?.version).toBe(1);

    redis.wipe(); // e.g. Redis restarted without persistence
    await d.advanceTime(1000);
    await vi.waitFor(() => expect(redis.rows.size).toBe(3));
    expect(pg.rows.get('u1')?.version).toBe(1);
    expect(redis.gen).toBe('g2');
    expect(redis.rows.get('u1')?.version).toBe(2); // not confirmed by the durable sink: from the lane
    expect(redis.rows.get('u2')?.version).toBe(1); // from the durable sink
    expect(redis.rows.get('u3')?.version).toBe(1);
    pg.failing = false;
    await d.close();
  });

  it('starts a copy cut short over again instead of adopting the generation it created', async () => {
    const redis = new FakeServing(); // empty: no generation yet, as after a restart without persistence
    const pg = new FakeDurable();
    for (const u of ['u1', 'u2', 'u3']) pg.rows.set(u, { userId: u, version: 7, updatedAt: 7, profile });
    redis.failWrites = 1; // the first copy fails after creating the generation
    const d = await TestDriver.create(
      writeProfilesJob({ sinks: () => [redis, pg], servingIntervalMs: 20, rebuildCheckMs: 100 }),
      { partitions: 1 },
    );
    await d.advanceTime(20);
    await vi.waitFor(() => expect(pg.scans).toBe(1));
    expect(redis.gen).toBe('g1');
    expect(redis.rows.size).toBe(0);
    // Later checks (the failed one settles in the background) copy everything.
    await vi.waitFor(async () => {
      await d.advanceTime(100);
      expect(redis.rows.size).toBe(3);
    });
    expect(redis.gen).toBe('g1');
    expect(redis.rows.get('u2')?.version).toBe(7);
    await d.close();
  });

  it('does not copy anything while the serving generation stays the same', async () => {
    const redis = new FakeServing();
    redis.gen = 'existing'; // another worker created it
    const pg = new FakeDurable();
    const d = await TestDriver.create(
      writeProfilesJob({ sinks: () => [redis, pg], servingIntervalMs: 20, rebuildCheckMs: 100 }),
      { partitions: 1 },
    );
    await d.pipe('updates', 'u1', { userId: 'u1', version: 1, updatedAt: 1, profile });
    for (let i = 0; i < 10; i++) await d.advanceTime(100);
    await d.commit();
    expect(pg.scans).toBe(0);
    expect(redis.gen).toBe('existing');
    await d.close();
  });
});

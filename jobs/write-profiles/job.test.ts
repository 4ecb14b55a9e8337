import { describe, expect, it } from 'vitest';
import { TestDriver } from '../../runtime/testing/index.ts';
import type { ProfileSink, VersionedProfile } from '../../state/index.ts';
import { writeProfilesJob } from './job.ts';

class FakeSink implements ProfileSink {
  readonly name = 'fake';
  readonly rows = new Map<string, VersionedProfile>();
  batches: number[] = [];
  write(batch: VersionedProfile[]): Promise<number> {
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
});

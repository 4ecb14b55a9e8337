import { describe, expect, it } from 'vitest';
import type { ProfileUpdate } from '../../model/index.ts';
import { TestDriver } from '../../runtime/testing/index.ts';
import { aggregateProfilesJob } from './job.ts';
import { recomputeProfiles } from './profile.ts';
import { DAY, ev, rng, shuffle } from './test-events.ts';

describe('aggregate-profiles', () => {
  it("sends a quiet user's first update at once and coalesces the rest of the interval into one", async () => {
    const d = await TestDriver.create(aggregateProfilesJob());
    const events = [0, 1, 2, 3, 4].map((i) =>
      ev({ type: i === 2 ? 'LIKE' : 'VIEW', timestamp: i * DAY, itemId: `i${i}`, city: 'Lyon' }),
    );
    for (const e of events) await d.pipe('events', e.userId, e);
    // The first event goes out at once (version 1); the next four wait for the interval to pass.
    expect(d.readOutput<ProfileUpdate>('updates').map((o) => o.value.version)).toEqual([1]);
    await d.commit(); // the mark is state: committed with the profile it announces
    expect(await d.readStore('pending')).toEqual(new Map([['u1', true]]));
    await d.advanceTime(50);
    expect(d.readOutput('updates')).toHaveLength(1); // at most one update per user per interval
    await d.advanceTime(50);
    const out = d.readOutput<ProfileUpdate>('updates');
    expect(out).toHaveLength(2);
    expect(out[1]!.key).toBe('u1');
    expect(out[1]!.value).toEqual({
      userId: 'u1',
      version: events.length, // the offset after the last event applied for u1
      updatedAt: 100,
      profile: recomputeProfiles(events).get('u1'),
    });
    expect(await d.readStore('pending')).toEqual(new Map());
    await d.close();
  });

  it('versions updates by the position of the last applied event and stays quiet when nothing changed', async () => {
    const d = await TestDriver.create(aggregateProfilesJob());
    const a = ev({ timestamp: 1 });
    await d.pipe('events', 'u1', a);
    await d.advanceTime(1000);
    await d.advanceTime(1000);
    await d.pipe('events', 'u1', a); // a retry: changes nothing, so no update
    await d.advanceTime(1000);
    const b = ev({ timestamp: 2 });
    await d.pipe('events', 'u1', b);
    await d.advanceTime(1000);
    const out = d.readOutput<ProfileUpdate>('updates').map((o) => o.value);
    // Offsets: a = 0, the retry of a = 1 (ignored), b = 2.
    expect(out.map((u) => [u.version, u.updatedAt, u.profile.totalEvents])).toEqual([
      [1, 0, 1],
      [3, 3000, 2],
    ]);
    expect((await d.readStore<{ version: number }>('profiles')).get('u1')!.version).toBe(3);
    await d.close();
  });

  it('publishes, per user, the profile recomputeProfiles gives for the same input', async () => {
    const d = await TestDriver.create(aggregateProfilesJob({ namespace: 't-' }), { partitions: 3 });
    const rand = rng(7);
    const events = Array.from({ length: 120 }, (_, i) =>
      ev({
        userId: `u${i % 5}`,
        type: (['VIEW', 'CLICK', 'DISMISS', 'PURCHASE'] as const)[i % 4],
        timestamp: Math.floor(rand() * 10 * DAY),
        itemId: `item${Math.floor(rand() * 30)}`,
        categories: i % 3 ? ['music', 'dance'] : ['cinema'],
        city: i % 2 ? 'Lyon' : 'Oslo',
      }),
    );
    const input = shuffle(events, rand);
    for (let i = 0; i < input.length; i++) {
      await d.pipe('events', input[i]!.userId, input[i]);
      if (i % 25 === 24) await d.advanceTime(1000);
    }
    await d.advanceTime(1000);
    const latest = new Map<string, ProfileUpdate>();
    for (const o of d.readOutput<ProfileUpdate>('t-user-profile-updates')) {
      const prev = latest.get(o.key!);
      expect(o.value.version).toBeGreaterThan(prev?.version ?? 0);
      latest.set(o.key!, o.value);
    }
    const expected = recomputeProfiles(events);
    expect([...latest.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [userId, p] of expected) {
      const { interests, activityScore, ...rest } = latest.get(userId)!.profile;
      const { interests: ei, activityScore: es, ...erest } = p;
      expect(rest).toEqual(erest);
      expect(activityScore).toBeCloseTo(es, 12);
      for (const c of Object.keys(ei) as Array<keyof typeof ei>) expect(interests[c]).toBeCloseTo(ei[c]!, 9);
    }
    await d.close();
  });

  it('dead-letters an invalid record and goes on', async () => {
    const d = await TestDriver.create(aggregateProfilesJob());
    await d.pipe('events', 'u1', { ...ev(), eventType: 'HOVER' });
    await d.pipeRaw('events', 'u1', Buffer.from('{nope'));
    await d.pipe('events', 'u1', ev());
    await d.advanceTime(1000);
    expect(d.readDeadLetters().map((r) => r.headers['pulse.error.code'])).toEqual([
      'SCHEMA_INVALID',
      'JSON_INVALID',
    ]);
    const out = d.readOutput<ProfileUpdate>('updates');
    expect(out.map((o) => o.value.profile.totalEvents)).toEqual([1]);
    await d.close();
  });
});

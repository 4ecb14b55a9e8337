import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from './api.ts';
import { TestDriver } from './test-driver.ts';

const Item = z.object({ title: z.string(), city: z.string() });

const joinJob = defineJob({
  name: 'join-items',
  inputs: { clicks: { topic: 'clicks', schema: z.object({ user: z.string(), itemId: z.string() }) } },
  globals: { items: { topic: 'items', schema: Item } },
  outputs: { joined: { topic: 'joined' } },
  processor: () => ({
    process(r, ctx) {
      const item = ctx.global('items').get(r.value.itemId);
      ctx.emit('joined', r.value.user, { user: r.value.user, city: item?.city ?? null });
    },
  }),
});

describe('global tables', () => {
  it('every task sees the whole table, updates and deletes included; invalid values are skipped', async () => {
    const d = await TestDriver.create(joinJob, { partitions: 4 });
    d.pipeGlobal('items', 'e1', { title: 'Tosca', city: 'Berlin' });
    d.pipeGlobal('items', 'e2', { title: 'broken' }); // no city: fails the schema, skipped
    for (const u of ['a', 'b', 'c', 'd', 'e', 'f']) await d.pipe('clicks', u, { user: u, itemId: 'e1' });
    d.pipeGlobal('items', 'e1', { title: 'Tosca', city: 'Paris' });
    await d.pipe('clicks', 'a', { user: 'a', itemId: 'e1' });
    await d.pipe('clicks', 'a', { user: 'a', itemId: 'e2' });
    d.pipeGlobal('items', 'e1', null);
    await d.pipe('clicks', 'b', { user: 'b', itemId: 'e1' });
    const cities = d.readOutput<{ city: string | null }>('joined').map((o) => o.value.city);
    expect(cities).toEqual(['Berlin', 'Berlin', 'Berlin', 'Berlin', 'Berlin', 'Berlin', 'Paris', null, null]);
    await d.close();
  });
});

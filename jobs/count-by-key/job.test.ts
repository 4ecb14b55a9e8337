import { describe, expect, it } from 'vitest';
import { TestDriver } from '../../runtime/testing/index.ts';
import { countByKeyJob } from './job.ts';

describe('count-by-key', () => {
  it('counts records per key and emits the running count', async () => {
    const d = await TestDriver.create(countByKeyJob(), { partitions: 3 });
    for (const k of ['a', 'b', 'a', 'c', 'a']) await d.pipe('records', k, { key: k });
    expect(Object.fromEntries(await d.readStore('counts'))).toEqual({ a: 3, b: 1, c: 1 });
    expect(
      d
        .readOutput('counts')
        .filter((o) => o.key === 'a')
        .map((o) => o.value),
    ).toEqual([
      { key: 'a', count: 1 },
      { key: 'a', count: 2 },
      { key: 'a', count: 3 },
    ]);
    await d.close();
  });

  it('dead-letters records that fail the schema, with reason and origin, and keeps counting', async () => {
    const d = await TestDriver.create(countByKeyJob());
    await d.pipe('records', 'a', { key: 'a' });
    await d.pipeRaw('records', 'bad', Buffer.from('{not json'));
    await d.pipe('records', 'x', { key: 42 });
    await d.pipe('records', 'a', { key: 'a' });
    const dlq = d.readDeadLetters();
    expect(dlq.map((r) => r.headers['pulse.error.code'])).toEqual(['JSON_INVALID', 'SCHEMA_INVALID']);
    expect(dlq[0]!.value!.toString()).toBe('{not json');
    expect(dlq[1]!.headers['pulse.error.message']).toContain('key');
    expect(dlq[1]!.headers['pulse.source.offset']).toBe('2');
    expect((await d.readStore('counts')).get('a')).toBe(2);
    await d.close();
  });
});

import { z } from 'zod';
import { defineJob } from '../../runtime/index.ts';

export const CountInput = z.object({ key: z.string().min(1), n: z.number().int().optional() });
export const CountOutput = z.object({ key: z.string(), count: z.number().int() });

/**
 * The smallest stateful job: counts records per key. The runtime's own tests (crash, migration,
 * poison records, replay) and `pulse bench runtime` run it.
 */
export function countByKeyJob(
  opts: {
    namespace?: string;
    name?: string;
    guarantee?: 'at_least_once' | 'exactly_once';
    commitIntervalMs?: number;
  } = {},
) {
  const ns = opts.namespace ?? '';
  const name = `${ns}${opts.name ?? 'count-by-key'}`;
  return defineJob({
    name,
    description: 'counts records per key',
    inputs: { records: { topic: `${ns}counter-input`, schema: CountInput } },
    stores: { counts: { schema: z.number().int() } },
    outputs: { counts: { topic: `${name}-counts`, schema: CountOutput } },
    guarantee: opts.guarantee,
    commitIntervalMs: opts.commitIntervalMs,
    processor: () => ({
      async process(record, ctx) {
        const counts = ctx.store('counts');
        const key = record.value.key;
        const count = ((await counts.get(key)) ?? 0) + 1;
        counts.put(key, count);
        ctx.emit('counts', key, { key, count });
      },
    }),
  });
}

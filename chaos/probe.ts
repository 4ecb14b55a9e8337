/**
 * The final probe of a chaos run: once the scenario's faults are over and the load is posted, one
 * more event for every user of the workload. Faults often end after the last event of the load
 * (restarts are slow on a small machine), and a task whose state was restored wrongly (an update
 * lost or applied twice, state rebuilt from damaged files) only shows it in the profiles when an
 * event arrives for its users afterwards; the probe makes every user's state, as restored, fold one
 * more event, which the recomputation includes like every record of the input topic (as the
 * runtime's own guarantee test does with one more record per key).
 */
import { DEFAULT_BASE_TIME, type PostedEvent, type Workload } from './workload.ts';

/** EventIds of the probe events start with this (they are not the workload's). */
export const PROBE_PREFIX = 'chaos-probe-';

const BATCH = 500;

/** The probe event of user `u`: a view of a catalogue event, just after the load's time span. */
export function probeEvent(workload: Workload, u: number): PostedEvent {
  const item = workload.catalogue[u % workload.catalogue.length]!;
  return {
    eventId: `${PROBE_PREFIX}${u}`,
    userId: `user-${u}`,
    eventType: 'VIEW',
    timestamp: DEFAULT_BASE_TIME + 2 * 86_400_000 + 3_600_000,
    context: { itemId: item.id, device: 'web', geo: 'DE' },
  };
}

/**
 * Posts the probe (`POST /events/batch`, a failed batch retried with the same events for up to a
 * minute); returns how many events the API accepted.
 */
export async function postProbe(opts: { url: string; key: string; workload: Workload }): Promise<number> {
  let accepted = 0;
  for (let from = 0; from < opts.workload.users; from += BATCH) {
    const events = [];
    for (let u = from; u < Math.min(from + BATCH, opts.workload.users); u++)
      events.push(probeEvent(opts.workload, u));
    const body = JSON.stringify(events);
    const giveUpAt = Date.now() + 60_000;
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${opts.url}/events/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.key}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(30_000),
      }).catch(() => undefined);
      if (res?.status === 202 || res?.status === 207) {
        const answer = (await res.json()) as { accepted?: unknown[] };
        accepted += answer.accepted?.length ?? 0;
        break;
      }
      await res?.body?.cancel();
      if (Date.now() > giveUpAt) break;
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * attempt)));
    }
  }
  return accepted;
}

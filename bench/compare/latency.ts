/**
 * End-to-end latency of a running system, measured the same way for every system: fresh events
 * for fresh users are produced to `raw-user-events` at a fixed rate; the output topic is created
 * with `message.timestamp.type=LogAppendTime`, so each profile update carries the moment the broker
 * appended it. A user's events are produced in order to one partition, so the update whose
 * `totalEvents` is k holds the user's first k events: every event's latency is the append time of
 * the first update that holds it minus the moment it was handed to the producer. Exactly-once
 * systems are read with read_committed, so their latency includes the transaction commit.
 */
import { ReaderConsumer, TrackedProducer } from '../../runtime/index.ts';
import type { ProfileUpdate, UserEvent } from '../../model/index.ts';
import { Rng } from '../workload.ts';
import { makeEvent } from './workload.ts';

export interface LatencyResult {
  /** Offered rate (events/s) and the rate actually produced. */
  rate: number;
  achievedRate: number;
  sent: number;
  seen: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export function percentile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function measureLatency(o: {
  brokers: string[];
  rawTopic: string;
  updatesTopic: string;
  partitions: number;
  rate: number;
  seconds: number;
  /** Events of the first `warmupSeconds` are sent but not counted. */
  warmupSeconds: number;
  users: number;
  /** Distinguishes the users of one probe from every other probe's. */
  tag: string;
  catalogEvents: number;
  seed: number;
  /** Every event sent, so the caller can include them in the expected profiles. */
  onSent?: (e: UserEvent) => void;
  /** How long to wait for the last events' updates after the last send. */
  drainMs?: number;
}): Promise<LatencyResult> {
  const rng = new Rng(o.seed);
  // Per user: send time of each event (index k-1 for the k-th), and how many have been seen.
  const sentAt = new Map<string, number[]>();
  const seenUpTo = new Map<string, number>();
  const countFrom = new Map<string, number>();
  const latencies: number[] = [];
  let seen = 0;

  const reader = new ReaderConsumer(o.brokers, `compare-latency-${process.pid}`, 'read_committed');
  await reader.connect();
  const tps = Array.from({ length: o.partitions }, (_, partition) => ({ topic: o.updatesTopic, partition }));
  const starts = await Promise.all(tps.map((tp) => reader.watermarks(tp)));
  reader.raw.assign(tps.map((tp, i) => ({ ...tp, offset: starts[i]!.high })));
  let reading = true;
  const readLoop = (async () => {
    while (reading) {
      const msgs = await new Promise<Array<{ value: Buffer | null; timestamp?: number }>>((resolve) =>
        reader.raw.consume(5000, (_err, m) => resolve(m ?? [])),
      );
      for (const m of msgs) {
        if (!m.value || m.timestamp === undefined) continue;
        const u = JSON.parse(m.value.toString()) as ProfileUpdate;
        const times = sentAt.get(u.userId);
        if (!times) continue;
        const from = seenUpTo.get(u.userId) ?? 0;
        const to = Math.min(u.profile.totalEvents, times.length);
        const counted = countFrom.get(u.userId) ?? Infinity;
        for (let k = from; k < to; k++) {
          if (k >= counted) latencies.push(m.timestamp - times[k]!);
          seen++;
        }
        if (to > from) seenUpTo.set(u.userId, to);
      }
    }
  })();

  const producer = new TrackedProducer(o.brokers, `compare-latency-producer-${process.pid}`);
  await producer.connect();
  const tickMs = 10;
  const perTick = o.rate * (tickMs / 1000);
  const total = Math.round(o.rate * (o.warmupSeconds + o.seconds));
  const countFromIndex = Math.round(o.rate * o.warmupSeconds);
  const t0 = performance.now();
  let sent = 0;
  let countedSent = 0;
  let tCount = t0;
  try {
    for (let tick = 1; sent < total; tick++) {
      const due = Math.min(total, Math.round(perTick * tick));
      for (; sent < due; sent++) {
        if (sent === countFromIndex) tCount = performance.now();
        const userId = `lat-${o.tag}-${String(sent % o.users).padStart(6, '0')}`;
        const e = makeEvent(rng, {
          eventId: `${o.tag}-${sent}`,
          userId,
          timestamp: Date.now(),
          itemIndex: rng.int(o.catalogEvents),
        });
        let times = sentAt.get(userId);
        if (!times) sentAt.set(userId, (times = []));
        if (sent >= countFromIndex) {
          countedSent++;
          if (!countFrom.has(userId)) countFrom.set(userId, times.length);
        }
        times.push(Date.now());
        producer.produce({ topic: o.rawTopic, key: userId, value: JSON.stringify(e) });
        o.onSent?.(e);
      }
      const wait = t0 + tick * tickMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const tEnd = performance.now();
    await producer.flushAll();
    // Wait for the last updates (or give up after drainMs: unseen events count as not delivered).
    const deadline = Date.now() + (o.drainMs ?? 30_000);
    while (seen < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    reading = false;
    await readLoop;
    latencies.sort((a, b) => a - b);
    return {
      rate: o.rate,
      achievedRate: countedSent / ((tEnd - tCount) / 1000),
      sent: countedSent,
      seen: latencies.length,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      maxMs: latencies.length ? latencies[latencies.length - 1]! : null,
    };
  } finally {
    reading = false;
    await readLoop.catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await reader.disconnect();
  }
}

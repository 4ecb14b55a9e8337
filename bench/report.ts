/** The benchmark's result as one JSON-able object, and as the table `pulse bench runtime` prints. */
import type { CeilingResult } from './ceiling.ts';
import type { JobRunResult } from './job-run.ts';
import type { RestoreResult } from './restore.ts';
import { MiB } from './rss.ts';

export const TARGET_RATIO = 0.7;

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryMiB: number;
  node: string;
  librdkafka: string;
  platform: string;
  loadAverage: number[];
}

export interface WorkloadSummary {
  topic: string;
  records: number;
  keys: number;
  partitions: number;
  zipfS: number;
  avgValueBytes: number;
  produceSeconds: number;
}

export interface Row {
  name: string;
  eventsPerSec: number;
  ratioToCeiling: number | undefined;
  cpuSecondsPerMillion: number | undefined;
  peakRssMiB: number | undefined;
  notes: string;
}

export interface BenchReport {
  runId: string;
  machine: Machine;
  workload: WorkloadSummary;
  rows: Row[];
  ceiling: CeilingResult;
  atLeastOnce: JobRunResult;
  exactlyOnce: JobRunResult | null;
  restore: RestoreResult | null;
  target: { ratio: number; atLeastOnceRatio: number; met: boolean };
}

const commitNote = (commits: number | undefined, seconds: number | undefined) =>
  commits && seconds !== undefined
    ? `${commits} commits avg ${((seconds / commits) * 1000).toFixed(0)} ms`
    : '';

const perMillion = (cpu: number | undefined, n: number) =>
  cpu === undefined || n === 0 ? undefined : (cpu / n) * 1e6;
const mib = (bytes: number | undefined) => (bytes ? bytes / MiB : undefined);

export function buildReport(parts: {
  runId: string;
  machine: Machine;
  workload: WorkloadSummary;
  ceiling: CeilingResult;
  alos: JobRunResult;
  eos: JobRunResult | undefined;
  restore: RestoreResult | undefined;
  commitIntervals: { alos: number; eos: number };
}): BenchReport {
  const { ceiling, alos, eos, restore } = parts;
  const ratio = (r: number) => r / ceiling.eventsPerSec;
  const jobNotes = (r: JobRunResult, extra: string) =>
    [
      extra,
      commitNote(r.commits, r.commitSeconds),
      r.consumedSeconds !== undefined ? `all consumed at ${r.consumedSeconds.toFixed(1)} s` : '',
      r.recordsIn !== undefined && r.recordsIn !== r.records ? `${r.recordsIn} records in` : '',
      r.deadLettered ? `${r.deadLettered} dead-lettered` : '',
    ]
      .filter(Boolean)
      .join('; ');
  const met = ratio(alos.eventsPerSec) >= TARGET_RATIO;
  const rows: Row[] = [
    {
      name: 'ceiling',
      eventsPerSec: ceiling.eventsPerSec,
      ratioToCeiling: 1,
      cpuSecondsPerMillion: perMillion(ceiling.cpuSeconds, ceiling.records),
      peakRssMiB: mib(ceiling.peakRssBytes),
      notes:
        `consume, JSON.parse, produce; flush + commit every ${parts.commitIntervals.alos} ms; ` +
        commitNote(ceiling.commits, ceiling.commitSeconds),
    },
    {
      name: 'runtime at-least-once',
      eventsPerSec: alos.eventsPerSec,
      ratioToCeiling: ratio(alos.eventsPerSec),
      cpuSecondsPerMillion: perMillion(alos.cpuSeconds, alos.records),
      peakRssMiB: mib(alos.peakRssBytes),
      notes: jobNotes(alos, `target ≥ ${TARGET_RATIO.toFixed(2)}: ${met ? 'met' : 'NOT met'}`),
    },
  ];
  if (eos)
    rows.push({
      name: 'runtime exactly-once',
      eventsPerSec: eos.eventsPerSec,
      ratioToCeiling: ratio(eos.eventsPerSec),
      cpuSecondsPerMillion: perMillion(eos.cpuSeconds, eos.records),
      peakRssMiB: mib(eos.peakRssBytes),
      notes: jobNotes(eos, `transaction every ${parts.commitIntervals.eos} ms`),
    });
  if (restore)
    rows.push({
      name: 'restore',
      eventsPerSec: restore.recordsPerSec,
      ratioToCeiling: undefined,
      cpuSecondsPerMillion: perMillion(restore.cpuSeconds, restore.changelog.records),
      peakRssMiB: mib(restore.peakRssBytes),
      notes:
        `${restore.keys} keys: ${restore.seconds.toFixed(1)} s start→ready ` +
        `(${restore.restoringSeconds.toFixed(1)} s restoring), ${(restore.changelog.bytes / 1e6).toFixed(1)} MB`,
    });
  return {
    runId: parts.runId,
    machine: parts.machine,
    workload: parts.workload,
    rows,
    ceiling,
    atLeastOnce: alos,
    exactlyOnce: eos ?? null,
    restore: restore ?? null,
    target: { ratio: TARGET_RATIO, atLeastOnceRatio: ratio(alos.eventsPerSec), met },
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const fixed = (n: number | undefined, digits: number) => (n === undefined ? 'n/a' : n.toFixed(digits));

export function formatReport(r: BenchReport): string {
  const header = ['', 'events/s', 'vs ceiling', 'CPU s / 1M', 'peak RSS MiB', 'notes'];
  const body = r.rows.map((row) => [
    row.name,
    int(row.eventsPerSec),
    row.ratioToCeiling === undefined ? '—' : fixed(row.ratioToCeiling, 2),
    fixed(row.cpuSecondsPerMillion, 1),
    fixed(row.peakRssMiB, 0),
    row.notes,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const w = r.workload;
  const m = r.machine;
  const out = [
    `pulse bench runtime (run ${r.runId})`,
    `workload: ${int(w.records)} records, ${int(w.keys)} keys (Zipf s=${w.zipfS}), ${w.partitions} partitions, ` +
      `~${Math.round(w.avgValueBytes)}-byte JSON values; produced in ${w.produceSeconds.toFixed(1)} s ` +
      `(${int(w.records / w.produceSeconds)} records/s)`,
    '',
    line(header),
    ...body.map(line),
    '',
  ];
  if (r.restore) {
    const s = r.restore;
    out.push(
      `restore: ${int(s.keys)} keys (${int(s.changelog.records)} changelog records, ` +
        `~${(s.changelog.bytes / 1e6).toFixed(1)} MB payload est. from ${int(s.changelog.sampled)} sampled) ` +
        `in ${s.seconds.toFixed(2)} s from worker start to ready = ${s.mbPerSec.toFixed(1)} MB/s; ` +
        `${s.restoringSeconds.toFixed(2)} s from first assignment = ${s.restoringMbPerSec.toFixed(1)} MB/s`,
      `peak RSS of a worker holding ${int(s.keys)} keys: ${fixed(mib(s.peakRssBytes), 0)} MiB ` +
        `(${fixed(mib(s.rssAfterBytes), 0)} MiB when idle after restore)`,
    );
  }
  out.push(
    `at-least-once / ceiling = ${r.target.atLeastOnceRatio.toFixed(2)} (target ≥ ${r.target.ratio.toFixed(2)}: ` +
      `${r.target.met ? 'met' : 'NOT met'})`,
    `machine: ${m.cpus} × ${m.cpuModel}, ${int(m.memoryMiB)} MiB, ${m.platform}, node ${m.node}, ` +
      `librdkafka ${m.librdkafka}, load average ${m.loadAverage.map((l) => l.toFixed(2)).join(' ')} at start`,
  );
  return out.join('\n');
}

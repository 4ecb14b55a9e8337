/** The comparison as the table `pulse bench compare` prints, and as a chart (SVG, vega-lite). */
import type { CompareReport, StatefulResult } from './index.ts';

const MiB = 2 ** 20;
const int = (n: number | null | undefined) => (n == null ? 'n/a' : Math.round(n).toLocaleString('en'));
const fixed = (n: number | null | undefined, d = 1) => (n == null ? 'n/a' : n.toFixed(d));
const ms = (n: number | null | undefined) => (n == null ? 'n/a' : `${Math.round(n)}`);

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function latencyCells(r: StatefulResult): string[] {
  const l = r.latency;
  return [
    l ? `${ms(l.at50.p50Ms)} / ${ms(l.at50.p99Ms)}` : 'n/a',
    l ? `${ms(l.at80.p50Ms)} / ${ms(l.at80.p99Ms)}` : 'n/a',
  ];
}

export function formatCompareReport(r: CompareReport): string {
  const m = r.machine;
  const w = r.workload;
  const out: string[] = [];
  out.push(
    `pulse bench compare (${r.runId}): ${m.cpus} × ${m.cpuModel}, ${Math.round(m.memoryMiB / 1024)} GiB, ` +
      `Node ${m.node}, librdkafka ${m.librdkafka}`,
    `workload: ${int(w.events)} events (~${Math.round(w.avgValueBytes)} B JSON), ${int(w.users)} users (Zipf), ` +
      `${int(w.catalogEvents)} catalogue events, ${w.partitions} partitions, seed ${w.seed}, ` +
      `commit interval ${w.commitIntervalMs} ms for every system`,
    '',
  );
  const ceilingRows = r.ceilings.map((c) =>
    'error' in c
      ? [c.name, 'failed', '', '', c.error.split('\n')[0]!.slice(0, 80)]
      : [
          c.name,
          int(c.eventsPerSec),
          c.cpuSeconds ? int(c.records / c.cpuSeconds) : 'n/a',
          c.cpuSeconds ? fixed((c.cpuSeconds / c.records) * 1e6) : 'n/a',
          c.peakRssBytes ? int(c.peakRssBytes / MiB) : 'n/a',
        ],
  );
  if (ceilingRows.length) {
    out.push('ceilings (the same pre-produced topic, read from the beginning)');
    out.push(table(['ceiling', 'events/s', 'events/CPU-s', 'CPU s/1M', 'peak RSS MiB'], ceilingRows), '');
  }
  out.push(
    'systems (enrich + aggregate, from empty state; latency p50 / p99 in ms at 50 % and 80 % of own max)',
  );
  out.push(
    table(
      ['system', 'events/s', 'events/CPU-s', 'CPU s/1M', 'lat @50%', 'lat @80%', 'peak RSS MiB', 'profiles'],
      r.systems.map((s) => [
        s.name,
        int(s.eventsPerSec),
        int(s.eventsPerCpuSecond),
        fixed(s.cpuSecondsPerMillion),
        ...latencyCells(s),
        int(s.peakRssBytes / MiB),
        s.error
          ? `FAILED: ${s.error}`
          : s.verify.correct
            ? `exact (${int(s.verify.users)})`
            : `WRONG: ${s.verify.mismatched} differ, ${s.verify.missing} missing`,
      ]),
    ),
    '',
  );
  const restores = r.systems.filter((s) => s.restore);
  if (restores.length) {
    out.push('restore of the profile store from its changelog on a fresh instance (process start → running)');
    out.push(
      table(
        ['system', 'seconds', 'records', 'MB', 'MB/s', 'peak RSS MiB'],
        restores.map((s) => [
          s.name,
          fixed(s.restore!.seconds),
          int(s.restore!.changelogRecords),
          fixed(s.restore!.changelogBytes / 1e6),
          fixed(s.restore!.mbPerSec, 2),
          int(s.restore!.peakRssBytes / MiB),
        ]),
      ),
      '',
    );
  }
  out.push('targets');
  out.push(
    table(
      ['target', 'ours', 'peer', 'ratio', 'wanted', ''],
      r.targets.map((t) => [
        t.target,
        fixed(t.ours),
        fixed(t.peer),
        fixed(t.ratio, 2),
        t.wanted,
        t.met === null ? 'n/a' : t.met ? 'met' : 'MISSED',
      ]),
    ),
  );
  return out.join('\n');
}

/** The data points of the chart: throughput and p99 latency per system (ceilings: throughput only). */
export function chartData(r: CompareReport): Array<{ system: string; measure: string; value: number }> {
  const rows: Array<{ system: string; measure: string; value: number }> = [];
  for (const c of r.ceilings) {
    if ('error' in c) continue;
    rows.push({
      system: `ceiling: ${c.name}`,
      measure: 'events/s',
      value: c.eventsPerSec,
    });
  }
  for (const s of r.systems) {
    rows.push({ system: s.name, measure: 'events/s', value: s.eventsPerSec });
    if (s.eventsPerCpuSecond)
      rows.push({ system: s.name, measure: 'events per CPU-second', value: s.eventsPerCpuSecond });
    if (s.latency?.at50.p99Ms != null)
      rows.push({ system: s.name, measure: 'p99 ms at 50 % of max', value: s.latency.at50.p99Ms });
    if (s.latency?.at80.p99Ms != null)
      rows.push({ system: s.name, measure: 'p99 ms at 80 % of max', value: s.latency.at80.p99Ms });
  }
  return rows;
}

/** An SVG chart: one bar panel per measure, systems on the y axis. */
export async function renderChart(r: CompareReport): Promise<string> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const spec = vl.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `pulse bench compare ${r.runId}: ${r.workload.events.toLocaleString('en')} events, ${r.machine.cpus} cores`,
    data: { values: chartData(r) },
    facet: {
      row: { field: 'measure', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left' } },
    },
    spec: {
      width: 420,
      height: { step: 16 },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'system', type: 'nominal', sort: null, title: null },
        x: { field: 'value', type: 'quantitative', title: null },
        color: {
          field: 'system',
          type: 'nominal',
          legend: null,
          scale: { scheme: 'tableau10' },
        },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as never).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  return view.toSVG();
}

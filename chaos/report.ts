/**
 * The chaos suite's report: one row per scenario (the table of the closing note), the
 * failures of the scenarios that failed under it, and a JSON form for `--json`.
 */
import { table } from '../cli/table.ts';
import type { ScenarioResult } from './types.ts';

const HEADER = [
  'id',
  'scenario',
  'result',
  'posted',
  'acked',
  'in Kafka',
  'mismatched',
  'lost',
  'applied twice',
  'version regressions',
  'unexpected exits',
  'recovery s',
  'duration s',
];

const int = (n: number): string => n.toLocaleString('en-US');

function row(r: ScenarioResult): string[] {
  return [
    String(r.id),
    r.name,
    r.passed ? 'pass' : 'FAIL',
    int(r.events.posted),
    int(r.events.acknowledged),
    int(r.events.inKafka),
    int(r.mismatchedProfiles),
    int(r.lostEvents),
    int(r.appliedTwice),
    int(r.versionRegressions),
    int(r.unexpectedExits),
    r.recoverySeconds === null ? '-' : r.recoverySeconds.toFixed(1),
    r.seconds.toFixed(1),
  ];
}

/** The table, a summary line, then each failed scenario's failures (indented). */
export function formatChaosReport(results: readonly ScenarioResult[]): string {
  const failed = results.filter((r) => !r.passed);
  const seconds = results.reduce((s, r) => s + r.seconds, 0);
  const lines = [
    table(HEADER, results.map(row)),
    '',
    `${results.length - failed.length} of ${results.length} scenarios passed in ${seconds.toFixed(0)} s`,
  ];
  for (const r of failed) {
    lines.push('', `scenario ${r.id} (${r.name}) failed:`);
    for (const f of r.failures)
      lines.push(...f.split('\n').map((l, i) => `${i === 0 ? '  - ' : '    '}${l}`));
  }
  return lines.join('\n');
}

/** The JSON form: every result in full plus the totals. */
export function chaosReportJson(results: readonly ScenarioResult[]): string {
  return JSON.stringify(
    {
      passed: results.every((r) => r.passed),
      seconds: Math.round(results.reduce((s, r) => s + r.seconds, 0) * 10) / 10,
      scenarios: results,
    },
    null,
    2,
  );
}

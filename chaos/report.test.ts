import { describe, expect, it } from 'vitest';
import { chaosReportJson, formatChaosReport } from './report.ts';
import type { ScenarioResult } from './types.ts';

function result(over: Partial<ScenarioResult>): ScenarioResult {
  return {
    id: 1,
    name: 'kill -9 of a random worker, repeatedly',
    passed: true,
    events: { posted: 30_000, acknowledged: 29_990, inKafka: 29_990 },
    mismatchedProfiles: 0,
    lostEvents: 0,
    appliedTwice: 0,
    versionRegressions: 0,
    unexpectedExits: 0,
    recoverySeconds: 12.34,
    seconds: 61.2,
    failures: [],
    ...over,
  };
}

describe('the chaos report', () => {
  const results = [
    result({}),
    result({
      id: 4,
      name: 'local state damaged',
      passed: false,
      mismatchedProfiles: 53,
      recoverySeconds: null,
      failures: [
        'profiles: 53 users differ\nuser-81: totalEvents 45 != 54',
        '1 worker exits the scenario did not cause',
      ],
    }),
  ];

  it('prints one row per scenario with its figures and verdict', () => {
    const lines = formatChaosReport(results).split('\n');
    expect(lines[0]).toMatch(/^id\s+scenario\s+result\s+posted\s+acked\s+in Kafka\s+mismatched\s+lost/);
    expect(lines[1]).toMatch(
      /^1\s+kill -9 of a random worker, repeatedly\s+pass\s+30,000\s+29,990\s+29,990\s+0.*12\.3\s+61\.2$/,
    );
    expect(lines[2]).toMatch(/^4\s+local state damaged\s+FAIL\s+.*\s53\s.*\s-\s+61\.2$/);
  });

  it('lists the failures of the failed scenarios only, after a summary', () => {
    const text = formatChaosReport(results);
    expect(text).toContain('1 of 2 scenarios passed in 122 s');
    expect(text).toContain(
      'scenario 4 (local state damaged) failed:\n  - profiles: 53 users differ\n    user-81',
    );
    expect(text).toContain('  - 1 worker exits the scenario did not cause');
    expect(text).not.toContain('scenario 1 (');
  });

  it('says in JSON whether every scenario passed', () => {
    expect(JSON.parse(chaosReportJson(results))).toMatchObject({ passed: false, seconds: 122.4 });
    expect(JSON.parse(chaosReportJson([results[0]!]))).toMatchObject({ passed: true });
  });
});

/**
 * The chaos suite's short form, as CI runs it (`pulse chaos --short`): every scenario marked
 * `inShort`, one after another, against the real stack. Each must pass; a failure prints the
 * scenario's failures (and the harness keeps its logs, naming where). The table of the run is
 * printed at the end.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../cli/config.ts';
import {
  defaultOptions,
  formatChaosReport,
  runScenario,
  selectScenarios,
  type ScenarioResult,
} from './index.ts';

const config = loadConfig();
const results: ScenarioResult[] = [];

afterAll(() => {
  if (results.length) console.log(`pulse chaos --short\n${formatChaosReport(results)}`);
});

describe('pulse chaos --short', () => {
  it.each(selectScenarios({ short: true }).map((s) => [s.id, s.name, s] as const))(
    'scenario %i passes: %s',
    async (_id, _name, scenario) => {
      const result = await runScenario(
        scenario,
        { ...defaultOptions(true), log: (msg) => process.stderr.write(`chaos: ${msg}\n`) },
        config,
      );
      results.push(result);
      expect(result.failures).toEqual([]);
      expect(result.passed).toBe(true);
      expect(result.events.acknowledged).toBeGreaterThan(0);
    },
    10 * 60_000,
  );
});

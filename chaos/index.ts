/**
 * The chaos suite's public door: every scenario of the list by its number, the harness that
 * runs them (see harness.ts for what a run checks), and the report.
 */
import { scenario as s01 } from './scenarios/s01-kill-random.ts';
import { scenario as s02 } from './scenarios/s02-commit-crash.ts';
import { scenario as s03 } from './scenarios/s03-rolling-restart.ts';
import { scenario as s04 } from './scenarios/s04-state-damage.ts';
import { scenario as s05 } from './scenarios/s05-paused-worker.ts';
import { scenario as s06 } from './scenarios/s06-scale.ts';
import { scenario as s07 } from './scenarios/s07-broker.ts';
import { scenario as s08 } from './scenarios/s08-dependencies-down.ts';
import { scenario as s09 } from './scenarios/s09-pg-commit-cut.ts';
import { scenario as s10 } from './scenarios/s10-offsets-deleted.ts';
import { scenario as s11 } from './scenarios/s11-disk-full.ts';
import { scenario as s12 } from './scenarios/s12-hostile-timestamps.ts';
import { scenario as s13 } from './scenarios/s13-sources.ts';
import type { Scenario } from './types.ts';

export { defaultOptions, runChaos, runScenario, type ChaosOptions } from './harness.ts';
export { chaosReportJson, formatChaosReport } from './report.ts';
export type { ChaosContext, ChaosWorker, FaultProxy, Scenario, ScenarioResult } from './types.ts';

/** Every scenario, in the order of the list. */
export const scenarios: readonly Scenario[] = [
  s01,
  s02,
  s03,
  s04,
  s05,
  s06,
  s07,
  s08,
  s09,
  s10,
  s11,
  s12,
  s13,
].sort((a, b) => a.id - b.id);

/**
 * The scenarios to run: those of `ids` (in that order; an unknown id is an error naming the known
 * ones), else the short form's (`inShort`) when `short`, else all of them.
 */
export function selectScenarios(opts: { ids?: readonly number[] | undefined; short: boolean }): Scenario[] {
  if (opts.ids?.length) {
    const unknown = opts.ids.filter((id) => !scenarios.some((s) => s.id === id));
    if (unknown.length)
      throw new Error(
        `no chaos scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.id).join(', ')}`,
      );
    return opts.ids.map((id) => scenarios.find((s) => s.id === id)!);
  }
  return scenarios.filter((s) => !opts.short || s.inShort);
}

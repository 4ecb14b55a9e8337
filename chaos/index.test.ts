import { describe, expect, it } from 'vitest';
import { scenarios, selectScenarios } from './index.ts';

describe('the scenario registry', () => {
  it('holds every scenario of the issue once, by its number, in order', () => {
    expect(scenarios.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    for (const s of scenarios) expect(s.name.length).toBeGreaterThan(5);
  });

  it('selects the named scenarios in the order given', () => {
    expect(selectScenarios({ ids: [10, 1, 4], short: true }).map((s) => s.id)).toEqual([10, 1, 4]);
  });

  it('selects only the short-form scenarios for --short, all of them otherwise', () => {
    const short = selectScenarios({ short: true });
    expect(short.length).toBeGreaterThan(0);
    expect(short.every((s) => s.inShort)).toBe(true);
    expect(short.length).toBeLessThan(scenarios.length);
    expect(selectScenarios({ short: false })).toHaveLength(scenarios.length);
  });

  it('refuses an unknown scenario number, naming the known ones', () => {
    expect(() => selectScenarios({ ids: [1, 14], short: false })).toThrow(
      /no chaos scenario 14; known: 1, 2/,
    );
  });
});

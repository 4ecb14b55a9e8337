import { describe, expect, it } from 'vitest';
import { evaluateMerge } from './evaluate.ts';

const m = (key: string) => {
  const [source, sourceId] = key.split(':') as [string, string];
  return { source, sourceId };
};
const cluster = (...keys: string[]) => ({ members: keys.map(m) });

describe('evaluateMerge', () => {
  it('scores a hand-made clustering pairwise', () => {
    const clusters = [cluster('s:a1', 's:a2', 't:b1'), cluster('t:x3'), cluster('u:z')];
    const labels = { 's:a1': 'X', 's:a2': 'X', 't:b1': 'Y', 't:x3': 'X', 'v:gone': 'Y' };
    expect(evaluateMerge(clusters, labels)).toEqual({
      precision: 1 / 3,
      recall: 1 / 3,
      f1: 1 / 3,
      predictedPairs: 3,
      truePairs: 3,
      correctPairs: 1,
      falsePairs: [
        ['s:a1', 't:b1'],
        ['s:a2', 't:b1'],
      ],
      missedPairs: [
        ['s:a1', 't:x3'],
        ['s:a2', 't:x3'],
      ],
      unlabelled: ['u:z'],
      notFound: ['v:gone'],
    });
  });

  it('gives precision 1 and recall 0 when nothing is merged but should be', () => {
    const r = evaluateMerge([cluster('a:1'), cluster('b:1'), cluster('c:1')], {
      'a:1': 'X',
      'b:1': 'X',
      'c:1': 'Y',
    });
    expect([r.precision, r.recall, r.f1, r.missedPairs]).toEqual([1, 0, 0, [['a:1', 'b:1']]]);
  });

  it('gives 1 everywhere for a perfect merge', () => {
    const r = evaluateMerge([cluster('b:1', 'a:1'), cluster('c:1')], { 'a:1': 'X', 'b:1': 'X', 'c:1': 'Y' });
    expect([r.precision, r.recall, r.f1, r.truePairs, r.falsePairs, r.missedPairs]).toEqual([
      1,
      1,
      1,
      1,
      [],
      [],
    ]);
  });
});

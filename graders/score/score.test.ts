import { describe, expect, it } from 'vitest';
import { scoreParts, scoreQuestion, type ScoredCase, type ScoredCell } from './score.js';

const c = (status: ScoredCase['status'], weight = 1): ScoredCase => ({ status, weight });

describe('scoreQuestion', () => {
  it.each<[string, number, ScoredCase[], number, string]>([
    ['all cases pass: full points', 1, [c('pass'), c('pass')], 1, 'passed'],
    ['no case passes: zero', 2, [c('fail'), c('error'), c('timeout')], 0, 'failed'],
    ['partial credit by case', 2, [c('pass'), c('fail')], 1, 'partial'],
    ['partial credit by weight', 3, [c('pass', 2), c('crash', 1)], 2, 'partial'],
    ['thirds are rounded to 1e-6', 1, [c('pass'), c('fail'), c('fail')], 0.333333, 'partial'],
    ['a pending case makes the question pending', 2, [c('pass'), c('pending')], 0, 'pending'],
    ['no cases: zero, failed', 1, [], 0, 'failed'],
  ])('%s', (_name, max, cases, points, status) => {
    expect(scoreQuestion(max, cases)).toEqual({ points, status });
  });
});

const cell = (pass: boolean, weight = 1, answered = true): ScoredCell => ({ status: pass ? 'pass' : 'fail', weight, answered });

describe('scoreQuestion on the cells of an answer', () => {
  it.each<[string, ScoredCell[], number, string]>([
    ['every cell right', [cell(true, 1), cell(true, 3)], 4, 'passed'],
    ['partial credit by weight', [cell(true, 1), cell(false, 3)], 1, 'partial'],
    ['one wrong cell', [cell(false)], 0, 'failed'],
    ['thirds are rounded to 1e-6', [cell(true), cell(false), cell(false)], 1.333333, 'partial'],
    ['nothing answered: missing', [cell(false, 1, false), cell(false, 2, false)], 0, 'missing'],
    ['one cell answered is not missing', [cell(false, 1, false), cell(false, 1, true)], 0, 'failed'],
  ])('%s', (_name, cells, points, status) => {
    expect(scoreQuestion(4, cells)).toEqual({ points, status });
  });
});

/** A case on which the forward part passed or not, and the backward part passed or not. */
const block = (forward: boolean, backward: boolean, weight = 1): ScoredCase => ({
  status: forward && backward ? 'pass' : forward ? 'fail' : 'error',
  weight,
  parts: { forward, backward },
});
const halves = [
  { id: 'forward', share: 1 },
  { id: 'backward', share: 1 },
];

describe('scoreParts: a question graded as one block gives each part its share', () => {
  it.each<[string, number, { id: string; share: number }[], ScoredCase[], number, string, [number, number][]]>([
    ['both parts right everywhere: full points', 3, halves, [block(true, true), block(true, true)], 3, 'passed', [[1.5, 1.5], [1.5, 1.5]]],
    ['a forward that raises, a right backward: the backward share', 3, halves, [block(false, true), block(false, true)], 1.5, 'partial', [[0, 1.5], [1.5, 1.5]]],
    ['a right forward, a wrong backward: the forward share', 1, halves, [block(true, false), block(true, false)], 0.5, 'partial', [[0.5, 0.5], [0, 0.5]]],
    ['the backward wrong on one case of four', 1, halves, [block(true, true), block(true, true), block(true, false), block(true, false)], 0.75, 'partial', [[0.5, 0.5], [0.25, 0.5]]],
    ['both wrong: zero', 2, halves, [block(false, false)], 0, 'failed', [[0, 1], [0, 1]]],
    ['declared shares: 1 and 3', 2, [{ id: 'forward', share: 1 }, { id: 'backward', share: 3 }], [block(false, true)], 1.5, 'partial', [[0, 0.5], [1.5, 1.5]]],
    ['case weights count within each part', 3, halves, [block(true, true, 2), block(false, true, 1)], 2.5, 'partial', [[1, 1.5], [1.5, 1.5]]],
    ['thirds add up to the maximum', 1, [{ id: 'a', share: 1 }, { id: 'b', share: 1 }, { id: 'c', share: 1 }], [{ status: 'pass', weight: 1 }], 1, 'passed', [[0.333333, 0.333333], [0.333333, 0.333333], [0.333333, 0.333333]]],
    ['a case without part verdicts counts as its status', 2, halves, [{ status: 'pass', weight: 1 }, { status: 'crash', weight: 1 }], 1, 'partial', [[0.5, 1], [0.5, 1]]],
  ])('%s', (_name, max, parts, cases, points, status, byPart) => {
    const score = scoreParts(max, parts, cases);
    expect({ points: score.points, status: score.status }).toEqual({ points, status });
    expect(score.parts.map((p) => [p.points, p.maxPoints])).toEqual(byPart);
    expect(score.parts.map((p) => p.id)).toEqual(parts.map((p) => p.id));
  });

  it('a pending case makes the question pending with no part points', () => {
    expect(scoreParts(2, halves, [block(true, true), { status: 'pending', weight: 1 }])).toEqual({
      points: 0,
      status: 'pending',
      parts: [
        { id: 'forward', points: 0, maxPoints: 1 },
        { id: 'backward', points: 0, maxPoints: 1 },
      ],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { scoreQuestion, type ScoredCase, type ScoredCell } from './score.js';

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

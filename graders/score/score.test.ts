import { describe, expect, it } from 'vitest';
import { scoreQuestion, type ScoredCase } from './score.js';

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

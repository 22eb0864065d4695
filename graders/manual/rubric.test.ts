import { describe, expect, it } from 'vitest';
import { scoreManual } from './rubric.js';
import type { StaffScore } from './staff-scores.js';

const REVIEW = {
  id: 'review',
  points: 3,
  rubric: [
    { id: 'summary', points: 2, text: 'summarises the contribution' },
    { id: 'critique', points: 1.5, text: 'one concrete weakness' },
    { id: 'late', points: -1, text: 'handed in late' },
  ],
};

const row = (item: string, points?: number, comment = ''): StaffScore => ({ studentId: 's1', question: 'review', item, ...(points !== undefined ? { points } : {}), comment, line: 2 });

describe('scoreManual', () => {
  it.each<[string, StaffScore[], { scored: boolean; points: number }]>([
    ['no rows: pending, nothing counted', [], { scored: false, points: 0 }],
    ['a question row without points: graded, no item given', [row('')], { scored: true, points: 0 }],
    ['an item without points gives its own', [row('summary')], { scored: true, points: 2 }],
    ['items add up', [row('summary'), row('critique', 0.5)], { scored: true, points: 2.5 }],
    ['the sum is capped at the question\'s points', [row('summary'), row('critique')], { scored: true, points: 3 }],
    ['a deduction subtracts', [row('summary'), row('late')], { scored: true, points: 1 }],
    ['never below zero', [row('late')], { scored: true, points: 0 }],
    ['a whole-question row gives its points (the 4-column form)', [row('', 2.25)], { scored: true, points: 2.25 }],
  ])('%s', (_name, rows, expected) => {
    expect(scoreManual(REVIEW, rows)).toMatchObject(expected);
  });

  it('lists every rubric item with what was awarded and the comments', () => {
    const score = scoreManual(REVIEW, [row('summary', 1, 'misses the ablation'), row('', undefined, 'clear'), row('', undefined, 'short')]);
    expect(score.marks).toEqual([
      { id: 'summary', text: 'summarises the contribution', points: 2, awarded: 1, comment: 'misses the ablation' },
      { id: 'critique', text: 'one concrete weakness', points: 1.5 },
      { id: 'late', text: 'handed in late', points: -1 },
    ]);
    expect(score.comment).toBe('clear short');
  });
});

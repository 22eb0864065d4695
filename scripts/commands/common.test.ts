import { describe, expect, it } from 'vitest';
import { plural, scoreLines } from './common.js';
import type { ResultT } from '../../graders/result/schema.js';

const result = (student: string, points: number, maxPoints: number, notices: string[] = [], pendingPoints = 0) => ({ student, score: { points, maxPoints, pendingPoints }, notices }) as unknown as ResultT;

describe('grade output', () => {
  it('prints scores as people write them, in aligned columns whatever the length of the names', () => {
    const lines = scoreLines([result('s1', 18.224138, 28), result('a-student-with-a-very-long-folder-name-from-an-lms', 4, 4), result('s3', 16.689655, 28, ['late'])]);
    expect(lines[0]).toMatch(/^s1 +18\.22\/28$/);
    expect(lines[2]).toMatch(/16\.69\/28  \(late\)$/);
    const ends = lines.map((l) => l.replace(/  \(late\)$/, '').length);
    expect(new Set(ends).size).toBe(1);
  });

  it('says how many points are still pending staff grading, so they do not read as lost', () => {
    const lines = scoreLines([result('correct', 24, 31, [], 7), result('s2', 31, 31)]);
    expect(lines[0]).toMatch(/^correct +24\/31 \(7 pending staff grading\)$/);
    expect(lines[1]).toMatch(/^s2 +31\/31$/);
  });

  it('says 1 submission, 2 submissions', () => {
    expect(plural(1, 'submission')).toBe('1 submission');
    expect(plural(0, 'submission')).toBe('0 submissions');
    expect(plural(2, 'question')).toBe('2 questions');
  });
});

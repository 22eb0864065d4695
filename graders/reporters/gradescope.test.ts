import { describe, expect, it } from 'vitest';
import type { CaseResultT, QuestionResultT, ResultT } from '../result/schema.js';
import { toGradescope } from './gradescope.js';

/** A relu case whose forward raised and whose backward was right, or one where both parts passed. */
function reluCase(id: string, forward: boolean): CaseResultT {
  return {
    id,
    visibility: 'public',
    status: forward ? 'pass' : 'error',
    weight: 1,
    durationMs: 1,
    outputs: [],
    mistakes: [],
    parts: { forward, backward: true },
    ...(forward ? {} : { error: { type: 'NotImplemented', message: 'ReLU.forward' } }),
  };
}

function resultWith(question: QuestionResultT): ResultT {
  return { questions: [question], notices: [], score: { points: question.points, maxPoints: question.maxPoints, pendingPoints: 0 }, durationMs: 5, assignment: { id: 'mlp', title: 'MLP', version: '1', manifestSha256: '' } } as unknown as ResultT;
}

describe('toGradescope', () => {
  it('a question in parts: each test earns the shares of the parts its case passed, adding up to the question', () => {
    const relu: QuestionResultT = {
      id: 'relu',
      title: 'ReLU',
      points: 2.5,
      maxPoints: 4,
      status: 'partial',
      cases: [reluCase('a', false), reluCase('b', false), reluCase('c', true), reluCase('d', false)],
      parts: [
        { id: 'forward', points: 0.5, maxPoints: 2 },
        { id: 'backward', points: 2, maxPoints: 2 },
      ],
    };
    const tests = toGradescope(resultWith(relu)).tests;
    expect(tests.map((t) => [t.score, t.max_score, t.status])).toEqual([
      [0.5, 1, 'failed'],
      [0.5, 1, 'failed'],
      [1, 1, 'passed'],
      [0.5, 1, 'failed'],
    ]);
    expect(tests.reduce((s, t) => s + (t.score ?? 0), 0)).toBe(relu.points);
  });

  it('a question without parts: all or nothing per case', () => {
    const q: QuestionResultT = { id: 'q', title: 'Q', points: 1, maxPoints: 2, status: 'partial', cases: [reluCase('a', true), { ...reluCase('b', false), parts: undefined }] };
    expect(toGradescope(resultWith(q)).tests.map((t) => t.score)).toEqual([1, 0]);
  });

  it('a question staff grade later is information, not a failed test, and the output says points are to come', () => {
    const review: QuestionResultT = { id: 'paper_review', title: 'Paper review', points: 0, maxPoints: 3, status: 'pending', cases: [] };
    const auto: QuestionResultT = { id: 'q', title: 'Q', points: 2, maxPoints: 2, status: 'passed', cases: [reluCase('a', true)] };
    const result = { ...resultWith(auto), questions: [auto, review], score: { points: 2, maxPoints: 5, pendingPoints: 3 } } as ResultT;
    const gs = toGradescope(result);
    expect(gs.tests[1]).toEqual({ name: 'Paper review (paper_review) — graded by staff', number: '2', output: expect.stringContaining('not part of this score yet'), visibility: 'visible' });
    expect(gs.output).toContain('2/5 (3 more to be graded by staff)');
  });
});

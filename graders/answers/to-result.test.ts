import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { QuestionResult } from '../result/schema.js';
import { toQuestionResult } from './to-result.js';
import type { QuestionGrade } from './grade-answers.js';

const info = { id: 'q', title: 'Q', visibility: 'public' as const };
const validate = new Ajv({ strict: false }).compile(QuestionResult);
const grade = (over: Partial<QuestionGrade>): QuestionGrade => ({ id: 'backprop', kind: 'numeric', points: 0, maxPoints: 2, status: 'failed', cells: [], messages: [], ...over });

describe('toQuestionResult', () => {
  it.each([
    [grade({ status: 'invalid', messages: ['a.yaml:3: backprop.loss: expected a number, got "x" (string)'] }), 'failed', [['answers', 'error']]],
    [grade({ status: 'invalid', messages: ['one', 'two'] }), 'failed', [['answers-1', 'error'], ['answers-2', 'error']]],
    [grade({ status: 'missing' }), 'failed', [['answers', 'fail']]],
    [grade({ kind: 'manual', status: 'pending', messages: ['graded by staff'] }), 'pending', [['staff', 'pending']]],
    [grade({ kind: 'manual', status: 'scored', points: 2 }), 'passed', [['staff', 'pass']]],
    [grade({ kind: 'manual', status: 'scored', points: 1.5, comment: 'ok' }), 'partial', [['staff', 'fail']]],
    [grade({ kind: 'manual', status: 'scored', points: 0 }), 'failed', [['staff', 'fail']]],
  ])('maps %j', (g, status, cases) => {
    const r = toQuestionResult(g, info);
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    expect(r.status).toBe(status);
    expect(r.cases.map((c) => [c.id, c.status])).toEqual(cases);
    expect(r.points).toBe(g.points);
  });

  it('turns cells into cases named by their path inside the question, weights kept, no expected value in the diagnostics', () => {
    const r = toQuestionResult(
      grade({
        status: 'partial',
        points: 1,
        cells: [
          { path: 'backprop.loss', expected: 0.593245, actual: 0.5, pass: false, message: '0.5 is not the expected value', weight: 1, tolerance: { mode: 'rel_error', rtol: 0.01, atol: 0 } },
          { path: 'backprop.gradients.w3', expected: 0.0079, actual: 0.0079, pass: true, weight: 3 },
        ],
      }),
      info,
    );
    expect(validate(r)).toBe(true);
    expect(r.cases.map((c) => [c.id, c.status, c.weight])).toEqual([['loss', 'fail', 1], ['gradients.w3', 'pass', 3]]);
    expect(r.cases[0].outputs[0].summary).toBe('0.5 is not the expected value');
    expect(JSON.stringify(r)).not.toContain('0.593245');
    expect(r.cases[0].outputs[0].diagnostics.tolerance).toEqual({ mode: 'rel_error', rtol: 0.01, atol: 0 });
  });

  it('reports a message the question also lists as a recognised mistake', () => {
    const message = 'this is the count without the biases';
    const r = toQuestionResult(grade({ cells: [{ path: 'vgg11.total_params', expected: 1, actual: 2, pass: false, message, weight: 1 }], messages: [message] }), info);
    expect(r.cases[0].mistakes).toEqual([{ id: 'recognised', message }]);
  });
});

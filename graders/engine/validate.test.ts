import { describe, expect, it } from 'vitest';
import type { QuestionT } from '../manifest/schema.js';
import { stepProblems } from './validate.js';

const question = (steps: unknown[], outputs: Record<string, string>): QuestionT =>
  ({ id: 'q', title: 'q', points: 1, inputs: { x: 'tensor', w: 'tensor' }, steps, outputs, cases: [] }) as unknown as QuestionT;

describe('stepProblems', () => {
  it('accepts inputs and earlier results, attributes and list items included', () => {
    const q = question(
      [
        { new: 'm.Layer', args: [3], as: 'layer' },
        { set: 'layer.weight', value: '$w' },
        { call: 'layer', args: ['$x'], kwargs: { scale: '$w.0' }, as: 'out' },
      ],
      { out: '$out', grad: '$layer.weight.grad' },
    );
    expect(stepProblems(q)).toEqual([]);
  });

  it('names a reference to a result made later, a misspelt input and an undefined output', () => {
    const q = question(
      [
        { call: 'm.f', args: ['$y', '$later'], as: 'a' },
        { call: 'm.g', args: ['$a'], as: 'later' },
      ],
      { out: '$result' },
    );
    expect(stepProblems(q)).toEqual([
      'questions.q.steps[0]: $y is not an input or an earlier "as" (known here: x, w)',
      'questions.q.steps[0]: $later is not an input or an earlier "as" (known here: x, w)',
      'questions.q.outputs.out: $result is not an input or an earlier "as" (known here: x, w, a, later)',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { Type } from '@sinclair/typebox';
import { formatSegments, issueMessage, mapAjvErrors } from './schema-issues.js';

const Schema = Type.Object(
  {
    runner: Type.Union([Type.Literal('python'), Type.Literal('answers')]),
    level: Type.Optional(Type.Unsafe<string>({ enum: ['low', 'high'] })),
    rtol: Type.Optional(Type.Number({ minimum: 0 })),
    shape: Type.Optional(Type.Array(Type.Integer(), { description: 'sizes, outermost first' })),
    steps: Type.Optional(Type.Array(Type.Object({ call: Type.String() }, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);
const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(Schema);

/** Every issue of `data`, worded in both voices. */
function words(data: unknown): [string, string][] {
  expect(validate(data)).toBe(false);
  return mapAjvErrors(validate.errors ?? [], data).map((issue) => {
    const where = formatSegments(issue.segments) || '(top level)';
    return [issueMessage(issue, where, 'rule'), issueMessage(issue, where, 'answer')];
  });
}

describe('mapAjvErrors and issueMessage', () => {
  it.each([
    ['a union of constants, as one "one of"', { runner: 'pyton' }, [['runner must be one of python, answers, got "pyton" (string)', 'must be one of python, answers, got "pyton" (string)']]],
    ['an enum, in the same words', { runner: 'python', level: 'mid' }, [['level must be one of low, high, got "mid" (string)', 'must be one of low, high, got "mid" (string)']]],
    ['a missing field', {}, [['(top level) is missing the required field "runner"', 'is missing the key "runner"']]],
    ['a bound', { runner: 'python', rtol: -1 }, [['rtol must be a number >= 0, got -1 (number)', 'expected a number >= 0, got -1 (number)']]],
    [
      'a list with what it holds, and a number written as text',
      { runner: 'python', shape: '3, 4' },
      [['shape must be a list (sizes, outermost first), got "3, 4" (string)', 'expected a list (sizes, outermost first), got "3, 4" (string)']],
    ],
    [
      'an unknown key, with the one probably meant',
      { runner: 'python', steps: [{ call: 'f', cal: 'g' }] },
      [['steps[0] has an unknown field "cal" (did you mean call?)', 'unknown key, ignored (did you mean call?); expected one of call']],
    ],
    ['a number with thousands separators', { runner: 'python', rtol: '1,000' }, [['rtol must be a number, got "1,000" (string) — write numbers without separators, e.g. 1000', 'expected a number, got "1,000" (string) — write numbers without separators, e.g. 1000']]],
  ])('%s', (_name, data, expected) => {
    expect(words(data)).toEqual(expected);
  });

  it('locates issues by segments, array indices as numbers', () => {
    expect(validate({ runner: 'python', shape: [1, 'x'] })).toBe(false);
    const [issue] = mapAjvErrors(validate.errors ?? [], { runner: 'python', shape: [1, 'x'] });
    expect(issue).toMatchObject({ kind: 'expected', segments: ['shape', 1], value: 'x', expected: 'an integer' });
    expect(formatSegments(issue.segments, 'q')).toBe('q.shape[1]');
  });
});

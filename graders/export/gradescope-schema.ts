// JSON Schema of Gradescope's autograder results.json (its "Autograder Specifications"), to check what we write.
import { Type, type Static } from '@sinclair/typebox';

const Visibility = Type.Union([Type.Literal('hidden'), Type.Literal('after_due_date'), Type.Literal('after_published'), Type.Literal('visible')], {
  description: 'when students see it: never, after the due date, after grades are published, always',
});
const Format = Type.Union([Type.Literal('text'), Type.Literal('html'), Type.Literal('simple_format'), Type.Literal('md'), Type.Literal('ansi')]);

export const GradescopeTestSchema = Type.Object(
  {
    score: Type.Optional(Type.Number({ description: 'required unless the top level has a score' })),
    max_score: Type.Optional(Type.Number({ minimum: 0 })),
    status: Type.Optional(Type.Union([Type.Literal('passed'), Type.Literal('failed')])),
    name: Type.Optional(Type.String()),
    name_format: Type.Optional(Format),
    number: Type.Optional(Type.String()),
    output: Type.Optional(Type.String()),
    output_format: Type.Optional(Format),
    tags: Type.Optional(Type.Array(Type.String())),
    visibility: Type.Optional(Visibility),
    extra_data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

export const GradescopeResultsSchema = Type.Object(
  {
    score: Type.Optional(Type.Number({ description: 'overrides the sum of the tests when given; required when a test has no score' })),
    execution_time: Type.Optional(Type.Number({ minimum: 0, description: 'seconds' })),
    output: Type.Optional(Type.String()),
    output_format: Type.Optional(Format),
    test_output_format: Type.Optional(Format),
    test_name_format: Type.Optional(Format),
    visibility: Type.Optional(Visibility),
    stdout_visibility: Type.Optional(Visibility),
    extra_data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    tests: Type.Optional(Type.Array(GradescopeTestSchema)),
    leaderboard: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Type.String(), value: Type.Union([Type.Number(), Type.String()]), order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])) },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  {
    additionalProperties: false,
    $id: 'https://dlgrade.dev/schema/gradescope-results.json',
    title: 'Gradescope autograder results.json',
    // A score must come from the top level or from every test.
    anyOf: [{ required: ['score'] }, { required: ['tests'], properties: { tests: { items: { required: ['score'] } } } }],
  },
);

export type GradescopeResultsT = Static<typeof GradescopeResultsSchema>;

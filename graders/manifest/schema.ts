// The manifest format: one TypeBox definition gives both the JSON Schema (checked by Ajv) and the TypeScript types.
import { Type, type Static } from '@sinclair/typebox';

const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$', description: 'lower-case letters, digits, "_" and "-"' });

export const CompareMode = Type.Union(
  [Type.Literal('rel_error'), Type.Literal('allclose'), Type.Literal('scaled'), Type.Literal('exact'), Type.Literal('shape')],
  {
    description:
      'rel_error: max |a-e| / max(1e-8, |a|+|e|) <= rtol (the course check). allclose: |a-e| <= atol + rtol*|e| everywhere. scaled: |a-e| <= atol + rtol*max|e| everywhere (relative to the whole map\'s scale). exact: equal values. shape: only the shape is checked.',
  },
);

export const Tolerance = Type.Object(
  {
    mode: Type.Optional(CompareMode),
    rtol: Type.Optional(Type.Number({ minimum: 0, description: 'relative tolerance (default 1e-4)' })),
    atol: Type.Optional(Type.Number({ minimum: 0, description: 'absolute tolerance for allclose (default 0)' })),
  },
  { additionalProperties: false },
);

const InputKind = Type.Union(
  [
    Type.Literal('tensor'),
    Type.Literal('array'),
    Type.Literal('float'),
    Type.Literal('int'),
    Type.Literal('bool'),
    Type.Literal('tensor_list'),
    Type.Literal('int_list'),
    Type.Literal('float_list'),
    Type.Literal('model'),
  ],
  {
    description:
      'How the runner hands a stored array to student code: a fresh torch.Tensor (tensor), a NumPy array (array), a Python scalar, a list (lists are stored as name.0, name.1, …), or the manifest\'s model (model: its weights are stored as name.<parameter>, the network is built from the assignment\'s own class, in eval() mode, with requires_grad False, fresh for every call).',
  },
);

/** A value in a step: `$name` or `$name.attr.path` refers to an input or an earlier result; anything else is a literal. */
const StepValue = Type.Unknown({ description: '"$name" or "$name.attribute" refers to an input or a result; other values are literals' });

const NewStep = Type.Object(
  {
    new: Type.String({ description: 'module.Class to construct, e.g. style_modules.ContentLoss' }),
    args: Type.Optional(Type.Array(StepValue)),
    kwargs: Type.Optional(Type.Record(Type.String(), StepValue)),
    as: Type.String({ description: 'name the object is kept under' }),
  },
  { additionalProperties: false },
);
const SetStep = Type.Object(
  {
    set: Type.String({ description: 'attribute to assign, e.g. layer.weight' }),
    value: StepValue,
  },
  { additionalProperties: false },
);
const CallStep = Type.Object(
  {
    call: Type.String({ description: 'what to call: a result (loss), a method (loss.gram_matrix) or a module function (train.sgd_step)' }),
    args: Type.Optional(Type.Array(StepValue)),
    kwargs: Type.Optional(Type.Record(Type.String(), StepValue)),
    as: Type.Optional(Type.String({ description: 'name the return value is kept under' })),
    recover: Type.Optional(
      Type.Array(SetStep, {
        minItems: 1,
        description:
          'when this call raises, these steps set what the next steps need from fresh copies of the case\'s stored inputs (e.g. the inputs a module caches for backward: { set: relu.inputs, value: [$x] }) and the steps go on: only the outputs read from this call\'s result fail, so a backward is graded on its own when its forward fails',
      }),
    ),
  },
  { additionalProperties: false },
);
const ProbeStep = Type.Object(
  {
    probe: Type.String({ description: 'a built-in measurement of the runner, e.g. model_summary or train_step' }),
    target: Type.String({ description: 'the object to measure, e.g. net' }),
    args: Type.Optional(Type.Record(Type.String(), StepValue)),
    as: Type.String(),
  },
  { additionalProperties: false },
);
export const Step = Type.Union([NewStep, CallStep, SetStep, ProbeStep]);

/** Generic patterns the comparison can find in a wrong output; a mistake may be recognised by one of them. */
export const PatternKind = Type.Union(
  [
    Type.Literal('scaled'),
    Type.Literal('negated'),
    Type.Literal('transposed'),
    Type.Literal('offset'),
    Type.Literal('not-a-solution'),
    Type.Literal('larger-norm'),
  ],
  { description: 'scaled, negated, transposed, offset; not-a-solution and larger-norm for an output with `solves`' },
);

const LinearSystem = Type.Object(
  {
    matrix: Type.String({ description: 'the case input A' }),
    rhs: Type.String({ description: 'the case input b' }),
  },
  {
    additionalProperties: false,
    description:
      'the output x should solve A @ x = b: a wrong x is diagnosed as not a solution (relative residual ||A x - b|| / ||b||) or as a solution whose norm is larger than the expected one',
  },
);

/** A number, or "$name" for a scalar input of the case. */
const NumberOrInput = Type.Union([Type.Number(), Type.String({ pattern: '^\\$[A-Za-z_][A-Za-z0-9_]*$' })]);

export const Property = Type.Object(
  {
    kind: Type.Union(
      [Type.Literal('finite'), Type.Literal('same_shape'), Type.Literal('classified_as'), Type.Literal('linf_within'), Type.Literal('score_rise')],
      {
        description:
          'finite: no NaN or Inf. same_shape: the shape of input `of`. classified_as: the model\'s argmax on the output is the int input `class`. linf_within: max |output - of| <= bound. score_rise: the model\'s score of `class` on the output exceeds its score on `of` by at least `margin` times the standard deviation of the class scores on `of`.',
      },
    ),
    of: Type.Optional(Type.String({ description: 'the input the output is measured against' })),
    class: Type.Optional(Type.String({ description: 'the int input naming the class' })),
    bound: Type.Optional(NumberOrInput),
    margin: Type.Optional(NumberOrInput),
  },
  { additionalProperties: false },
);

const OutputSpec = Type.Union([
  Type.String({ description: 'where the output is read after the steps: "$result" or "$layer.weight.grad"' }),
  Type.Object(
    {
      from: Type.String(),
      mode: Type.Optional(CompareMode),
      rtol: Type.Optional(Type.Number({ minimum: 0 })),
      atol: Type.Optional(Type.Number({ minimum: 0 })),
      graded: Type.Optional(
        Type.Boolean({ description: 'false: read from the submission and kept for feedback (e.g. a per-layer parameter table), never compared or scored; default true' }),
      ),
      solves: Type.Optional(LinearSystem),
      properties: Type.Optional(
        Type.Array(Property, {
          minItems: 1,
          description: 'grade the output by these properties instead of comparing it with an expected value; evaluated in the harness (the model runs in TensorFlow.js), one sentence per failed property',
        }),
      ),
    },
    { additionalProperties: false },
  ),
]);

const Source = Type.Object(
  {
    file: Type.String({ description: 'an .npz provided by the course, relative to the manifest' }),
    inputs: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]), {
      description: 'input name → key in the file (a list of keys for a list input)',
    }),
    expected: Type.Record(Type.String(), Type.String(), { description: 'output name → key in the file' }),
  },
  { additionalProperties: false },
);

export const Part = Type.Object(
  {
    id: Id,
    outputs: Type.Array(Type.String(), { minItems: 1, description: 'the graded outputs of this part' }),
    share: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "this part's share of the question's points, relative to the other parts' (default 1: equal shares)" })),
  },
  { additionalProperties: false },
);

export const Case = Type.Object(
  {
    id: Id,
    visibility: Type.Union([Type.Literal('public'), Type.Literal('hidden')]),
    weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'share of the question points (default 1)' })),
    args: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'arguments for the reference generator' })),
    source: Type.Optional(Source),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const Mistake = Type.Object(
  {
    id: Id,
    message: Type.String({ description: 'what the student is told when their output matches this known mistake' }),
    patterns: Type.Optional(
      Type.Array(PatternKind, {
        minItems: 1,
        description:
          'also recognised when a wrong output shows one of these patterns; such a mistake needs no implementation in the answer key (e.g. an inverse of a singular matrix, whose numbers are rounding noise)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RubricItem = Type.Object(
  {
    id: Id,
    points: Type.Number({ description: 'points this item gives when it applies: positive for credit, negative for a deduction' }),
    text: Type.String({ description: 'what staff look for, shown to staff and in the student report' }),
  },
  { additionalProperties: false },
);

export const Submit = Type.Object(
  {
    file: Type.Optional(Type.String({ description: 'a file of the submission, e.g. curve.png or review.md (images are shown, text is quoted)' })),
    answer: Type.Optional(Type.String({ description: 'a top-level section of the answers file (default for answers assignments: the question id)' })),
    cell: Type.Optional(Type.String({ description: 'a notebook cell tagged with this tag (in any .ipynb of the submission)' })),
  },
  { additionalProperties: false, description: 'what the student hands in for a manual question; exactly one of file, answer, cell' },
);

export const Question = Type.Object(
  {
    id: Id,
    title: Type.String(),
    points: Type.Number({ minimum: 0 }),
    inputs: Type.Optional(Type.Record(Type.String(), InputKind, { description: 'input name → how it is handed to student code' })),
    steps: Type.Optional(Type.Array(Step, { minItems: 1 })),
    outputs: Type.Optional(Type.Record(Type.String(), OutputSpec)),
    compare: Type.Optional(Tolerance),
    parts: Type.Optional(
      Type.Array(Part, {
        minItems: 2,
        description:
          'a question graded as one block (a forward and its backward) in parts: each part earns its share of the points on the cases where all its outputs pass; every graded output belongs to exactly one part',
      }),
    ),
    timeout_s: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    mistakes: Type.Optional(Type.Array(Mistake)),
    cases: Type.Optional(Type.Array(Case, { minItems: 1, description: 'required, except for manual questions' })),
    hint: Type.Optional(Type.String({ description: 'shown with a failing verdict' })),
    kind: Type.Optional(
      Type.Union([Type.Literal('numeric'), Type.Literal('property'), Type.Literal('exact'), Type.Literal('manual')], {
        description:
          'how the answer is graded — numbers within the tolerance (numeric), a property of the answer (property), exact counts (exact): answers runner only; by staff (manual, any runner): pending, and not counted in the total, until a staff score arrives (staff-scores CSV or dlgrade review)',
      }),
    ),
    submit: Type.Optional(Submit),
    rubric: Type.Optional(Type.Array(RubricItem, { minItems: 1, description: 'manual questions: items staff tick; the points are the sum of the ticked items, kept within 0..points' })),
  },
  { additionalProperties: false },
);

export const ModelLayer = Type.Object(
  {
    type: Type.Union([Type.Literal('conv2d'), Type.Literal('relu'), Type.Literal('maxpool2d'), Type.Literal('global_avgpool'), Type.Literal('flatten'), Type.Literal('linear')]),
    name: Type.String({ description: "the layer's name in the PyTorch module (its parameters are <name>.weight, <name>.bias)" }),
    in: Type.Optional(Type.Integer({ minimum: 1 })),
    out: Type.Optional(Type.Integer({ minimum: 1 })),
    kernel: Type.Optional(Type.Integer({ minimum: 1 })),
    stride: Type.Optional(Type.Integer({ minimum: 1 })),
    padding: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const Model = Type.Object(
  {
    file: Type.String({ description: 'the Python file, relative to the manifest, whose class the runner builds (never the student\'s copy)' }),
    class: Type.String({ description: 'the nn.Module class in that file, constructed without arguments' }),
    input_shape: Type.Array(Type.Integer({ minimum: 1 }), { description: 'one input without the batch axis, e.g. [3, 32, 32]' }),
    classes: Type.Optional(Type.Array(Type.String(), { description: 'class names, used in feedback ("7 (frog)")' })),
    layers: Type.Array(ModelLayer, {
      minItems: 1,
      description: 'the same network for the harness (TensorFlow.js), layer by layer in forward order: used to generate its weights and to evaluate properties',
    }),
  },
  { additionalProperties: false },
);

export const LatePolicy = Type.Object(
  {
    deadline: Type.String({ description: 'the deadline, ISO 8601 with a time zone, e.g. 2026-03-01T23:59:00-05:00', pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?(Z|[+-]\\d\\d:\\d\\d)$' }),
    penalty_percent_per_day: Type.Optional(Type.Number({ minimum: 0, description: 'percent of the total taken off per started day late' })),
    penalty_percent_per_hour: Type.Optional(Type.Number({ minimum: 0, description: 'percent of the total taken off per started hour late (instead of per day)' })),
    max_penalty_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'the most taken off, percent (default 100)' })),
    grace_minutes: Type.Optional(Type.Number({ minimum: 0, description: 'minutes after the deadline that still count as on time' })),
  },
  { additionalProperties: false, description: 'late submissions: the penalty applied to the total (dlgrade grade --extensions moves deadlines per student)' },
);

export const NotebookOptions = Type.Object(
  {
    mode: Type.Union([Type.Literal('definitions'), Type.Literal('run-all')], {
      description: 'definitions (default): grade the imports, functions, classes and constants of a handed-in notebook; run-all: run every code cell in order, for notebooks whose cells build state',
    }),
    timeout_s: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'run-all: CPU seconds the whole notebook may take, added to the limit of the case that first imports it (default 60)' })),
  },
  { additionalProperties: false },
);

export const Manifest = Type.Object(
  {
    schema: Type.Literal(1, { description: 'manifest format version' }),
    id: Id,
    title: Type.String(),
    version: Type.String({ description: 'assignment version, recorded in every result' }),
    runner: Type.Union([Type.Literal('python'), Type.Literal('answers')]),
    files: Type.Array(Type.String(), { minItems: 1, description: 'files a submission must contain' }),
    starter: Type.Optional(Type.String({ description: 'starter-code folder, relative to the manifest' })),
    handout: Type.Optional(Type.String()),
    solution: Type.Optional(Type.String({ description: 'a full-marks submission folder, relative to the manifest, used by validate' })),
    seed: Type.Integer({ description: 'global seed for fixture generation' }),
    defaults: Type.Optional(
      Type.Object(
        {
          compare: Type.Optional(Tolerance),
          timeout_s: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          memory_mb: Type.Optional(Type.Integer({ minimum: 256 })),
        },
        { additionalProperties: false },
      ),
    ),
    model: Type.Optional(Model),
    questions: Type.Array(Question, { minItems: 1 }),
    late: Type.Optional(LatePolicy),
    notebook: Type.Optional(NotebookOptions),
  },
  { additionalProperties: false, $id: 'https://dlgrade.dev/schema/manifest.json', title: 'dlgrade assignment manifest' },
);

export type ManifestT = Omit<Static<typeof Manifest>, 'questions'> & { questions: QuestionT[] };
/** A question as loaded: the loader gives a manual question without cases an empty list. */
export type QuestionT = Omit<Static<typeof Question>, 'cases'> & { cases: CaseT[] };
export type RubricItemT = Static<typeof RubricItem>;
export type SubmitT = Static<typeof Submit>;
export type CaseT = Static<typeof Case>;
export type StepT = Static<typeof Step>;
export type PartT = Static<typeof Part>;
export type ToleranceT = Static<typeof Tolerance>;
export type LatePolicyT = Static<typeof LatePolicy>;
export type NotebookOptionsT = Static<typeof NotebookOptions>;
export type CompareModeT = Static<typeof CompareMode>;
export type PatternKindT = Static<typeof PatternKind>;
export type LinearSystemT = Static<typeof LinearSystem>;
export type ModelT = Static<typeof Model>;
export type ModelLayerT = Static<typeof ModelLayer>;
export type PropertyT = Static<typeof Property>;

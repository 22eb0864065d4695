// The canonical result of grading one submission: versioned, with its JSON Schema from the same TypeBox source.
import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';

/** A union of string literals that keeps the literal types. */
function oneOf<const T extends string[]>(...values: T): TUnion<{ [K in keyof T]: TLiteral<T[K]> }> {
  return Type.Union(values.map((v) => Type.Literal(v))) as never;
}

/** Bumped when a field changes meaning or disappears; `merge` refuses files of a newer version. */
export const RESULT_SCHEMA_VERSION = 1;

const Location = Type.Object({
  file: Type.String(),
  line: Type.Number(),
  name: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
  /** For a handed-in notebook: the cell (1-based, as Jupyter shows them); `line` is then the line in that cell. */
  cell: Type.Optional(Type.Number()),
});

/** How a submission was taken in: what it arrived as, what was graded, and when it was handed in. */
export const SubmissionBlock = Type.Object({
  path: Type.String(),
  sha256: Type.String(),
  /** The name it arrived under (a folder name, an LMS's name for the student), when the id differs or says more. */
  original: Type.Optional(Type.String()),
  /** folder, zip, notebook, file, canvas, moodle, github-classroom, gradescope. */
  format: Type.Optional(Type.String()),
  /** The files graded, relative to the graded folder. */
  files: Type.Optional(Type.Array(Type.String())),
  /** Files taken under another name (an LMS's "-1", a person's " (1)"). */
  renames: Type.Optional(Type.Array(Type.Object({ from: Type.String(), to: Type.String() }))),
  notebook: Type.Optional(
    Type.Object({
      file: Type.String(),
      module: Type.String(),
      mode: Type.String(),
      codeCells: Type.Number(),
      cellsKept: Type.Number(),
      cellsDropped: Type.Number(),
      /** The first few statements left out, one line each ("cell 4, line 1: train(model) — top-level work"). */
      dropped: Type.Array(Type.String()),
      droppedCount: Type.Number(),
      skippedCells: Type.Array(Type.Object({ cell: Type.Number(), reason: Type.String() })),
    }),
  ),
  /** What intake noticed (a file left out, a sub-folder graded). */
  notes: Type.Optional(Type.Array(Type.String())),
  submittedAt: Type.Optional(Type.String()),
  /** Where submittedAt comes from (the LMS, git, the files' modification time). */
  submittedAtSource: Type.Optional(Type.String()),
  late: Type.Optional(Type.Boolean()),
  git: Type.Optional(Type.Object({ commit: Type.String(), committedAt: Type.String() })),
  penalty: Type.Optional(
    Type.Object({
      percent: Type.Number(),
      before: Type.Number(),
      after: Type.Number(),
      deadline: Type.Optional(Type.String()),
      reason: Type.String(),
    }),
  ),
});

const Pattern = Type.Union([
  Type.Object({ kind: Type.Literal('scaled'), factor: Type.Number() }),
  Type.Object({ kind: Type.Literal('negated') }),
  Type.Object({ kind: Type.Literal('transposed') }),
  Type.Object({ kind: Type.Literal('offset'), delta: Type.Number() }),
  Type.Object({ kind: Type.Literal('mistake'), id: Type.String() }),
  Type.Object({ kind: Type.Literal('not-a-solution'), residual: Type.Union([Type.Number(), Type.Literal('NaN'), Type.Literal('Infinity')]), matrix: Type.String(), rhs: Type.String() }),
  Type.Object({ kind: Type.Literal('larger-norm'), ratio: Type.Number(), matrix: Type.String(), rhs: Type.String() }),
]);

const NumberOrNonFinite = Type.Union([Type.Number(), Type.Literal('NaN'), Type.Literal('Infinity'), Type.Literal('-Infinity')]);

export const Diagnostics = Type.Object({
  pass: Type.Boolean(),
  failure: Type.Optional(oneOf('missing', 'shape', 'dtype', 'nonfinite', 'values')),
  expectedShape: Type.Array(Type.Number()),
  actualShape: Type.Optional(Type.Array(Type.Number())),
  expectedDtype: Type.String(),
  actualDtype: Type.Optional(Type.String()),
  size: Type.Number(),
  nanCount: Type.Optional(Type.Number()),
  infCount: Type.Optional(Type.Number()),
  mismatchCount: Type.Optional(Type.Number()),
  maxAbsError: Type.Optional(NumberOrNonFinite),
  relError: Type.Optional(NumberOrNonFinite),
  worst: Type.Optional(Type.Object({ index: Type.Array(Type.Number()), actual: NumberOrNonFinite, expected: NumberOrNonFinite })),
  patterns: Type.Array(Pattern),
  tolerance: Type.Object({ mode: Type.String(), rtol: Type.Number(), atol: Type.Number() }),
  message: Type.Optional(Type.String()),
});

export const OutputCheck = Type.Object({
  name: Type.String(),
  pass: Type.Boolean(),
  diagnostics: Diagnostics,
  /** One sentence for a person: what is wrong with this output. */
  summary: Type.String(),
});

export const CaseStatus = oneOf('pass', 'fail', 'error', 'timeout', 'crash', 'pending');

export const CaseResult = Type.Object({
  id: Type.String(),
  visibility: Type.Union([Type.Literal('public'), Type.Literal('hidden')]),
  status: CaseStatus,
  weight: Type.Number(),
  durationMs: Type.Number(),
  outputs: Type.Array(OutputCheck),
  error: Type.Optional(
    Type.Object({ type: Type.String(), message: Type.String(), traceback: Type.Optional(Type.Array(Location)), student_line: Type.Optional(Location) }),
  ),
  /** Known mistakes the outputs match, with the manifest's explanation. */
  mistakes: Type.Array(Type.Object({ id: Type.String(), message: Type.String() })),
  /** A question graded in parts: whether each part's outputs passed on this case. */
  parts: Type.Optional(Type.Record(Type.String(), Type.Boolean())),
  stdout: Type.Optional(Type.String()),
  /** Extra detail for people, e.g. a per-layer table, as preformatted lines. */
  details: Type.Optional(Type.Array(Type.String())),
  /** Pictures for people (public cases only): PNG images, base64, e.g. the input, the student's map and the expected one. */
  pictures: Type.Optional(Type.Array(Type.Object({ label: Type.String(), png: Type.String() }))),
});

/** What a student handed in for a manual question, as staff see it next to the rubric. */
export const Material = Type.Object({
  kind: oneOf('file', 'answer', 'cell', 'none'),
  /** Where it came from: "curve.png", "answers.yaml: paper_review", "analysis.ipynb: cell 4 (tag insights)". */
  source: Type.String(),
  /** text/markdown, text/plain, text/yaml, image/png, …; "" when nothing was found. */
  mediaType: Type.String(),
  text: Type.Optional(Type.String()),
  /** An image, base64 (small enough to travel with the result: reports and the review page need nothing else). */
  data: Type.Optional(Type.String()),
  truncated: Type.Optional(Type.Boolean()),
  bytes: Type.Optional(Type.Number()),
  sha256: Type.Optional(Type.String()),
  /** Why there is nothing to show (not handed in, too large, unreadable). */
  problem: Type.Optional(Type.String()),
});

/** A rubric item and what staff gave for it (awarded is absent until the question is scored or when not given). */
export const RubricMark = Type.Object({
  id: Type.String(),
  text: Type.String(),
  points: Type.Number(),
  awarded: Type.Optional(Type.Number()),
  comment: Type.Optional(Type.String()),
});

export const ManualGrading = Type.Object({
  /** false: pending, the question's points are not counted yet. */
  scored: Type.Boolean(),
  rubric: Type.Array(RubricMark),
  material: Type.Array(Material),
});

export const QuestionResult = Type.Object({
  id: Type.String(),
  title: Type.String(),
  points: Type.Number(),
  maxPoints: Type.Number(),
  status: oneOf('passed', 'partial', 'failed', 'pending'),
  cases: Type.Array(CaseResult),
  /** A question graded in parts (a forward and its backward): each part's points out of its share. */
  parts: Type.Optional(Type.Array(Type.Object({ id: Type.String(), points: Type.Number(), maxPoints: Type.Number() }))),
  hint: Type.Optional(Type.String()),
  comment: Type.Optional(Type.String()),
  /** Manual questions: the rubric, what staff gave, and what the student handed in. */
  manual: Type.Optional(ManualGrading),
});

export const Result = Type.Object(
  {
    schemaVersion: Type.Literal(RESULT_SCHEMA_VERSION),
    student: Type.String(),
    mode: Type.Union([Type.Literal('check'), Type.Literal('ci'), Type.Literal('grade')]),
    assignment: Type.Object({ id: Type.String(), title: Type.String(), version: Type.String(), manifestSha256: Type.String() }),
    submission: SubmissionBlock,
    engine: Type.Object({
      dlgrade: Type.String(),
      node: Type.String(),
      runtime: Type.Record(Type.String(), Type.String()),
      sandbox: Type.String(),
    }),
    fixtures: Type.Object({
      referenceVersion: Type.String(),
      backend: Type.String(),
      seed: Type.Number(),
      files: Type.Record(Type.String(), Type.String()),
    }),
    startedAt: Type.String(),
    durationMs: Type.Number(),
    score: Type.Object({ points: Type.Number(), maxPoints: Type.Number(), pendingPoints: Type.Number() }),
    questions: Type.Array(QuestionResult),
    /** Problems with the submission as a whole (e.g. a required file is missing). */
    notices: Type.Array(Type.String()),
  },
  { $id: 'https://dlgrade.dev/schema/result.json', title: 'dlgrade result' },
);

export type ResultT = Static<typeof Result>;
export type QuestionResultT = Static<typeof QuestionResult>;
export type CaseResultT = Static<typeof CaseResult>;
export type OutputCheckT = Static<typeof OutputCheck>;
export type SubmissionBlockT = Static<typeof SubmissionBlock>;
export type DiagnosticsT = Static<typeof Diagnostics>;
export type MaterialT = Static<typeof Material>;
export type RubricMarkT = Static<typeof RubricMark>;
export type ManualGradingT = Static<typeof ManualGrading>;

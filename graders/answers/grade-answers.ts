// Grades a written answers file: one pure function from (answers, variant) to per-question points, cells and status.
import type { WrittenVariant } from './variant.js';
import { WRITTEN_QUESTION_IDS, type WrittenQuestionId } from './schema.js';
import { formatIssue, type LoadedAnswers, type SectionState } from './load-answers.js';
import type { AnswerCell, NumberTolerance } from './cells.js';
import {
  gradeBackprop,
  gradeCnnTable,
  gradeConvAsMatrix,
  gradePerceptron,
  gradeReluNet,
  gradeVgg11,
  gradeXor,
  type QuestionCells,
  type QuestionContext,
} from './grade-questions.js';
import { solveWritten, writtenReference, type WrittenKey } from '../../reference/written/index.js';

/** How a question is graded: numbers within a tolerance, a property of the answer, exact counts, or by staff. */
export type QuestionKind = 'numeric' | 'property' | 'exact' | 'manual';

/**
 * passed / partial / failed: graded cell by cell. missing: the section is absent or every cell is null.
 * invalid: the section (or the whole file) does not have the expected types, so none of it is graded.
 * pending: graded by staff, not yet scored. scored: a staff score was merged in.
 */
export type AnswerStatus = 'passed' | 'partial' | 'failed' | 'missing' | 'invalid' | 'pending' | 'scored';

/** The grade of one question. */
export interface QuestionGrade {
  id: WrittenQuestionId;
  kind: QuestionKind;
  points: number;
  maxPoints: number;
  status: AnswerStatus;
  cells: AnswerCell[];
  /** Sentences for the student: validation errors, recognised mistakes, "graded by staff". */
  messages: string[];
  /** A staff comment, for manually graded questions. */
  comment?: string;
}

/** A question's points and tolerance, as the manifest gives them. */
export interface AnswersQuestionConfig {
  id: string;
  points: number;
  compare?: Partial<NumberTolerance>;
}

/** How each question is graded. */
export const QUESTION_KINDS: Record<WrittenQuestionId, QuestionKind> = {
  conv_as_matrix: 'property',
  perceptron: 'property',
  xor: 'property',
  relu_net: 'numeric',
  backprop: 'numeric',
  vgg11: 'exact',
  cnn_table: 'exact',
  xor_proof: 'manual',
  min_norm_proof: 'manual',
};

/** Points and tolerances used when no manifest is given; assignments/written/manifest.yaml says the same (tested). */
export const WRITTEN_DEFAULT_QUESTIONS: AnswersQuestionConfig[] = [
  { id: 'conv_as_matrix', points: 3 },
  { id: 'perceptron', points: 2 },
  { id: 'xor', points: 2 },
  { id: 'relu_net', points: 3 },
  { id: 'backprop', points: 6, compare: { rtol: 1e-2 } },
  { id: 'vgg11', points: 4, compare: { rtol: 1e-3 } },
  { id: 'cnn_table', points: 4 },
  { id: 'xor_proof', points: 2 },
  { id: 'min_norm_proof', points: 2 },
];

/** The course's rel_error with rtol 1e-4 (assignments.md), unless the manifest says otherwise. */
export const WRITTEN_DEFAULT_COMPARE: NumberTolerance = { mode: 'rel_error', rtol: 1e-4, atol: 0 };

export interface GradeAnswersOptions {
  /** Questions to grade, in order, with points and tolerances (the manifest's); defaults to WRITTEN_DEFAULT_QUESTIONS. */
  questions?: AnswersQuestionConfig[];
  /** The assignment-wide tolerance (the manifest's defaults.compare). */
  compare?: Partial<NumberTolerance>;
  /** The answer key; computed from the variant when not given. */
  key?: WrittenKey;
}

type Grader = (ctx: QuestionContext<WrittenQuestionId>) => QuestionCells;

const GRADERS: Record<Exclude<WrittenQuestionId, 'xor_proof' | 'min_norm_proof'>, Grader> = {
  conv_as_matrix: gradeConvAsMatrix as Grader,
  perceptron: gradePerceptron as Grader,
  xor: gradeXor as Grader,
  relu_net: gradeReluNet as Grader,
  backprop: gradeBackprop as Grader,
  vgg11: gradeVgg11 as Grader,
  cnn_table: gradeCnnTable as Grader,
};

/** Whether a question id belongs to the written assignment. */
export function isWrittenQuestion(id: string): id is WrittenQuestionId {
  return (WRITTEN_QUESTION_IDS as string[]).includes(id);
}

/**
 * Grades every configured question of an answers file for one student's variant. Pure: the same answers and
 * variant give the same grades. A section that failed validation scores 0 and says why; the others are unaffected.
 */
export function gradeAnswers(answers: LoadedAnswers, variant: WrittenVariant, options: GradeAnswersOptions = {}): QuestionGrade[] {
  const key = options.key ?? solveWritten(variant);
  return configured(options).map((q) => {
    const tolerance: NumberTolerance = { ...WRITTEN_DEFAULT_COMPARE, ...options.compare, ...q.compare };
    return gradeSection(q.id, q.points, answers.sections[q.id], answers.file, { key, variant, tolerance });
  });
}

/** Grades for an answers file that could not be read at all: every question invalid, with the reason. */
export function gradeUnreadable(reason: string, options: Pick<GradeAnswersOptions, 'questions'> = {}): QuestionGrade[] {
  return configured(options).map((q) => ({
    id: q.id,
    kind: QUESTION_KINDS[q.id],
    points: 0,
    maxPoints: q.points,
    status: 'invalid',
    cells: [],
    messages: [reason],
  }));
}

function configured(options: Pick<GradeAnswersOptions, 'questions'>): (AnswersQuestionConfig & { id: WrittenQuestionId })[] {
  const questions = options.questions ?? WRITTEN_DEFAULT_QUESTIONS;
  for (const q of questions) {
    if (!isWrittenQuestion(q.id)) throw new Error(`unknown written question "${q.id}" (known: ${WRITTEN_QUESTION_IDS.join(', ')})`);
  }
  return questions as (AnswersQuestionConfig & { id: WrittenQuestionId })[];
}

function gradeSection(
  id: WrittenQuestionId,
  maxPoints: number,
  section: SectionState,
  file: string,
  ctx: { key: WrittenKey; variant: WrittenVariant; tolerance: NumberTolerance },
): QuestionGrade {
  const kind = QUESTION_KINDS[id];
  const base = { id, kind, maxPoints, points: 0, cells: [] as AnswerCell[] };
  if (section.state === 'invalid') {
    return { ...base, status: 'invalid', messages: section.issues.map((issue) => formatIssue(file, issue)) };
  }
  if (kind === 'manual') {
    const text = section.state === 'answered' ? String(section.value ?? '').trim() : '';
    const note = text ? 'graded by staff' : 'no answer in the file; graded by staff (a separately handed-in proof counts)';
    return { ...base, status: 'pending', messages: [note] };
  }
  if (section.state === 'missing') return { ...base, status: 'missing', messages: ['not answered'] };
  const grader = GRADERS[id as keyof typeof GRADERS];
  const { cells, messages } = grader({ answers: section.value, mistakes: writtenReference.mistakes, ...ctx });
  return { ...base, ...scoreCells(maxPoints, cells), cells, messages };
}

/**
 * Points from cells: the maximum times the weight share of passing cells, rounded to 1e-6 (as graders/score does).
 * A question none of whose cells is answered is `missing`.
 */
export function scoreCells(maxPoints: number, cells: readonly AnswerCell[]): { points: number; status: AnswerStatus } {
  if (cells.every((c) => c.actual === null || c.actual === undefined)) return { points: 0, status: 'missing' };
  const total = cells.reduce((s, c) => s + c.weight, 0);
  const passed = cells.filter((c) => c.pass).reduce((s, c) => s + c.weight, 0);
  const points = total > 0 ? Math.round((maxPoints * passed * 1e6) / total) / 1e6 : 0;
  return { points, status: passed === total ? 'passed' : passed === 0 ? 'failed' : 'partial' };
}

// Grades an answers file against its key: one pure function from (key, answers, variant) to per-question grades.
import type { AnswersKey, QuestionKind, VariantValues } from '../answer-key/answers-key.js';
import { formatIssue, type LoadedAnswers, type SectionState } from './load-answers.js';
import type { AnswerCell, NumberTolerance } from './cells.js';
import { scoreQuestion } from '../score/score.js';

export type { QuestionKind };

/**
 * passed / partial / failed: graded cell by cell. missing: the section is absent or every cell is null.
 * invalid: the section (or the whole file) does not have the expected types, so none of it is graded.
 * pending: graded by staff, not yet scored. scored: a staff score was merged in.
 */
export type AnswerStatus = 'passed' | 'partial' | 'failed' | 'missing' | 'invalid' | 'pending' | 'scored';

/** The grade of one question. */
export interface QuestionGrade {
  id: string;
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

/** The course's rel_error with rtol 1e-4 (assignments.md), unless the manifest says otherwise. */
export const DEFAULT_ANSWERS_COMPARE: NumberTolerance = { mode: 'rel_error', rtol: 1e-4, atol: 0 };

export interface GradeAnswersOptions<K = unknown> {
  /** Questions to grade, in order, with points and tolerances (the manifest's). */
  questions: AnswersQuestionConfig[];
  /** The assignment-wide tolerance (the manifest's defaults.compare). */
  compare?: Partial<NumberTolerance>;
  /** The expected answers; computed from the variant when not given. */
  solved?: K;
}

/**
 * Grades every configured question of an answers file for one student's variant. Pure: the same answers and
 * variant give the same grades. A section that failed validation scores 0 and says why; the others are unaffected.
 */
export function gradeAnswers<K, V extends VariantValues>(key: AnswersKey<K, V>, answers: LoadedAnswers, variant: V, options: GradeAnswersOptions<K>): QuestionGrade[] {
  const solved = options.solved ?? key.solve(variant);
  return configured(key, options.questions).map((q) => {
    const tolerance: NumberTolerance = { ...DEFAULT_ANSWERS_COMPARE, ...options.compare, ...q.compare };
    return gradeSection(key, q.id, q.points, answers.sections[q.id] ?? { state: 'missing' }, answers.file, { key: solved, variant, tolerance });
  });
}

/** Grades for an answers file that could not be read at all: every question invalid, with the reason. */
export function gradeUnreadable(key: AnswersKey, reason: string, options: Pick<GradeAnswersOptions, 'questions'>): QuestionGrade[] {
  return configured(key, options.questions).map((q) => ({
    id: q.id,
    kind: key.questions[q.id].kind,
    points: 0,
    maxPoints: q.points,
    status: 'invalid',
    cells: [],
    messages: [reason],
  }));
}

function configured(key: AnswersKey, questions: AnswersQuestionConfig[]): AnswersQuestionConfig[] {
  for (const q of questions) {
    if (!Object.hasOwn(key.questions, q.id)) {
      throw new Error(`unknown ${key.assignment} question "${q.id}" (known: ${Object.keys(key.questions).join(', ')})`);
    }
  }
  return questions;
}

function gradeSection<K, V extends VariantValues>(
  key: AnswersKey<K, V>,
  id: string,
  maxPoints: number,
  section: SectionState,
  file: string,
  ctx: { key: K; variant: V; tolerance: NumberTolerance },
): QuestionGrade {
  const question = key.questions[id];
  const kind = question.kind;
  const base = { id, kind, maxPoints, points: 0, cells: [] as AnswerCell[] };
  if (section.state === 'invalid') {
    return { ...base, status: 'invalid', messages: section.issues.map((issue) => formatIssue(file, issue)) };
  }
  if (kind === 'manual' || !question.grade) {
    const text = section.state === 'answered' ? String(section.value ?? '').trim() : '';
    const note = text ? 'graded by staff' : 'no answer in the file; graded by staff (a separately handed-in proof counts)';
    return { ...base, status: 'pending', messages: [note] };
  }
  if (section.state === 'missing') return { ...base, status: 'missing', messages: ['not answered'] };
  const { cells, messages } = question.grade({ answers: section.value, ...ctx });
  const scored = cells.map((c) => ({ status: c.pass ? ('pass' as const) : ('fail' as const), weight: c.weight, answered: c.actual !== null && c.actual !== undefined }));
  return { ...base, ...scoreQuestion(maxPoints, scored), cells, messages };
}

// Turns answer grades into the engine's result model: one case per graded cell, so every report works unchanged.
import type { CaseResultT, DiagnosticsT, OutputCheckT, QuestionResultT } from '../result/schema.js';
import type { AnswerCell } from './cells.js';
import type { QuestionGrade } from './grade-answers.js';

/** The manifest's view of a question that the result needs. */
export interface ResultQuestionInfo {
  id: string;
  title: string;
  visibility: 'public' | 'hidden';
  hint?: string;
}

/** Maps one question's grade to a QuestionResult (points come from the grade; statuses narrow to the result's four). */
export function toQuestionResult(grade: QuestionGrade, info: ResultQuestionInfo): QuestionResultT {
  const cases = casesOf(grade, info);
  return {
    id: grade.id,
    title: info.title,
    points: grade.points,
    maxPoints: grade.maxPoints,
    status: resultStatus(grade),
    cases,
    ...(info.hint ? { hint: info.hint } : {}),
    ...(grade.comment ? { comment: grade.comment } : {}),
  };
}

function resultStatus(grade: QuestionGrade): QuestionResultT['status'] {
  switch (grade.status) {
    case 'passed':
    case 'partial':
    case 'failed':
    case 'pending':
      return grade.status;
    case 'missing':
    case 'invalid':
      return 'failed';
    case 'scored':
      return grade.points >= grade.maxPoints ? 'passed' : grade.points > 0 ? 'partial' : 'failed';
  }
}

const base = (id: string, info: ResultQuestionInfo, weight = 1) => ({ id, visibility: info.visibility, weight, durationMs: 0 });

function casesOf(grade: QuestionGrade, info: ResultQuestionInfo): CaseResultT[] {
  switch (grade.status) {
    case 'invalid':
      // Nothing of the section was graded: one case per problem, each naming the file, line and path.
      return grade.messages.map((message, i) => ({
        ...base(grade.messages.length > 1 ? `answers-${i + 1}` : 'answers', info),
        status: 'error',
        outputs: [],
        mistakes: [],
        error: { type: 'SubmissionError', message },
      }));
    case 'missing':
      return [{ ...base('answers', info), status: 'fail', outputs: [textCheck('answer', false, `not answered: the answers file has no ${grade.id} section`)], mistakes: [] }];
    case 'pending':
      return [{ ...base('staff', info), status: 'pending', outputs: [], mistakes: [], details: grade.messages }];
    case 'scored':
      return [
        {
          ...base('staff', info),
          status: grade.points >= grade.maxPoints ? 'pass' : 'fail',
          outputs: [textCheck('staff', grade.points >= grade.maxPoints, `scored ${grade.points} of ${grade.maxPoints} by staff${grade.comment ? `: ${grade.comment}` : ''}`)],
          mistakes: [],
        },
      ];
    default:
      return grade.cells.map((cell) => cellCase(grade, cell, info));
  }
}

/** A cell as a case: its id is the path inside the question's section (`gradients.w3`). */
function cellCase(grade: QuestionGrade, cell: AnswerCell, info: ResultQuestionInfo): CaseResultT {
  const id = cell.path.startsWith(`${grade.id}.`) ? cell.path.slice(grade.id.length + 1) : cell.path;
  // A message the question also lists is a recognised mistake: reported as such, once per case.
  const known = !cell.pass && cell.message !== undefined && grade.messages.includes(cell.message);
  const summary = cell.pass ? 'correct' : (cell.message ?? 'not right');
  return {
    ...base(id, info, cell.weight),
    status: cell.pass ? 'pass' : 'fail',
    outputs: [{ name: 'answer', pass: cell.pass, diagnostics: diagnosticsOf(cell), summary }],
    mistakes: known ? [{ id: 'recognised', message: cell.message! }] : [],
  };
}

function textCheck(name: string, pass: boolean, summary: string): OutputCheckT {
  return {
    name,
    pass,
    summary,
    diagnostics: { pass, expectedShape: [], expectedDtype: 'answer', size: 1, patterns: [], tolerance: { mode: 'exact', rtol: 0, atol: 0 }, ...(pass ? {} : { failure: 'values' }) },
  };
}

/**
 * Comparison data for a cell. No error figures: with the student's value they would give away the expected one,
 * and results (Gradescope feedback, reports) go to students.
 */
function diagnosticsOf(cell: AnswerCell): DiagnosticsT {
  const answered = cell.actual !== null && cell.actual !== undefined;
  const numeric = typeof cell.expected === 'number';
  const exact = numeric && Number.isInteger(cell.expected) && !cell.tolerance;
  const tolerance = cell.tolerance && numeric ? cell.tolerance : { mode: typeof cell.expected === 'string' ? 'property' : 'exact', rtol: 0, atol: 0 };
  const d: DiagnosticsT = {
    pass: cell.pass,
    expectedShape: Array.isArray(cell.expected) ? [cell.expected.length] : [],
    ...(Array.isArray(cell.actual) ? { actualShape: [cell.actual.length] } : {}),
    expectedDtype: numeric ? (exact ? 'int64' : 'float64') : typeof cell.expected === 'boolean' ? 'bool' : 'property',
    size: 1,
    patterns: [],
    tolerance,
  };
  if (!cell.pass) {
    d.failure = answered ? 'values' : 'missing';
    d.message = cell.message;
  }
  return d;
}

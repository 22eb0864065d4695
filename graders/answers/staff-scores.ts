// Staff scores for manually graded questions: a CSV `student_id,question,points,comment`, checked and merged into grades.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { DlgradeError, describeValue } from '../errors.js';
import { normalizeStudentId } from '../answer-key/variants.js';
import type { QuestionGrade } from './grade-answers.js';

/** One row of the staff CSV. */
export interface StaffScore {
  /** As written in the file (trimmed); matched against submissions after normalisation (trim, lower case). */
  studentId: string;
  question: string;
  points: number;
  comment: string;
  /** 1-based line of the row in the file, for messages. */
  line: number;
}

/** What the checks need to know about each question: its maximum and whether staff grade it. */
export interface StaffQuestionInfo {
  id: string;
  maxPoints: number;
  manual: boolean;
}

export const STAFF_SCORE_COLUMNS = ['student_id', 'question', 'points', 'comment'] as const;

function fail(file: string, line: number | undefined, message: string, cause?: unknown): never {
  throw new DlgradeError('STAFF_SCORES_INVALID', line !== undefined ? `line ${line}: ${message}` : message, { file, cause });
}

/** Reads and parses a staff CSV; `file` is used in messages. */
export async function loadStaffScores(file: string): Promise<StaffScore[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    return fail(file, undefined, 'cannot read the staff scores file', cause);
  }
  return parseStaffScores(text, file);
}

/**
 * Parses the CSV: a header naming student_id, question and points (comment optional, any order, extra columns
 * ignored), then one row per score. Every problem names the file and line. Blank lines are skipped.
 */
export function parseStaffScores(text: string, file: string): StaffScore[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: false,
    }) as typeof records;
  } catch (cause) {
    const error = cause as Error & { lines?: number; code?: string };
    // csv-parse's messages are good but long; keep their first sentence and name the line ourselves.
    const reason = error.message.replace(/^Invalid (Record|Opening Quote|Closing Quote)[^:]*: /, '').split(/(?<=\.) /)[0].replace(/ (at|on) line \d+/g, '');
    return fail(file, error.lines, `not valid CSV: ${reason}`, cause);
  }
  if (records.length === 0 && text.trim() === '') return [];
  const header = records.length > 0 ? Object.keys(records[0].record) : firstLineColumns(text);
  const missing = STAFF_SCORE_COLUMNS.filter((c) => c !== 'comment' && !header.includes(c));
  if (missing.length > 0) {
    fail(file, 1, `the header must name the columns ${STAFF_SCORE_COLUMNS.join(',')} (comment optional); missing ${missing.join(', ')}, got ${header.join(',') || 'nothing'}`);
  }
  return records.map(({ record, info }) => {
    const line = info.lines;
    const studentId = record.student_id ?? '';
    const question = record.question ?? '';
    if (studentId === '') fail(file, line, 'student_id is empty');
    if (question === '') fail(file, line, 'question is empty');
    const raw = record.points ?? '';
    const points = raw === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(points)) fail(file, line, `points: expected a number, got ${describeValue(raw)}`);
    if (points < 0) fail(file, line, `points: expected a number >= 0, got ${points}`);
    return { studentId, question, points, comment: record.comment ?? '', line };
  });
}

function firstLineColumns(text: string): string[] {
  return (text.split(/\r?\n/)[0] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
}

/**
 * Checks scores against the assignment: the question exists and is graded by staff, the points are at most its
 * maximum, and no student has two scores for one question. Throws naming the file and line.
 */
export function checkStaffScores(scores: readonly StaffScore[], questions: readonly StaffQuestionInfo[], file: string): void {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const seen = new Map<string, number>();
  for (const s of scores) {
    const q = byId.get(s.question);
    if (!q) fail(file, s.line, `unknown question "${s.question}"; staff-graded questions: ${manualIds(questions)}`);
    if (!q.manual) fail(file, s.line, `question "${s.question}" is autograded; staff scores are for ${manualIds(questions)}`);
    if (s.points > q.maxPoints) fail(file, s.line, `points: ${s.points} is above the maximum of ${q.maxPoints} for ${s.question}`);
    const key = `${normalizeStudentId(s.studentId)}\u0000${s.question}`;
    const before = seen.get(key);
    if (before !== undefined) fail(file, s.line, `a second score for ${s.studentId} / ${s.question} (the first is on line ${before})`);
    seen.set(key, s.line);
  }
}

function manualIds(questions: readonly StaffQuestionInfo[]): string {
  return questions.filter((q) => q.manual).map((q) => q.id).join(', ') || 'none';
}

/**
 * Merges one student's staff scores into their grades: a manual question with a score becomes `scored` with those
 * points and the comment; one without stays as it was (pending). Pure; checks the points against the maximum again,
 * so it is safe without checkStaffScores.
 */
export function mergeStaffScores<G extends QuestionGrade>(grades: readonly G[], scores: readonly StaffScore[], studentId: string, file = 'staff scores'): G[] {
  const id = normalizeStudentId(studentId);
  const mine = scores.filter((s) => normalizeStudentId(s.studentId) === id);
  return grades.map((grade) => {
    const score = mine.find((s) => s.question === grade.id);
    if (!score || grade.kind !== 'manual') return grade;
    if (score.points > grade.maxPoints) {
      fail(file, score.line, `points: ${score.points} is above the maximum of ${grade.maxPoints} for ${grade.id}`);
    }
    const messages = ['scored by staff'];
    return { ...grade, points: score.points, status: 'scored', messages, ...(score.comment ? { comment: score.comment } : {}) };
  });
}

/** Scores whose student is not among the graded ones (probably a typo in the id); for a warning. */
export function unmatchedStaffScores(scores: readonly StaffScore[], studentIds: readonly string[]): StaffScore[] {
  const known = new Set(studentIds.map(normalizeStudentId));
  return scores.filter((s) => !known.has(normalizeStudentId(s.studentId)));
}

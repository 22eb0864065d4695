// Staff scores for manual questions: a CSV `student_id,question,item,points,comment` (item optional), read and checked.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { DlgradeError, describeValue } from '../errors.js';
import type { RubricItemT } from '../manifest/schema.js';

/**
 * One row of the staff CSV. A row without `item` scores the whole question (`points`), or, with `points` empty, only
 * says the question is graded (from its item rows, if any) and carries the free comment. A row with `item` awards that
 * rubric item: `points` empty means the item's own points.
 */
export interface StaffScore {
  /** As written in the file (trimmed); matched against submissions after studentKey(). */
  studentId: string;
  question: string;
  /** A rubric item id; '' for a row about the whole question. */
  item: string;
  /** undefined when the cell is empty. */
  points?: number;
  comment: string;
  /** 1-based line of the row in the file, for messages. */
  line: number;
}

/** What the checks need to know about each question: its maximum, whether staff grade it, its rubric. */
export interface StaffQuestionInfo {
  id: string;
  maxPoints: number;
  manual: boolean;
  rubric?: readonly RubricItemT[];
  /** A section of a student's answers file that the assignment does not know: worth nothing, read by staff. */
  unrecognised?: boolean;
}

/** What checkStaffScores accepts besides the manifest's questions. */
export interface StaffScoreCheckOptions {
  /**
   * Answers assignments: a question the manifest does not name may be an unrecognised section of some student's
   * answers file; its rows are accepted with a maximum of 0 (staff mark it read and comment on it).
   */
  unrecognisedSections?: boolean;
}

/** The columns, in the order dlgrade writes them; `item` and `comment` may be left out (the older 4-column form). */
export const STAFF_SCORE_COLUMNS = ['student_id', 'question', 'item', 'points', 'comment'] as const;
const REQUIRED_COLUMNS = ['student_id', 'question', 'points'];

/** How staff scores and submissions are matched: ids compare trimmed and case-insensitively. */
export function studentKey(studentId: string): string {
  return studentId.trim().toLowerCase();
}

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
 * Parses the CSV: a header naming student_id, question and points (item and comment optional, any order, extra
 * columns ignored), then one row per score. Every problem names the file and line. Blank lines are skipped.
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
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    fail(file, 1, `the header must name the columns ${STAFF_SCORE_COLUMNS.join(',')} (item and comment optional); missing ${missing.join(', ')}, got ${header.join(',') || 'nothing'}`);
  }
  return records.map(({ record, info }) => {
    const line = info.lines;
    const studentId = record.student_id ?? '';
    const question = record.question ?? '';
    const item = record.item ?? '';
    if (studentId === '') fail(file, line, 'student_id is empty');
    if (question === '') fail(file, line, 'question is empty');
    const raw = record.points ?? '';
    // An empty cell is allowed where it has a meaning: an item's own points, or "graded, see the items".
    if (raw === '' && !header.includes('item')) fail(file, line, `points: expected a number, got "" (string)`);
    const points = raw === '' ? undefined : Number(raw);
    if (points !== undefined && !Number.isFinite(points)) fail(file, line, `points: expected a number, got ${describeValue(raw)}`);
    if (points !== undefined && points < 0 && item === '') fail(file, line, `points: expected a number >= 0, got ${points}`);
    return { studentId, question, item, ...(points !== undefined ? { points } : {}), comment: record.comment ?? '', line };
  });
}

function firstLineColumns(text: string): string[] {
  return (text.split(/\r?\n/)[0] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
}

/**
 * Checks scores against the assignment: the question exists and is graded by staff, items are the question's rubric
 * items and award at most their points, whole-question points are within 0..maximum and are not mixed with items, and
 * nothing is given twice. Throws naming the file and line.
 */
export function checkStaffScores(scores: readonly StaffScore[], questions: readonly StaffQuestionInfo[], file: string, options: StaffScoreCheckOptions = {}): void {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const seen = new Map<string, number>();
  const shape = new Map<string, { whole?: number; item?: number }>();
  for (const s of scores) {
    const q = byId.get(s.question) ?? (options.unrecognisedSections ? { id: s.question, maxPoints: 0, manual: true, unrecognised: true } : undefined);
    if (!q) fail(file, s.line, `unknown question "${s.question}"; staff-graded questions: ${manualIds(questions)}`);
    if (!q.manual) fail(file, s.line, `question "${s.question}" is autograded; staff scores are for ${manualIds(questions)}`);
    checkRow(s, q, file);
    const key = `${studentKey(s.studentId)}\u0000${s.question}\u0000${s.item}`;
    const before = seen.get(key);
    if (before !== undefined) {
      fail(file, s.line, `a second ${s.item ? `row for item ${s.item} of` : 'score for'} ${s.studentId} / ${s.question} (the first is on line ${before})`);
    }
    seen.set(key, s.line);
    const forQuestion = `${studentKey(s.studentId)}\u0000${s.question}`;
    const kinds = shape.get(forQuestion) ?? {};
    if (s.item === '' && s.points !== undefined) kinds.whole ??= s.line;
    if (s.item !== '') kinds.item ??= s.line;
    shape.set(forQuestion, kinds);
    if (kinds.whole !== undefined && kinds.item !== undefined) {
      fail(file, s.line, `${s.studentId} / ${s.question} has both points for the whole question (line ${kinds.whole}) and rubric items (line ${kinds.item}); give one or the other`);
    }
  }
}

/** The checks of one row that need only its question. */
function checkRow(s: StaffScore, q: StaffQuestionInfo, file: string): void {
  if (s.item === '') {
    if (s.points !== undefined && s.points > q.maxPoints) {
      const why = q.unrecognised ? ` ("${q.id}" is not a question of the assignment, so it can only be marked read with 0 points and a comment; give the points to the question it answers)` : '';
      fail(file, s.line, `points: ${s.points} is above the maximum of ${q.maxPoints} for ${q.id}${why}`);
    }
    return;
  }
  const rubric = q.rubric ?? [];
  const item = rubric.find((i) => i.id === s.item);
  if (!item) {
    fail(file, s.line, rubric.length ? `unknown rubric item "${s.item}" of ${q.id}; its items: ${rubric.map((i) => i.id).join(', ')}` : `${q.id} has no rubric; leave item empty and give the question's points`);
  }
  if (s.points === undefined) return;
  // An item may be given in part, never beyond its own points nor with the opposite sign.
  const [low, high] = item.points >= 0 ? [0, item.points] : [item.points, 0];
  if (s.points < low || s.points > high) fail(file, s.line, `points: item ${item.id} of ${q.id} gives ${low}..${high}, got ${s.points}`);
}

function manualIds(questions: readonly StaffQuestionInfo[]): string {
  return questions.filter((q) => q.manual).map((q) => q.id).join(', ') || 'none';
}

/** Scores whose student is not among the graded ones (probably a typo in the id); for a warning. */
export function unmatchedStaffScores(scores: readonly StaffScore[], studentIds: readonly string[]): StaffScore[] {
  const known = new Set(studentIds.map(studentKey));
  return scores.filter((s) => !known.has(studentKey(s.studentId)));
}

// Manual questions in any assignment: pending until staff score them, then scored from the staff CSV and the rubric.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { QuestionT } from '../manifest/schema.js';
import type { CaseResultT, MaterialT, QuestionResultT, ResultT } from '../result/schema.js';
import { scoreTotals } from '../result/build.js';
import { DlgradeError } from '../errors.js';
import { checkStaffScores, loadStaffScores, studentKey, unmatchedStaffScores, type StaffQuestionInfo, type StaffScore } from './staff-scores.js';
import { scoreManual } from './rubric.js';
import { collectMaterial } from './material.js';
import type { GradingContext, SubmissionInput } from '../engine/grade-submission.js';

/** Staff scores attached to a grading context (`grade --staff-scores`). */
export interface StaffScores {
  file: string;
  scores: StaffScore[];
}

/** The manifest's manual questions among those a context grades. */
export function manualQuestions(questions: readonly QuestionT[]): QuestionT[] {
  return questions.filter((q) => q.kind === 'manual');
}

/** The manifest's questions as the staff-scores checks see them. */
export function staffQuestionInfo(questions: readonly QuestionT[]): StaffQuestionInfo[] {
  return questions.map((q) => ({ id: q.id, maxPoints: q.points, manual: q.kind === 'manual', ...(q.rubric ? { rubric: q.rubric } : {}) }));
}

/**
 * The manual question an unrecognised section of a student's answers file becomes. It is worth nothing by itself:
 * staff read it, mark it read (0 points, a comment) and give any credit to the question it answers.
 */
export function unrecognisedSectionQuestion(name: string, guess?: string): QuestionT {
  return {
    id: name,
    title: `Unrecognised section "${name}"${guess ? ` (did you mean ${guess}?)` : ''}`,
    points: 0,
    kind: 'manual',
    submit: { answer: name },
    hint: 'not a question of this assignment: staff read it and give any credit to the question it answers',
    cases: [],
  };
}

/**
 * Loads, checks and attaches a staff scores CSV to a grading context. The file's hash goes into the lock, so results
 * cached before the scores changed are not reused, and every result records which scores it merged.
 */
export async function attachStaffScores(ctx: GradingContext, file: string): Promise<StaffScore[]> {
  const { manifest } = ctx.assignment;
  if (manualQuestions(manifest.questions).length === 0) {
    throw new DlgradeError('USAGE', `--staff-scores is for assignments with manual questions (kind: manual); ${manifest.id} has none`);
  }
  const scores = await loadStaffScores(file);
  checkStaffScores(scores, staffQuestionInfo(manifest.questions), file, { unrecognisedSections: manifest.runner === 'answers' });
  const sha256 = createHash('sha256').update(await readFile(file)).digest('hex');
  ctx.lock = { ...ctx.lock, files: { ...ctx.lock.files, [`staff-scores/${path.basename(file)}`]: sha256 } };
  ctx.staffScores = { file, scores };
  return scores;
}

/**
 * Warnings for staff scores that were not used: their student has no submission in the batch (a typo in an id,
 * usually), or, given the results, they name a section the assignment does not know that the student did not write.
 */
export function unmatchedStaffScoreWarnings(ctx: GradingContext, students: readonly string[], results: readonly Pick<ResultT, 'student' | 'questions'>[] = []): string[] {
  const staff = ctx.staffScores;
  if (!staff) return [];
  const noStudent = unmatchedStaffScores(staff.scores, students);
  const warnings = noStudent.map((s) => `${staff.file}: line ${s.line}: no submission for student "${s.studentId}"; the score for ${s.question} was not used`);
  const listed = new Set(ctx.assignment.manifest.questions.map((q) => q.id));
  for (const s of staff.scores) {
    if (listed.has(s.question) || noStudent.includes(s)) continue;
    const result = results.find((r) => studentKey(r.student) === studentKey(s.studentId));
    if (result && !result.questions.some((q) => q.id === s.question)) {
      warnings.push(`${staff.file}: line ${s.line}: "${s.question}" is neither a question of ${ctx.assignment.manifest.id} nor a section ${s.studentId} handed in; the score was not used`);
    }
  }
  return warnings;
}

/**
 * Completes a result's manual questions: each gets what the student handed in and its rubric, and the staff rows of
 * this student, if any, score it. Questions keep the manifest's order; totals are recomputed (a pending question's
 * points are not counted).
 */
export async function completeManualQuestions(ctx: GradingContext, submission: SubmissionInput, questions: readonly QuestionT[], result: ResultT): Promise<ResultT> {
  const manual = manualQuestions(questions);
  const listed = new Set(ctx.assignment.manifest.questions.map((q) => q.id));
  // Unrecognised answers sections: the answers grader kept them with their material; staff rows score them here.
  const unrecognised = result.questions.filter((q) => !listed.has(q.id) && q.manual);
  if (manual.length === 0 && unrecognised.length === 0) return result;
  const byId = new Map(result.questions.map((q) => [q.id, q]));
  const mine = (ctx.staffScores?.scores ?? []).filter((s) => studentKey(s.studentId) === studentKey(submission.student));
  for (const q of manual) {
    const material = await collectMaterial(q, ctx.assignment.manifest, submission.dir);
    byId.set(q.id, manualResult(q, mine.filter((s) => s.question === q.id), material));
  }
  for (const kept of unrecognised) {
    const scored = manualResult({ ...unrecognisedSectionQuestion(kept.id), title: kept.title }, mine.filter((s) => s.question === kept.id), kept.manual!.material);
    byId.set(kept.id, scored);
  }
  const ordered = questions.map((q) => byId.get(q.id)).filter((q): q is QuestionResultT => q !== undefined);
  // Anything a key graded that the manifest's list does not name stays, after the rest.
  for (const q of result.questions) if (!ordered.includes(byId.get(q.id)!)) ordered.push(byId.get(q.id)!);
  return { ...result, questions: ordered, score: scoreTotals(ordered) };
}

/** One manual question's result from its staff rows (none: pending). */
export function manualResult(q: QuestionT, rows: readonly StaffScore[], material: MaterialT[]): QuestionResultT {
  const score = scoreManual(q, rows);
  const visibility = q.cases.some((c) => c.visibility === 'public') || q.cases.length === 0 ? 'public' : 'hidden';
  const base = { id: q.id, title: q.title, maxPoints: q.points, ...(q.hint ? { hint: q.hint } : {}), manual: { scored: score.scored, rubric: score.marks, material } };
  if (!score.scored) {
    const problems = material.flatMap((m) => (m.problem ? [`${m.source}: ${m.problem}`] : []));
    const pending: CaseResultT = { id: 'staff', visibility, status: 'pending', weight: 1, durationMs: 0, outputs: [], mistakes: [], details: ['graded by staff', ...problems] };
    return { ...base, points: 0, status: 'pending', cases: [pending] };
  }
  const full = score.points >= q.points;
  const summary = `scored ${score.points} of ${q.points} by staff${score.comment ? `: ${score.comment}` : ''}`;
  const staffCase: CaseResultT = {
    id: 'staff',
    visibility,
    status: full ? 'pass' : 'fail',
    weight: 1,
    durationMs: 0,
    outputs: [
      {
        name: 'staff',
        pass: full,
        summary,
        diagnostics: { pass: full, expectedShape: [], expectedDtype: 'answer', size: 1, patterns: [], tolerance: { mode: 'exact', rtol: 0, atol: 0 }, ...(full ? {} : { failure: 'values' as const }) },
      },
    ],
    mistakes: [],
    ...(score.marks.some((m) => m.awarded !== undefined) ? { details: score.marks.filter((m) => m.awarded !== undefined).map((m) => `${signed(m.awarded!)} ${m.text}${m.comment ? ` — ${m.comment}` : ''}`) } : {}),
  };
  return {
    ...base,
    points: score.points,
    status: full ? 'passed' : score.points > 0 ? 'partial' : 'failed',
    cases: [staffCase],
    ...(score.comment ? { comment: score.comment } : {}),
  };
}

const signed = (x: number): string => (x > 0 ? `+${x}` : String(x));

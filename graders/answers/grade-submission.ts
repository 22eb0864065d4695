// The engine's entry for answers assignments: reads a submission's answers file and builds the same Result as code.
import { buildResult } from '../result/build.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Assignment } from '../manifest/load-manifest.js';
import type { FixtureLock } from '../fixtures/lock.js';
import type { QuestionT, ToleranceT } from '../manifest/schema.js';
import type { NumberTolerance } from './cells.js';
import type { GradingContext, SubmissionInput } from '../engine/grade-submission.js';
import { hashSubmission, selectedCases, selectedQuestions, type Mode } from '../engine/grade-submission.js';
import { type QuestionResultT, type ResultT } from '../result/schema.js';
import { DlgradeError, mustBeOneOf } from '../errors.js';
import { formatIssue, loadAnswers, type LoadedAnswers } from './load-answers.js';
import { gradeAnswers, gradeUnreadable, type AnswersQuestionConfig } from './grade-answers.js';
import { normalizeStudentId, variantOf } from '../answer-key/variants.js';
import type { AnswersKey } from '../answer-key/answers-key.js';
import { toQuestionResult } from './to-result.js';
import { manualResult, unrecognisedSectionQuestion } from '../manual/manual-questions.js';
import { collectMaterial, submitOf } from '../manual/material.js';
import { readRoster, rosterStudentIds } from '../reporters/gradebook.js';

/** Where the student id that picks a student's variant values comes from. */
export type VariantIdSource = 'submission' | 'file' | 'canonical';

/** Options of an answers assignment's grading run (GradingContext.answers). */
export interface AnswersOptions {
  /**
   * submission: the submission's name (the roster id; the default of `grade`, so a student cannot pick a variant);
   * file: the answers file's `student_id` (the default of `check` and `ci`); canonical: the values of the handout.
   */
  variantId?: VariantIdSource;
  /** An explicit id (`check --student-id`), which wins over the source. */
  studentId?: string;
  /** Student ids of the class roster (`grade --roster`), normalised: a submission named by one of them is that student. */
  rosterIds?: ReadonlySet<string>;
}

/** The answers key a grading context carries (createContext loads it from the registry for answers assignments). */
export function answersKeyOf(ctx: Pick<GradingContext, 'assignment' | 'answersKey'>): AnswersKey {
  if (!ctx.answersKey) {
    throw new DlgradeError('REFERENCE_INVALID', `the answer key of ${ctx.assignment.manifest.id} is not installed here (a student kit has none), so answers cannot be graded`);
  }
  return ctx.answersKey;
}

/**
 * What an answers assignment records in place of a fixtures lock: the key's version and seed, no fixture files,
 * back end "none" (plain float64 arithmetic). Staff scores, when merged, are added as files (graders/manual/).
 */
export function answersLock(assignment: Assignment, key: AnswersKey): FixtureLock {
  return { assignment: assignment.manifest.id, referenceVersion: key.version, seed: assignment.manifest.seed, backend: 'none', files: {} };
}

/** A manual question outside the key's format: graded by staff through graders/manual/, never by the key. */
export function isEngineManual(q: QuestionT, key: AnswersKey): boolean {
  return q.kind === 'manual' && !Object.hasOwn(key.questions, q.id);
}

/** The answers-file sections the manifest's own manual questions read (a review, a theory answer). */
export function manualAnswerSections(questions: readonly QuestionT[], key: AnswersKey): string[] {
  return questions.filter((q) => isEngineManual(q, key)).flatMap((q) => {
    const answer = submitOf(q, 'answers').answer;
    return answer !== undefined ? [answer] : [];
  });
}

/** The manifest's questions as the answers grader takes them, each checked against the key's format. */
export function answersQuestionConfigs(assignment: Assignment, key: AnswersKey, questions = assignment.manifest.questions.filter((q) => !isEngineManual(q, key))): AnswersQuestionConfig[] {
  for (const q of questions) {
    if (!Object.hasOwn(key.questions, q.id)) {
      throw new DlgradeError('MANIFEST_INVALID', `questions: "${q.id}" is not a question of the ${key.assignment} answers format (its key has ${Object.keys(key.questions).join(', ')})`, { file: assignment.manifestPath });
    }
  }
  return questions.map((q) => ({ id: q.id, points: q.points, ...(q.compare ? { compare: numberTolerance(q.compare, `questions.${q.id}.compare`) } : {}) }));
}

/** The answers options a command line gives (check --student-id; grade --variant-id). */
export interface AnswersCliOptions {
  studentId?: string;
  variantId?: string;
}

const VARIANT_SOURCES: VariantIdSource[] = ['submission', 'file', 'canonical'];

/**
 * Applies command-line answers options to a grading context; nothing happens when none is given. Using them with an
 * assignment that is not an answers assignment is a usage error, so a typo never goes unnoticed.
 */
export async function applyAnswersOptions(ctx: GradingContext, options: AnswersCliOptions): Promise<void> {
  const given = Object.entries(options).filter(([, v]) => v !== undefined);
  if (given.length === 0) return;
  if (!ctx.answersKey) {
    const flags = given.map(([k]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
    throw new DlgradeError('USAGE', `${flags}: only for answers assignments (runner: answers); ${ctx.assignment.manifest.id} runs code`);
  }
  if (options.variantId !== undefined && !VARIANT_SOURCES.includes(options.variantId as VariantIdSource)) {
    throw new DlgradeError('USAGE', mustBeOneOf('--variant-id', VARIANT_SOURCES, options.variantId));
  }
  ctx.answers = {
    ...ctx.answers,
    ...(options.studentId !== undefined ? { studentId: options.studentId } : {}),
    ...(options.variantId !== undefined ? { variantId: options.variantId as VariantIdSource } : {}),
  };
  // The variant source changes grades, so it goes into the lock: the re-grade cache keys on the lock.
  if (options.variantId !== undefined) ctx.lock = { ...ctx.lock, files: { ...ctx.lock.files, variants: options.variantId } };
}

/** Reads the roster's student ids into the context; the roster's hash goes into the lock, since it changes variants. */
export async function withRosterIds(ctx: GradingContext, file: string, keyColumns?: string): Promise<void> {
  const roster = await readRoster(path.resolve(file));
  const keys = keyColumns?.split(',').map((k) => k.trim()).filter(Boolean);
  ctx.answers = { ...ctx.answers, rosterIds: rosterStudentIds(roster, keys?.length ? keys : undefined) };
  const sha256 = createHash('sha256').update(await readFile(file)).digest('hex');
  ctx.lock = { ...ctx.lock, files: { ...ctx.lock.files, [`roster/${path.basename(file)}`]: sha256 } };
}

/** A manifest tolerance as the answers grader takes it; "shape" means nothing for a number. */
export function numberTolerance(t: ToleranceT | undefined, where: string): Partial<NumberTolerance> | undefined {
  if (t?.mode === 'shape') throw new DlgradeError('MANIFEST_INVALID', `${where}.mode: "shape" does not apply to answers; use rel_error, allclose or exact`);
  return t as Partial<NumberTolerance> | undefined;
}

/** Grades one answers submission. Never throws for anything in the submission: a bad file costs its questions. */
export async function gradeAnswersSubmission(ctx: GradingContext, submission: SubmissionInput): Promise<ResultT> {
  const started = Date.now();
  const { manifest } = ctx.assignment;
  const key = answersKeyOf(ctx);
  // Manual questions the key does not know (a plot, a review) are the engine's: graders/manual/ adds them.
  const questions = selectedQuestions(ctx).filter((q) => selectedCases(q, ctx.mode).length > 0 && !isEngineManual(q, key));
  const configs = answersQuestionConfigs(ctx.assignment, key, questions);
  const notices: string[] = [];

  let answers: LoadedAnswers | undefined;
  let unreadable: string | undefined;
  try {
    answers = await loadAnswers(key, submission.dir, process.cwd(), { manualSections: manualAnswerSections(manifest.questions, key) });
  } catch (error) {
    if (!(error instanceof DlgradeError)) throw error;
    unreadable = error.message;
    notices.push(error.message);
  }

  const options = ctx.answers ?? {};
  const fileId = answers?.studentId;
  const chosen = chooseStudentId(ctx.mode, options, submission, fileId);
  const variant = variantOf(key, chosen.id);
  if (key.variants && fileId !== undefined && normalizeStudentId(fileId) !== variant.studentId && chosen.source !== 'canonical') {
    notices.push(`the answers file says student_id "${fileId}", but the values of ${variant.studentId ? `"${variant.studentId}"` : 'no student id'} were graded`);
  }
  for (const warning of answers?.warnings ?? []) notices.push(formatIssue(answers!.file, warning));
  // Problems come first (a batch summary shows the first notice); which values were graded is said last, and in a
  // batch only when it is not the student's known id.
  if (key.variants && (ctx.mode !== 'grade' || chosen.source !== 'known')) notices.push(variantNotice(manifest.id, ctx.mode, chosen, variant.studentId, submission.student));

  const grades = answers
    ? gradeAnswers(key, answers, variant, { questions: configs, compare: numberTolerance(manifest.defaults?.compare, 'defaults.compare') })
    : gradeUnreadable(key, unreadable!, { questions: configs });

  const questionResults: QuestionResultT[] = grades.map((grade) => {
    const q = questions.find((x) => x.id === grade.id)!;
    const visibility = selectedCases(q, ctx.mode).some((c) => c.visibility === 'public') ? 'public' : 'hidden';
    return toQuestionResult(grade, { id: q.id, title: q.title, visibility, ...(q.hint ? { hint: q.hint } : {}) });
  });

  // Sections nobody declared are kept for staff, after the manifest's questions (not when only some questions are graded).
  if (answers && !ctx.questionIds?.length) {
    for (const section of answers.unrecognised) {
      const q = unrecognisedSectionQuestion(section.name, section.guess);
      questionResults.push(manualResult(q, [], await collectMaterial(q, manifest, submission.dir)));
    }
  }

  return buildResult({
    assignment: ctx.assignment,
    student: submission.student,
    mode: ctx.mode,
    submission: { path: submission.origin ?? submission.dir, sha256: submission.sha256 ?? (await hashSubmission(submission.dir)) },
    runtime: {},
    sandbox: 'none (answers are read, no student code runs)',
    fixtures: { referenceVersion: key.version, backend: 'none', seed: manifest.seed, files: { ...ctx.lock.files } },
    started,
    questions: questionResults,
    notices,
  });
}

/** Where the id that picked a submission's variant came from. */
export interface ChosenStudentId {
  id: string | undefined;
  /** known: the roster, the LMS, an explicit --student-id or --variant-id submission; file: the answers file; canonical: none. */
  source: 'known' | 'file' | 'canonical';
}

/**
 * The student id whose variant a submission is graded with. An explicit id wins. `grade` uses the submission's name
 * only when it is known to be a student id (on the roster, or named by the LMS) — never a folder name that merely
 * exists — then the answers file's student_id, then the handout's values. `check` and `ci` use the file's id, else
 * the handout's values. `--variant-id` forces one source.
 */
export function chooseStudentId(mode: Mode, options: AnswersOptions, submission: Pick<SubmissionInput, 'student' | 'knownId'>, fileId: string | undefined): ChosenStudentId {
  if (options.studentId !== undefined) return { id: options.studentId, source: 'known' };
  switch (options.variantId) {
    case 'submission':
      return { id: submission.student, source: 'known' };
    case 'file':
      return fileId !== undefined ? { id: fileId, source: 'file' } : { id: undefined, source: 'canonical' };
    case 'canonical':
      return { id: undefined, source: 'canonical' };
  }
  const normalized = normalizeStudentId(submission.student);
  if (mode === 'grade' && (submission.knownId || (normalized !== null && options.rosterIds?.has(normalized)))) return { id: submission.student, source: 'known' };
  if (normalizeStudentId(fileId) !== null) return { id: fileId, source: 'file' };
  return { id: undefined, source: 'canonical' };
}

/** The start of the notice of a batch submission graded without a known student id (grade counts them). */
export const NO_KNOWN_ID = 'no known student id';

/** Which values were graded, for the notice above the table (and, in a batch, why it is not the roster id). */
function variantNotice(assignment: string, mode: Mode, chosen: ChosenStudentId, graded: string | null, name: string): string {
  const own = graded ? `the values of student "${graded}" (dlgrade variant ${assignment} --student-id ${graded} prints them)` : '';
  if (mode === 'grade') {
    const why = `${NO_KNOWN_ID} for "${name}" (not on the roster, no LMS id)`;
    if (chosen.source === 'file') return `${why}: graded with the answers file's student_id, ${own}`;
    if (chosen.source === 'canonical') return `${why} and none in the answers file: graded with the handout's values, not the student's own`;
    return `graded with ${own}`;
  }
  if (graded) return `graded with ${own}; the instructor grades with the same values`;
  return `These are the handout's values: no student id was given. The instructor grades with your own values — see them with "dlgrade variant ${assignment} --student-id YOUR_ID" and check with "--student-id YOUR_ID" (or DLGRADE_STUDENT_ID).`;
}

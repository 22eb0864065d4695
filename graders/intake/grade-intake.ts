// From a submission as it arrived to its Result: staged, notebooks turned into modules, graded, errors pointed at
// notebook cells, and what intake saw (names, files, renames, times, lateness) recorded in the submission block.
import path from 'node:path';
import type { GradingContext } from '../engine/grade-submission.js';
import { gradeSubmission } from '../engine/grade-submission.js';
import type { ResultT, SubmissionBlockT } from '../result/schema.js';
import type { LatePolicyT } from '../manifest/schema.js';
import type { IntakeSubmission } from './layouts.js';
import { convertNotebook, notebookLine, type ConvertedNotebook } from './notebook.js';
import type { StagedSubmission } from './stage.js';
import { applyPenalty, judgeLateness } from './deadlines.js';
import { sumPoints } from '../score/score.js';

/** How many dropped statements a result lists (the count says how many there were). */
const DROPPED_SHOWN = 8;
/** CPU seconds a run-all notebook gets by default. */
const RUN_ALL_TIMEOUT_S = 60;

/** Grades a staged submission; throws only for what makes the whole submission ungradable (a corrupt notebook). */
export async function gradeStaged(ctx: GradingContext, submission: IntakeSubmission, staged: StagedSubmission, python: string): Promise<ResultT> {
  const options = ctx.assignment.manifest.notebook;
  const mode = options?.mode ?? 'definitions';
  const converted: ConvertedNotebook[] = [];
  for (const n of staged.notebooks) {
    converted.push(await convertNotebook({ dir: staged.dir, notebook: n.notebook, module: n.module, mode, python, workDir: staged.root }));
  }
  // A notebook run top to bottom runs when first imported, inside the first case: that case gets the run's time too.
  const gradingCtx = mode === 'run-all' && converted.length ? withExtraTime(ctx, options?.timeout_s ?? RUN_ALL_TIMEOUT_S) : ctx;
  const graded = await gradeSubmission(gradingCtx, {
    student: submission.student,
    dir: staged.dir,
    origin: submission.path,
    sha256: staged.sha256,
    // An LMS named the student (Canvas, Moodle, GitHub Classroom, Gradescope): the id is a student id, not a folder name.
    ...(['canvas', 'moodle', 'github-classroom', 'gradescope'].includes(submission.format) ? { knownId: true } : {}),
  });
  const result = withoutStagingPaths(graded, staged, submission);
  if (converted.length) pointAtCells(result, converted);
  return result;
}

/** Messages name the submission as it arrived, never the temporary folder it was graded in. */
function withoutStagingPaths(result: ResultT, staged: StagedSubmission, submission: IntakeSubmission): ResultT {
  const single = submission.sources.length === 1 && submission.sources[0].kind === 'dir';
  const rel = path.relative(process.cwd(), submission.path);
  const shown = single ? (rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : submission.path) : path.basename(submission.path);
  const text = JSON.stringify(result);
  const replaced = [staged.dir, staged.root].reduce((t, dir) => t.split(JSON.stringify(dir + path.sep).slice(1, -1)).join(JSON.stringify(shown + '/').slice(1, -1)), text);
  return replaced === text ? result : (JSON.parse(replaced) as ResultT);
}

function withExtraTime(ctx: GradingContext, seconds: number): GradingContext {
  const manifest = ctx.assignment.manifest;
  const base = manifest.defaults?.timeout_s ?? 10;
  const questions = manifest.questions.map((q) => ({ ...q, timeout_s: (q.timeout_s ?? base) + seconds }));
  return { ...ctx, assignment: { ...ctx.assignment, manifest: { ...manifest, questions } } };
}

/** Rewrites error locations in generated modules to the notebook's cell and line, and records the conversion. */
function pointAtCells(result: ResultT, converted: ConvertedNotebook[]): void {
  const byModule = new Map(converted.map((c) => [c.module, c]));
  const remap = (loc: { file: string; line: number; cell?: number } | undefined) => {
    const c = loc && byModule.get(loc.file);
    if (!loc || !c) return;
    const where = notebookLine(c, loc.line);
    loc.file = c.notebook;
    if (where) {
      loc.cell = where.cell;
      loc.line = where.line;
    } else loc.line = 0;
  };
  for (const q of result.questions) {
    for (const cs of q.cases) {
      const error = cs.error;
      if (!error) continue;
      for (const t of error.traceback ?? []) remap(t);
      remap(error.student_line);
      // dlgrade's own lines (the stand-in for a missing package) are not the student's: the last cell line is.
      if (error.traceback) error.traceback = error.traceback.filter((t) => t.cell !== undefined || !isNotebook(t.file, converted));
      if (error.student_line && error.student_line.cell === undefined && isNotebook(error.student_line.file, converted)) {
        const last = [...(error.traceback ?? [])].reverse().find((t) => t.cell !== undefined);
        if (last) error.student_line = { ...last };
        else delete error.student_line;
      }
    }
  }
  const first = converted[0];
  result.submission.notebook = {
    file: first.notebook,
    module: first.module,
    mode: first.mode,
    codeCells: first.codeCells,
    cellsKept: first.cellsKept,
    cellsDropped: first.cellsDropped,
    dropped: first.dropped.slice(0, DROPPED_SHOWN).map((d) => `cell ${d.cell}, line ${d.line}: ${d.text} — ${d.why}`),
    droppedCount: first.dropped.length,
    skippedCells: first.skipped,
  };
  for (const c of converted) {
    const skipped = c.skipped.map((s) => `cell ${s.cell} (${s.reason})`).join('; ');
    result.notices.push(
      `graded ${c.notebook} as ${c.module}: ${c.mode === 'run-all' ? 'every code cell run in order' : `the definitions of ${c.cellsKept} of ${c.codeCells} code cells`}, ${c.dropped.length} statement(s) left out${skipped ? `; skipped, as it does not parse: ${skipped}` : ''}`,
    );
  }
}

function isNotebook(file: string, converted: ConvertedNotebook[]): boolean {
  return converted.some((c) => c.notebook === file);
}

/** What the late policy needs to know besides the manifest. */
export interface LateOptions {
  policy?: LatePolicyT;
  /** New deadlines by student id or original name. */
  extensions?: Map<string, Date>;
}

/**
 * Records intake in the result (original name, format, files, renames, notes, when and whether late) and applies
 * the late penalty to the total. Run on fresh and cached results alike, so a changed policy needs no re-grade.
 */
export function recordIntake(result: ResultT, submission: IntakeSubmission, staged: StagedSubmission | undefined, late: LateOptions): ResultT {
  const block: SubmissionBlockT = { ...result.submission, path: submission.path };
  if (submission.original !== submission.student) block.original = submission.original;
  block.format = submission.format;
  if (staged) {
    block.files = staged.files.map((f) => f);
    if (staged.renames.length) block.renames = staged.renames;
  }
  const notes = [...submission.notes, ...(staged?.notes ?? [])];
  if (notes.length) block.notes = notes;
  if (submission.git) block.git = submission.git;
  let reliableTime = false;
  if (submission.submittedAt) {
    block.submittedAt = submission.submittedAt;
    block.submittedAtSource = submission.submittedAtSource;
    reliableTime = true;
  } else if (staged?.newestMtime) {
    block.submittedAt = staged.newestMtime.toISOString();
    block.submittedAtSource = 'the newest file modification time (nothing better was available; copying files changes it)';
  }
  if (submission.lmsLate) block.late = true;
  const score = { ...result.score };
  const notices = [...result.notices, ...notes.filter((n) => !result.notices.includes(n))];
  if (late.policy && block.submittedAt) {
    const extension = late.extensions?.get(submission.student) ?? late.extensions?.get(submission.original);
    const verdict = judgeLateness(late.policy, new Date(block.submittedAt), extension);
    block.late = verdict.late || Boolean(submission.lmsLate);
    const before = sumPoints(result.questions.map((q) => q.points));
    if (verdict.percent > 0 && !reliableTime) {
      block.penalty = { percent: 0, before, after: before, deadline: verdict.deadline, reason: `${verdict.reason}; no penalty applied: the time is only a file modification time` };
    } else {
      const after = applyPenalty(before, verdict.percent);
      block.penalty = { percent: verdict.percent, before, after, deadline: verdict.deadline, reason: verdict.reason };
      score.points = after;
      if (verdict.percent > 0) notices.push(`late: ${verdict.reason}; ${before} → ${after} points`);
    }
  } else if (late.policy && !block.submittedAt) {
    notices.push('no submission time is known, so the late policy was not applied');
  } else if (submission.lmsLate) {
    notices.push(`${formatName(submission.format)} marks this submission late`);
  }
  return { ...result, score, submission: block, notices };
}

function formatName(format: string): string {
  return format === 'canvas' ? 'Canvas' : format === 'moodle' ? 'Moodle' : format;
}

/** A submission from a path given on the command line (check): a folder, a zip, a notebook or a .py file. */
export function submissionFromPath(file: string, kind: 'dir' | 'zip' | 'file'): IntakeSubmission {
  const base = path.basename(path.resolve(file));
  const format = kind === 'dir' ? 'folder' : kind === 'zip' ? 'zip' : base.toLowerCase().endsWith('.ipynb') ? 'notebook' : 'file';
  const student = base.replace(/\.(zip|ipynb|py)$/i, '') || 'submission';
  return { student, original: student, format, path: file, sources: [{ path: file, kind, ...(kind === 'file' ? { name: base } : {}) }], notes: [] };
}

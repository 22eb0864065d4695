// Grades many submissions: a bounded pool, a progress bar, atomic per-student results, resume after a kill.
import { readFile, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import cliProgress from 'cli-progress';
import type { ResultT } from '../result/schema.js';
import { RESULT_SCHEMA_VERSION } from '../result/schema.js';
import { ENGINE_VERSION } from '../version.js';
import { gradeSubmission, hashSubmission, selectedCases, selectedQuestions, type GradingContext } from './grade-submission.js';
import { findSubmissions, unpackZip, type FoundSubmission } from './submissions.js';
import { ReporterMultiplexer } from '../reporters/reporter.js';
import { resultPath } from '../reporters/student-files.js';
import { scoreQuestion, sumPoints } from '../score/score.js';

export interface BatchOptions {
  outDir: string;
  jobs: number;
  /** Re-grade even when a finished result for the same submission exists. */
  force?: boolean;
  progress?: boolean;
  /** Only these submissions (e.g. one shard); all when undefined. */
  filter?: (s: FoundSubmission) => boolean;
  /** Stops scheduling new submissions when aborted (SIGINT); running ones finish and are kept. */
  signal?: AbortSignal;
}

export interface BatchOutcome {
  results: ResultT[];
  graded: number;
  reused: number;
  interrupted: boolean;
  durationMs: number;
}

/** Grades every submission under `root` and feeds each result to the reporters. */
export async function gradeBatch(ctx: GradingContext, root: string, reporters: ReporterMultiplexer, options: BatchOptions): Promise<BatchOutcome> {
  const started = Date.now();
  const all = (await findSubmissions(root)).filter(options.filter ?? (() => true));
  await reporters.onBegin({ assignment: ctx.assignment, outDir: options.outDir, total: all.length });
  const bar = options.progress ? new cliProgress.SingleBar({ format: 'grading {bar} {value}/{total} | {rate}/s | ETA {eta_formatted} | {student}', hideCursor: true, etaBuffer: 20, stream: process.stderr }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(all.length, 0, { student: '', rate: '0.0' });
  const limit = pLimit(Math.max(1, options.jobs));
  const results: ResultT[] = [];
  let graded = 0;
  let reused = 0;
  let done = 0;

  await Promise.all(
    all.map((s) =>
      limit(async () => {
        if (options.signal?.aborted) return;
        const sha256 = s.kind === 'zip' ? `zip:${createHash('sha256').update(await readFile(s.path)).digest('hex')}` : await hashSubmission(s.path);
        const previous = options.force ? undefined : await reusableResult(ctx, options.outDir, s.student, sha256);
        let result: ResultT;
        if (previous) {
          result = previous;
          reused++;
        } else {
          result = await gradeOne(ctx, s, sha256);
          await reporters.onResult(result);
          graded++;
        }
        results.push(result);
        done++;
        bar?.update(done, { student: s.student, rate: (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1) });
      }),
    ),
  );
  bar?.stop();
  const sorted = results.sort((a, b) => (a.student < b.student ? -1 : 1));
  await reporters.onEnd(sorted);
  return { results: sorted, graded, reused, interrupted: options.signal?.aborted ?? false, durationMs: Date.now() - started };
}

/** Grades one submission; anything that goes wrong becomes that student's result, never the batch's failure. */
async function gradeOne(ctx: GradingContext, s: FoundSubmission, sha256: string): Promise<ResultT> {
  let dir = s.path;
  try {
    if (s.kind === 'zip') dir = await unpackZip(s.path);
    return await gradeSubmission(ctx, { student: s.student, dir, origin: s.path, sha256 });
  } catch (error) {
    return failedResult(ctx, s.student, s.path, sha256, (error as Error).message);
  } finally {
    if (s.kind === 'zip' && dir !== s.path) await rm(dir, { recursive: true, force: true });
  }
}

/** A zero-score result explaining why the submission could not be graded. */
export function failedResult(ctx: GradingContext, student: string, origin: string, sha256: string, message: string): ResultT {
  const { manifest } = ctx.assignment;
  const questions = selectedQuestions(ctx).map((q) => {
    const cases = selectedCases(q, ctx.mode).map((c) => ({
      id: c.id,
      visibility: c.visibility,
      status: 'error' as const,
      weight: c.weight ?? 1,
      durationMs: 0,
      outputs: [],
      mistakes: [],
      error: { type: 'SubmissionError', message },
    }));
    return { id: q.id, title: q.title, points: 0, maxPoints: q.points, status: scoreQuestion(q.points, cases).status, cases };
  });
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    student,
    mode: ctx.mode,
    assignment: { id: manifest.id, title: manifest.title, version: manifest.version, manifestSha256: ctx.assignment.manifestSha256 },
    submission: { path: origin, sha256 },
    engine: { dlgrade: ENGINE_VERSION, node: process.versions.node, runtime: {}, sandbox: 'none' },
    fixtures: { referenceVersion: ctx.lock.referenceVersion, backend: ctx.lock.backend, seed: ctx.lock.seed, files: {} },
    startedAt: new Date().toISOString(),
    durationMs: 0,
    score: { points: 0, maxPoints: sumPoints(questions.map((q) => q.maxPoints)), pendingPoints: 0 },
    questions,
    notices: [`could not be graded: ${message}`],
  };
}

/** A finished result on disk for the same submission, assignment, fixtures and engine — safe to keep. */
async function reusableResult(ctx: GradingContext, outDir: string, student: string, sha256: string): Promise<ResultT | undefined> {
  try {
    const previous = JSON.parse(await readFile(resultPath(outDir, student), 'utf8')) as ResultT;
    const fixtureHashesMatch = Object.entries(previous.fixtures.files).every(([file, hash]) => ctx.lock.files[file] === undefined || ctx.lock.files[file] === hash);
    const same =
      previous.schemaVersion === RESULT_SCHEMA_VERSION &&
      previous.submission.sha256 === sha256 &&
      previous.assignment.manifestSha256 === ctx.assignment.manifestSha256 &&
      previous.engine.dlgrade === ENGINE_VERSION &&
      previous.mode === ctx.mode &&
      previous.fixtures.referenceVersion === ctx.lock.referenceVersion &&
      fixtureHashesMatch;
    return same ? previous : undefined;
  } catch {
    return undefined;
  }
}

// Grades many submissions: a bounded pool, a progress bar, atomic per-student results, a re-grade cache, shards.
import { buildResult } from '../result/build.js';
import path from 'node:path';
import pLimit from 'p-limit';
import cliProgress from 'cli-progress';
import type { CaseResultT, ResultT } from '../result/schema.js';
import { ENGINE_VERSION } from '../version.js';
import { selectedCases, selectedQuestions, type GradingContext } from './grade-submission.js';
import { discoverSubmissions, type IntakeSubmission, type SkippedEntry, type Discovery } from '../intake/layouts.js';
import { SAFE_ID, safeId } from '../intake/naming.js';
import { stageSubmission, type StagedSubmission } from '../intake/stage.js';
import { gradeStaged, recordIntake, type LateOptions } from '../intake/grade-intake.js';
import { ReporterMultiplexer } from '../reporters/reporter.js';
import { scoreQuestion } from '../score/score.js';
import { ResultCache, cacheKey, fixturesFingerprint } from './cache.js';
import { WALL_CLOCK_TIMEOUT } from '../runners/python-job.js';
import { compareCodePoints, selectShard, type Shard } from './shard.js';
import { countProfile, inPhase } from '../util/profile.js';

export interface BatchOptions {
  outDir: string;
  jobs: number;
  /** Re-grade even when the cache holds a result for the same inputs (the new result still goes into the cache). */
  force?: boolean;
  /** Where cached results live (default `<outDir>/.dlgrade-cache`); several output folders may share one. */
  cacheDir?: string;
  progress?: boolean;
  /** Grade only this shard of the sorted submissions (see shard.ts). */
  shard?: Shard;
  /** Only these submissions; all when undefined. */
  filter?: (s: IntakeSubmission) => boolean;
  /** Stops scheduling new submissions when aborted (SIGINT); running ones finish and are kept. */
  signal?: AbortSignal;
  /** The interpreter that reads notebooks (the runner's). */
  python: string;
  /** The manifest's late policy and per-student extensions. */
  late?: LateOptions;
  /** Renames students after discovery (a Canvas user id to the roster's SIS login). */
  renameStudent?: (s: IntakeSubmission) => string | undefined;
}

export interface BatchOutcome {
  /** Every result of the run, sorted by student, slimmed for the class outputs (see slimForClass). */
  results: ResultT[];
  /** The students this run was responsible for (its shard), sorted. */
  students: string[];
  graded: number;
  reused: number;
  interrupted: boolean;
  durationMs: number;
  /** The layout recognised (canvas, moodle, folder, …). */
  format: Discovery['format'];
  /** Entries of the submissions folder that were not graded, and why. */
  skipped: SkippedEntry[];
}

/** The default cache folder of an output folder. */
export function defaultCacheDir(outDir: string): string {
  return path.join(outDir, '.dlgrade-cache');
}

/** Grades every submission under `root` (or one shard of them) and feeds each result to the reporters. */
export async function gradeBatch(ctx: GradingContext, root: string, reporters: ReporterMultiplexer, options: BatchOptions): Promise<BatchOutcome> {
  const started = Date.now();
  const ownFolders = [options.outDir, options.cacheDir ?? defaultCacheDir(options.outDir)];
  const discovery = await discoverSubmissions(root, { assignmentId: ctx.assignment.manifest.id, ownFolders });
  try {
    return await gradeDiscovered(ctx, discovery, reporters, options, started);
  } finally {
    await discovery.cleanup();
  }
}

async function gradeDiscovered(ctx: GradingContext, discovery: Discovery, reporters: ReporterMultiplexer, options: BatchOptions, started: number): Promise<BatchOutcome> {
  for (const s of discovery.submissions) {
    const renamed = options.renameStudent?.(s);
    if (renamed && renamed !== s.student) {
      s.notes.push(`${s.format} id ${s.student} is ${renamed} on the roster`);
      s.student = SAFE_ID.test(renamed) ? renamed : safeId(renamed);
    }
  }
  const found = discovery.submissions.filter(options.filter ?? (() => true));
  const all = options.shard ? selectShard(found, options.shard, (s) => s.student) : found;
  await reporters.onBegin({ assignment: ctx.assignment, outDir: options.outDir, total: all.length });
  const cache = new ResultCache(options.cacheDir ?? defaultCacheDir(options.outDir));
  const keyBase = {
    manifestSha256: ctx.assignment.manifestSha256,
    fixturesSha256: fixturesFingerprint(ctx.lock),
    engine: ENGINE_VERSION,
    mode: ctx.mode,
    questions: ctx.questionIds ?? [],
  };
  const bar = options.progress
    ? new cliProgress.SingleBar(
        { format: 'grading {bar} {value}/{total} | {rate}/s | ETA {eta_formatted} | {cached} cached | {student}', hideCursor: true, etaBuffer: 20, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(all.length, 0, { student: '', rate: '0.0', cached: 0 });
  const limit = pLimit(Math.max(1, options.jobs));
  const results: ResultT[] = [];
  let graded = 0;
  let reused = 0;
  let done = 0;
  let gradingStarted: number | undefined;

  await Promise.all(
    all.map((s) =>
      limit(async () => {
        if (options.signal?.aborted) return;
        let result: ResultT;
        let staged: StagedSubmission | undefined;
        // Everything read from the submission, its size and its hash included, is inside this boundary.
        try {
          staged = await inPhase('stage and hash the submission', () => stageSubmission(s, ctx.assignment.manifest.files));
          const key = cacheKey({ ...keyBase, student: s.student, submissionSha256: staged.sha256 });
          const cached = options.force ? undefined : await inPhase('cache lookup', () => cache.get(key, s.student));
          if (cached) {
            // Same inputs, same result; only where the submission now lives may differ.
            result = { ...cached, submission: { ...cached.submission, path: s.path } };
            reused++;
          } else {
            gradingStarted ??= Date.now();
            const outcome = await gradeOne(ctx, s, staged, options.python);
            result = outcome.result;
            if (outcome.cacheable) await inPhase('cache write', () => cache.put(key, result).catch(() => undefined));
            countProfile('graded');
            graded++;
          }
        } catch (error) {
          result = failedResult(ctx, s.student, s.path, staged?.sha256 ?? 'unread', describeIntakeError(error));
          graded++;
        } finally {
          await staged?.cleanup();
        }
        result = recordIntake(result, s, staged, options.late ?? {});
        // Cached results are written out too, so a fresh output folder gets every report.
        await reporters.onResult(result);
        results.push(reporters.needsFullResults ? result : slimForClass(result));
        done++;
        // The rate counts graded submissions only: cached ones take no time and would make the ETA lie.
        const seconds = gradingStarted === undefined ? 0 : (Date.now() - gradingStarted) / 1000;
        bar?.update(done, { student: s.student, cached: reused, rate: (graded / Math.max(0.001, seconds)).toFixed(1) });
      }),
    ),
  );
  bar?.stop();
  const sorted = results.sort((a, b) => compareCodePoints(a.student, b.student));
  await inPhase('class outputs (onEnd)', () => reporters.onEnd(sorted));
  return {
    results: sorted,
    students: all.map((s) => s.student).sort(compareCodePoints),
    graded,
    reused,
    interrupted: options.signal?.aborted ?? false,
    durationMs: Date.now() - started,
    format: discovery.format,
    skipped: discovery.skipped,
  };
}

/**
 * The copy of a result the batch keeps for the class outputs (grades.csv, summary.json, the class report, the score
 * lines): what a student's own reports need and the class outputs do not — printed output, per-layer tables,
 * pictures, tracebacks, the outputs of passing cases, handed-in material — is dropped, and the fixtures block (the
 * same for every student of a batch) is shared, so memory does not grow with the size of results. The full result
 * stays in results/<student>.json; a shard file is written from there.
 */
export function slimForClass(result: ResultT): ResultT {
  const key = JSON.stringify(result.fixtures);
  let fixtures = sharedFixtureBlocks.get(key);
  if (!fixtures) sharedFixtureBlocks.set(key, (fixtures = result.fixtures));
  return {
    ...result,
    fixtures,
    questions: result.questions.map((q) => ({
      ...q,
      ...(q.manual ? { manual: { ...q.manual, material: [] } } : {}),
      cases: q.cases.map(slimCase),
    })),
  };
}
const sharedFixtureBlocks = new Map<string, ResultT['fixtures']>();

/** A case as the class outputs read it: its verdict and what caseDiagnosis() words (the first failing output). */
function slimCase(c: CaseResultT): CaseResultT {
  const firstFailing = c.status === 'pass' ? undefined : c.outputs.find((o) => !o.pass);
  return {
    id: c.id,
    visibility: c.visibility,
    status: c.status,
    weight: c.weight,
    durationMs: c.durationMs,
    outputs: firstFailing ? [slimOutput(firstFailing)] : [],
    mistakes: c.mistakes,
    ...(c.error ? { error: { type: c.error.type, message: c.error.message } } : {}),
    ...(c.parts ? { parts: c.parts } : {}),
  };
}

type OutputResultT = CaseResultT['outputs'][number];

/** Of a failing output's diagnostics, what caseDiagnosis() reads: the kind of failure and the patterns' kinds. */
function slimOutput(o: OutputResultT): OutputResultT {
  const { pass, failure, patterns } = o.diagnostics;
  // The shapes, tolerances and worst elements stay in results/<student>.json: no class output shows them.
  const diagnostics = { pass, failure, patterns: patterns.map((p) => ({ kind: p.kind })) } as unknown as OutputResultT['diagnostics'];
  return { name: o.name, pass: o.pass, summary: o.summary, diagnostics };
}

/** A person's message for what stopped a submission from being read: no host paths, no stack. */
function describeIntakeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.name === 'DlgradeError') return e.message;
  const message = String(e?.message ?? error).replace(/'?\/[^\s']*dlgrade-sub-[^\s']*'?/g, 'a file of the submission');
  return e?.code ? `the submission could not be read (${e.code}: ${message})` : `the submission could not be read: ${message}`;
}

/** Grades one submission; anything that goes wrong becomes that student's result, never the batch's failure. */
async function gradeOne(ctx: GradingContext, s: IntakeSubmission, staged: StagedSubmission, python: string): Promise<{ result: ResultT; cacheable: boolean }> {
  try {
    const result = await gradeStaged(ctx, s, staged, python);
    // A crash may be the machine's fault (no interpreter, out of memory, a killed worker), and so may a case stopped
    // by the wall clock with CPU time to spare (invariant 9): grade it again next time.
    const machineMayBeAtFault = result.questions.some((q) => q.cases.some((c) => c.status === 'crash' || c.error?.type === WALL_CLOCK_TIMEOUT));
    return { result, cacheable: !machineMayBeAtFault };
  } catch (error) {
    return { result: failedResult(ctx, s.student, s.path, staged.sha256, describeIntakeError(error)), cacheable: false };
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
  return buildResult({
    assignment: ctx.assignment,
    student,
    mode: ctx.mode,
    submission: { path: origin, sha256 },
    runtime: {},
    sandbox: 'none',
    fixtures: { referenceVersion: ctx.lock.referenceVersion, backend: ctx.lock.backend, seed: ctx.lock.seed, files: {} },
    started: Date.now(),
    questions,
    notices: [`could not be graded: ${message}`],
  });
}

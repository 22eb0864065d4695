// The one pipeline behind check, ci and grade: run a submission on the cases' inputs, compare, score, build the Result.
import { buildResult } from '../result/build.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Assignment } from '../manifest/load-manifest.js';
import type { CaseT, ManifestT, PropertyT, QuestionT, ToleranceT } from '../manifest/schema.js';
import type { FixtureLock } from '../fixtures/lock.js';
import { FixtureStore, type LoadedCase } from '../fixtures/load-case.js';
import type { Runner, RunnerCase, RunnerJob, RunnerQuestion, CaseOutcome } from '../runners/runner.js';
import { compareArrays, linearSystemPatterns, type Tolerance } from '../compare/compare.js';
import { summarize } from '../compare/describe.js';
import { modelFeedback } from '../compare/param-table.js';
import { scoreParts, scoreQuestion, type PartScore, type QuestionScore } from '../score/score.js';
import { firstImageInput, madeImagePictures, mapPictures, type Picture } from '../reporters/pictures.js';
import { type CaseResultT, type OutputCheckT, type QuestionResultT, type ResultT } from '../result/schema.js';
import { completeManualQuestions, type StaffScores } from '../manual/manual-questions.js';
import { inPhase } from '../util/profile.js';
import { jsonSafe } from '../result/json-safe.js';
import type { AnswersOptions } from '../answers/grade-submission.js';
import type { AssignmentKind } from './assignment-kind.js';
import type { AnswersKey } from '../answer-key/answers-key.js';

export type Mode = 'check' | 'ci' | 'grade';

/** What stays the same across the submissions of a batch. */
export interface GradingContext {
  assignment: Assignment;
  lock: FixtureLock;
  fixtures: FixtureStore;
  runner: Runner;
  /** How this kind of assignment is graded and validated (engine/assignment-kind.ts). */
  kind: AssignmentKind;
  mode: Mode;
  /** Only these questions (all when empty). */
  questionIds?: string[];
  /** Answers assignments only: where variant ids come from (graders/answers/grade-submission.ts). */
  answers?: AnswersOptions;
  /** Answers assignments only: the assignment's key, from the registry the CLI hands in. */
  answersKey?: AnswersKey;
  /** Staff scores for the manual questions (graders/manual/). */
  staffScores?: StaffScores;
}

export interface SubmissionInput {
  student: string;
  dir: string;
  /** Where the submission came from (a folder or a zip), as recorded in the result. */
  origin?: string;
  /** Precomputed content hash (a zip's bytes); computed from the folder otherwise. */
  sha256?: string;
  /** `student` is a student id the LMS gave, not only a folder's name. */
  knownId?: boolean;
}

const DEFAULT_TOLERANCE: Tolerance = { mode: 'rel_error', rtol: 1e-4, atol: 0 };

/** Which cases a mode runs: students and CI see public tests only. */
export function selectedCases(question: QuestionT, mode: Mode): CaseT[] {
  return question.cases.filter((c) => mode === 'grade' || c.visibility === 'public');
}

/** The questions the context grades, in manifest order. */
export function selectedQuestions(ctx: GradingContext): QuestionT[] {
  const wanted = ctx.questionIds?.length ? new Set(ctx.questionIds) : undefined;
  return ctx.assignment.manifest.questions.filter((q) => !wanted || wanted.has(q.id));
}

/**
 * Grades one submission folder and returns its Result. Never throws for anything the submission does. Manual
 * questions, whatever the kind of assignment, are completed last: what was handed in, the rubric, staff scores.
 */
export async function gradeSubmission(ctx: GradingContext, submission: SubmissionInput): Promise<ResultT> {
  return completeManualQuestions(ctx, submission, selectedQuestions(ctx), await ctx.kind.grade(ctx, submission));
}

/** The code pipeline: the submission runs on the cases' inputs, its outputs are compared in this process. */
export async function gradeCodeSubmission(ctx: GradingContext, submission: SubmissionInput): Promise<ResultT> {
  const started = Date.now();
  const { manifest } = ctx.assignment;
  // Manual questions run nothing: completeManualQuestions adds them.
  const questions = selectedQuestions(ctx).filter((q) => q.kind !== 'manual');
  const notices: string[] = [];
  const missingFiles: string[] = [];
  for (const file of manifest.files) {
    const info = await lstat(path.join(submission.dir, file)).catch(() => undefined);
    if (!info?.isFile()) missingFiles.push(file);
  }
  if (missingFiles.length) notices.push(`missing file(s): ${missingFiles.join(', ')} (expected ${manifest.files.join(', ')})`);

  // Load every case's fixture; the runner gets inputs only.
  const plan: { question: QuestionT; c: CaseT; loaded: LoadedCase; index: number }[] = [];
  for (const question of questions) {
    for (const c of selectedCases(question, ctx.mode)) {
      plan.push({ question, c, loaded: await inPhase('load fixtures', () => ctx.fixtures.load(question, c)), index: plan.length });
    }
  }
  const runnerQuestions: Record<string, RunnerQuestion> = {};
  for (const q of questions) runnerQuestions[q.id] = runnerQuestion(q, ctx);
  const job: RunnerJob = {
    submissionDir: path.resolve(submission.dir),
    questions: runnerQuestions,
    cases: plan.map<RunnerCase>((p) => ({ index: p.index, question: p.question.id, case: p.c.id, inputs: p.loaded.inputs })),
    memoryMb: memoryLimitMb(manifest),
  };
  const run = await inPhase('run in the sandbox', () => ctx.runner.run(job));
  for (const p of plan) {
    const notice = run.cases.get(p.index)?.notice;
    if (notice) notices.push(`${p.question.id}, case ${p.c.id}: ${notice}`);
  }

  const questionResults: QuestionResultT[] = await inPhase('compare and diagnose', async () => {
    const graded: QuestionResultT[] = [];
    for (const question of questions) {
      const cases: CaseResultT[] = [];
      const checks = questionChecks(question, manifest);
      for (const p of plan.filter((x) => x.question === question)) {
        const outcome = run.cases.get(p.index);
        // Outputs graded by properties are measured asynchronously; every other output is compared in place.
        const measured = checks.byProperties.length && outcome?.status === 'ok' ? await propertyChecks(checks, outcome, p.loaded, question, manifest) : new Map<string, OutputCheckT>();
        cases.push(caseResult(question, checks, p.c, p.loaded, outcome, measured));
      }
      const score = scoreCodeQuestion(question, cases);
      graded.push({ id: question.id, title: question.title, points: score.points, maxPoints: question.points, status: score.status, cases, ...(score.parts ? { parts: score.parts } : {}), ...(question.hint ? { hint: question.hint } : {}) });
    }
    return graded;
  });

  const fixtureFiles: Record<string, string> = {};
  for (const p of plan) fixtureFiles[p.loaded.file] = p.loaded.sha256;
  return buildResult({
    assignment: ctx.assignment,
    student: submission.student,
    mode: ctx.mode,
    submission: { path: submission.origin ?? submission.dir, sha256: submission.sha256 ?? (await hashSubmission(submission.dir)) },
    runtime: run.runtime,
    sandbox: run.sandbox,
    fixtures: { referenceVersion: ctx.lock.referenceVersion, backend: ctx.lock.backend, seed: ctx.lock.seed, files: fixtureFiles },
    started,
    questions: questionResults,
    notices,
  });
}

/** A code question's score: by case, or for a question in parts by each part's share (graders/score/score.ts). */
function scoreCodeQuestion(question: QuestionT, cases: CaseResultT[]): QuestionScore & { parts?: PartScore[] } {
  if (!question.parts) return scoreQuestion(question.points, cases);
  return scoreParts(question.points, question.parts.map((p) => ({ id: p.id, share: p.share ?? 1 })), cases);
}

/** The memory limit of a submission's process, MiB: the manifest's, else 4 GiB. */
export function memoryLimitMb(manifest: ManifestT): number {
  return manifest.defaults?.memory_mb ?? 4096;
}

/** The runner's view of a question: steps, input kinds, where outputs are read, the time limit. */
export function runnerQuestion(q: QuestionT, ctx: GradingContext): RunnerQuestion {
  const outputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(q.outputs ?? {})) outputs[name] = typeof spec === 'string' ? spec : spec.from;
  const { manifest, modelSource } = ctx.assignment;
  const usesModel = Object.values(q.inputs ?? {}).includes('model');
  return {
    steps: q.steps ?? [],
    inputs: (q.inputs ?? {}) as Record<string, string>,
    outputs,
    timeout_s: q.timeout_s ?? manifest.defaults?.timeout_s ?? 10,
    ...(usesModel && manifest.model && modelSource !== undefined ? { model: { source: modelSource, class: manifest.model.class } } : {}),
  };
}

/** The tolerance for one output: output override, then question, then assignment default. */
export function toleranceFor(q: QuestionT, output: string, defaults: ToleranceT | undefined): Tolerance {
  const spec = q.outputs?.[output];
  const own: ToleranceT = typeof spec === 'object' ? spec : {};
  const mode = own.mode ?? q.compare?.mode ?? defaults?.mode ?? DEFAULT_TOLERANCE.mode;
  return {
    mode,
    rtol: own.rtol ?? q.compare?.rtol ?? defaults?.rtol ?? DEFAULT_TOLERANCE.rtol,
    atol: own.atol ?? q.compare?.atol ?? defaults?.atol ?? DEFAULT_TOLERANCE.atol,
  };
}

/** What grading a case of a question needs that is the same for every case: worked out once per question. */
interface QuestionChecks {
  mistakeMessages: Record<string, string>;
  /** Graded outputs in manifest order: compared against the expected array with their tolerance, or by properties. */
  outputs: ({ name: string; tolerance: Tolerance; solves?: { matrix: string; rhs: string } } | { name: string; properties: PropertyT[] })[];
  byProperties: { name: string; properties: PropertyT[] }[];
}

function questionChecks(question: QuestionT, manifest: ManifestT): QuestionChecks {
  const defaults = manifest.defaults?.compare;
  // Outputs with `graded: false` travel with the case for feedback only.
  const graded = Object.entries(question.outputs ?? {}).filter(([, spec]) => typeof spec === 'string' || spec.graded !== false);
  const outputs: QuestionChecks['outputs'] = graded.map(([name, spec]) =>
    typeof spec === 'object' && spec.properties ? { name, properties: spec.properties } : { name, tolerance: toleranceFor(question, name, defaults), ...(typeof spec === 'object' && spec.solves ? { solves: spec.solves } : {}) },
  );
  return {
    mistakeMessages: Object.fromEntries((question.mistakes ?? []).map((m) => [m.id, m.message])),
    outputs,
    byProperties: outputs.filter((o): o is { name: string; properties: PropertyT[] } => 'properties' in o),
  };
}

/** The checks of a case's outputs graded by properties, by output name. */
async function propertyChecks(checks: QuestionChecks, outcome: CaseOutcome, loaded: LoadedCase, question: QuestionT, manifest: ManifestT): Promise<Map<string, OutputCheckT>> {
  const measured = new Map<string, OutputCheckT>();
  for (const o of checks.byProperties) measured.set(o.name, await propertyCheck(o.name, o.properties, outcome, loaded, question, manifest));
  return measured;
}

function caseResult(question: QuestionT, checks: QuestionChecks, c: CaseT, loaded: LoadedCase, outcome: CaseOutcome | undefined, measured: Map<string, OutputCheckT>): CaseResultT {
  const base = { id: c.id, visibility: c.visibility, weight: c.weight ?? 1, mistakes: [] as { id: string; message: string }[] };
  if (!outcome) {
    return { ...base, status: 'crash', durationMs: 0, outputs: [], error: { type: 'Crash', message: 'the runner produced no result for this case' } };
  }
  const stdout = outcome.stdout ? { stdout: outcome.stdout } : {};
  if (outcome.status !== 'ok') {
    return { ...base, status: outcome.status === 'timeout' ? 'timeout' : outcome.status === 'crash' ? 'crash' : 'error', durationMs: outcome.durationMs, outputs: [], error: outcome.error, ...stdout };
  }
  const { mistakeMessages } = checks;
  const outputs: OutputCheckT[] = [];
  for (const check of checks.outputs) {
    const name = check.name;
    if ('properties' in check) {
      outputs.push(measured.get(name)!);
      continue;
    }
    const known: Record<string, import('../npz/ndarray.js').NdArray> = {};
    for (const [id, arrays] of Object.entries(loaded.mistakes)) if (arrays[name]) known[id] = arrays[name];
    const actual = outcome.outputs.get(name);
    const diagnostics = compareArrays(actual, loaded.expected[name], check.tolerance, known);
    const system = check.solves;
    if (system && actual && (diagnostics.failure === 'values' || diagnostics.failure === 'nonfinite') && !diagnostics.patterns.some((p) => p.kind === 'mistake')) {
      const [matrix, rhs] = [loaded.inputs[system.matrix], loaded.inputs[system.rhs]];
      if (matrix && rhs) diagnostics.patterns.push(...linearSystemPatterns(actual, loaded.expected[name], matrix, rhs, system));
    }
    if (outcome.outputErrors[name]) diagnostics.message = outcome.outputErrors[name];
    outputs.push({ name, pass: diagnostics.pass, diagnostics: jsonSafe(diagnostics), summary: summarize(diagnostics, mistakeMessages) });
  }
  const matched = new Set<string>();
  for (const o of outputs) for (const p of o.diagnostics.patterns) if (p.kind === 'mistake') matched.add(p.id);
  // A mistake may also be recognised by a generic pattern (one whose numbers cannot be stored, e.g. noise).
  for (const m of question.mistakes ?? []) {
    if (m.patterns && outputs.some((o) => !o.pass && o.diagnostics.patterns.some((p: { kind: string }) => (m.patterns as string[]).includes(p.kind)))) matched.add(m.id);
  }
  const mistakes = [...matched].map((id) => ({ id, message: mistakeMessages[id] ?? id }));
  const allPass = outputs.every((o) => o.pass);
  // A step that raised while the runner went on (a forward before its backward) makes the case an error, with its
  // other outputs still compared for the parts they belong to.
  const status = allPass ? 'pass' : outcome.error ? 'error' : 'fail';
  const parts = question.parts ? Object.fromEntries(question.parts.map((p) => [p.id, p.outputs.every((name) => outputs.find((o) => o.name === name)?.pass === true)])) : undefined;
  const details = status === 'fail' ? feedbackDetails(outcome, loaded) : undefined;
  const pictures = c.visibility === 'public' ? casePictures(question, outcome, loaded, !allPass) : [];
  return {
    ...base,
    mistakes,
    status,
    durationMs: outcome.durationMs,
    outputs,
    ...(parts ? { parts } : {}),
    ...(status === 'error' && outcome.error ? { error: outcome.error } : {}),
    ...(details ? { details } : {}),
    ...(pictures.length ? { pictures } : {}),
    ...stdout,
  };
}

/** An output graded by properties (graders/models/properties.ts): measured here, on the student's array. */
async function propertyCheck(name: string, properties: PropertyT[], outcome: CaseOutcome, loaded: LoadedCase, question: QuestionT, manifest: ManifestT): Promise<OutputCheckT> {
  const modelInput = Object.entries(question.inputs ?? {}).find(([, kind]) => kind === 'model')?.[0];
  const { checkProperties } = await import('../models/properties.js');
  const checked = await checkProperties(outcome.outputs.get(name), properties, loaded.inputs, manifest.model, modelInput);
  if (outcome.outputErrors[name]) checked.diagnostics.message = outcome.outputErrors[name];
  const summary = outcome.outputErrors[name] ?? (checked.pass ? 'has every required property' : checked.failures.join('; '));
  return { name, pass: checked.pass, diagnostics: jsonSafe(checked.diagnostics), summary };
}

/**
 * Pictures of a public case (graders/reporters/pictures.ts): an image made by the student (an output graded by
 * properties against an input image) always; a failed map next to the input and the expected map.
 */
function casePictures(question: QuestionT, outcome: CaseOutcome, loaded: LoadedCase, failed: boolean): Picture[] {
  try {
    const pictures: Picture[] = [];
    for (const [name, spec] of Object.entries(question.outputs ?? {})) {
      if (typeof spec === 'object' && spec.graded === false) continue;
      const yours = outcome.outputs.get(name);
      if (typeof spec === 'object' && spec.properties) {
        const of = spec.properties.find((p) => p.of)?.of;
        pictures.push(...madeImagePictures(of ? loaded.inputs[of] : undefined, yours));
      } else if (failed && loaded.expected[name]) {
        pictures.push(...mapPictures(firstImageInput(loaded.inputs), yours, loaded.expected[name]));
      }
    }
    return pictures;
  } catch {
    // Pictures are a courtesy: whatever the submission returned, they never change or break the verdict.
    return [];
  }
}

/** Extra lines for a failed case, built from the raw arrays (a model's per-layer parameter table, its tensors without gradient). */
function feedbackDetails(outcome: CaseOutcome, loaded: LoadedCase): string[] | undefined {
  try {
    return modelFeedback(Object.fromEntries(outcome.outputs), loaded.expected);
  } catch {
    // Feedback is a courtesy: whatever the submission sent, it never changes or breaks the verdict.
    return undefined;
  }
}

/** A hash of the submission's files (names and bytes), so a re-grade can tell whether anything changed. */
export async function hashSubmission(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (rel: string, depth: number): Promise<void> => {
    if (depth > 8) return;
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === '__pycache__' || entry.name.startsWith('.')) continue;
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) await walk(child, depth + 1);
      else if (entry.isFile()) {
        hash.update(child + '\0');
        // Streamed: a file of any size costs no memory (and cannot hit Node's 2 GiB read limit).
        for await (const chunk of createReadStream(path.join(dir, child))) hash.update(chunk as Buffer);
      }
    }
  };
  await walk('', 0);
  return hash.digest('hex');
}

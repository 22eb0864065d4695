// Builds what a check, ci or grade run shares: the assignment, its fixtures and lock, the runner.
import { loadAssignment } from '../manifest/load-manifest.js';
import { FixtureStore, type FixtureFiles } from '../fixtures/load-case.js';
import type { Runner } from '../runners/runner.js';
import type { Sandbox } from '../runners/sandbox.js';
import type { Assignment } from '../manifest/load-manifest.js';
import { createRunner, type RunnerOptions } from '../runners/create-runner.js';
import { selectSandbox, type SandboxPolicy } from '../runners/select-sandbox.js';
import { defaultPython } from '../runners/python-runner.js';
import { memoryLimitMb, type GradingContext, type Mode } from './grade-submission.js';
import { DlgradeError } from '../errors.js';
import type { KeyRegistry } from '../answer-key/registry.js';
import { assignmentKind } from './assignment-kind.js';

export interface ContextOptions extends RunnerOptions {
  mode: Mode;
  /** The answer keys (reference/index.ts's registry, handed in by the CLI); an answers assignment loads its key here. */
  keys: KeyRegistry;
  questionIds?: string[];
  /** How student code must be isolated; by default check prefers the sandbox and grade and ci require it. */
  sandboxPolicy?: SandboxPolicy;
  /**
   * A long-lived runner for Python submissions to use instead of a new one (the check server's warm workers); the
   * context does not own it, so closing the context's runner leaves it running.
   */
  sharedRunner?: (python: string, sandbox: Sandbox) => Runner;
  /** Parsed fixture files to start from (the check server's, kept while the files on disk stay the same). */
  fixtureFiles?: (assignment: Assignment) => Promise<FixtureFiles>;
  /** What may still refuse the run once the manifest is known, before any runner starts (or PyTorch imports). */
  beforeRunner?: (assignment: Assignment) => Promise<void>;
}

/** check falls back to running unsandboxed (with a warning) on a student's laptop; grade and ci refuse to. */
export function defaultSandboxPolicy(mode: Mode): SandboxPolicy {
  return mode === 'check' ? 'preferred' : 'required';
}

export async function createContext(assignmentId: string, options: ContextOptions): Promise<GradingContext> {
  const assignment = await loadAssignment(assignmentId);
  const known = new Set(assignment.manifest.questions.map((q) => q.id));
  const unknown = (options.questionIds ?? []).filter((id) => !known.has(id));
  if (unknown.length) {
    throw new DlgradeError('USAGE', `${assignment.manifest.id} has no question ${unknown.map((u) => `"${u}"`).join(', ')} (questions: ${[...known].join(', ')})`);
  }
  await options.beforeRunner?.(assignment);
  const kind = assignmentKind(assignment.manifest);
  // An answers assignment has no fixtures: its lock records the key's version (and merged staff scores).
  const { lock, answersKey } = await kind.prepare(assignment, options.keys);
  let runnerOptions: RunnerOptions = options;
  if (kind.runsCode && !options.sandbox) {
    const sandbox = await selectSandbox(options.sandboxPolicy ?? defaultSandboxPolicy(options.mode), defaultPython(options.python));
    runnerOptions = { ...options, sandbox };
  }
  const runner =
    options.sharedRunner && assignment.manifest.runner === 'python' && runnerOptions.sandbox
      ? options.sharedRunner(defaultPython(options.python), runnerOptions.sandbox)
      : createRunner(assignment.manifest, runnerOptions);
  // A warm worker starts importing PyTorch now, while the fixtures load.
  runner.warm?.(memoryLimitMb(assignment.manifest));
  return {
    assignment,
    lock,
    fixtures: new FixtureStore(assignment, await options.fixtureFiles?.(assignment)),
    runner,
    kind,
    mode: options.mode,
    questionIds: options.questionIds,
    ...(answersKey ? { answersKey } : {}),
  };
}

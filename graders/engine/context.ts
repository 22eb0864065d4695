// Builds what a check, ci or grade run shares: the assignment, its fixtures and lock, the runner.
import { loadAssignment } from '../manifest/load-manifest.js';
import { readLock } from '../fixtures/lock.js';
import { FixtureStore } from '../fixtures/load-case.js';
import { createRunner, type RunnerOptions } from '../runners/create-runner.js';
import type { GradingContext, Mode } from './grade-submission.js';
import { DlgradeError } from '../errors.js';
import { answersLock } from '../answers/grade-submission.js';

export interface ContextOptions extends RunnerOptions {
  mode: Mode;
  questionIds?: string[];
}

export async function createContext(assignmentId: string, options: ContextOptions): Promise<GradingContext> {
  const assignment = await loadAssignment(assignmentId);
  const known = new Set(assignment.manifest.questions.map((q) => q.id));
  const unknown = (options.questionIds ?? []).filter((id) => !known.has(id));
  if (unknown.length) {
    throw new DlgradeError('USAGE', `${assignment.manifest.id} has no question ${unknown.map((u) => `"${u}"`).join(', ')} (questions: ${[...known].join(', ')})`);
  }
  // An answers assignment has no fixtures: its lock records the reference version (and merged staff scores).
  const lock = assignment.manifest.runner === 'answers' ? answersLock(assignment) : await readLock(assignment);
  return {
    assignment,
    lock,
    fixtures: new FixtureStore(assignment),
    runner: createRunner(assignment.manifest, options),
    mode: options.mode,
    questionIds: options.questionIds,
  };
}

// The one dispatch on the kind of assignment: how it is locked, graded, validated and exported.
import type { Assignment } from '../manifest/load-manifest.js';
import type { ManifestT } from '../manifest/schema.js';
import type { FixtureLock } from '../fixtures/lock.js';
import { readLock } from '../fixtures/lock.js';
import type { ResultT } from '../result/schema.js';
import type { AssignmentReference } from '../answer-key/types.js';
import type { AnswersKey } from '../answer-key/answers-key.js';
import { requireAnswersKey, type KeyRegistry } from '../answer-key/registry.js';
import { DlgradeError } from '../errors.js';
import { gradeCodeSubmission, type GradingContext, type SubmissionInput } from './grade-submission.js';
import type { CheckAttempt } from './validate.js';
import { answersLock, gradeAnswersSubmission } from '../answers/grade-submission.js';

/** Commands that apply to some kinds only. */
export type KindCommand = 'fixtures' | 'export-student' | 'variant';

/** What differs between a code assignment and an answers assignment; everything else is shared. */
export interface AssignmentKind {
  readonly name: 'code' | 'answers';
  /** Whether submissions are run (so a sandbox is chosen for them). */
  readonly runsCode: boolean;
  /** The lock a run records, and for an answers assignment its key (from the registry). */
  prepare(assignment: Assignment, keys: KeyRegistry): Promise<{ lock: FixtureLock; answersKey?: AnswersKey }>;
  grade(ctx: GradingContext, submission: SubmissionInput): Promise<ResultT>;
  /** The kind's own self-tests (`dlgrade validate`); the solution and starter tests are shared. */
  checks(ctx: GradingContext, reference: AssignmentReference | undefined, attempt: CheckAttempt): Promise<void>;
  /** Case statuses by which a starter ends without a clear message. */
  readonly unclearStarter: readonly string[];
  /** Which answer keys a Gradescope bundle must carry (a code assignment is graded from its fixtures alone). */
  readonly gradescopeKeys: boolean;
  /** Why a command does not apply to this kind; absent when it does. */
  readonly unsupported: Partial<Record<KindCommand, string>>;
}

const CODE: AssignmentKind = {
  name: 'code',
  runsCode: true,
  prepare: async (assignment) => ({ lock: await readLock(assignment) }),
  grade: gradeCodeSubmission,
  // Loaded when `validate` runs: the self-tests load TensorFlow.js, which grading never needs.
  checks: async (ctx, reference, attempt) => (await import('./validate.js')).codeChecks(ctx, reference, attempt),
  unclearStarter: ['crash', 'timeout'],
  gradescopeKeys: false,
  unsupported: { variant: 'runs code: it has no per-student values' },
};

const ANSWERS: AssignmentKind = {
  name: 'answers',
  runsCode: false,
  async prepare(assignment, keys) {
    const answersKey = await requireAnswersKey(keys, assignment.manifest.id);
    return { lock: answersLock(assignment, answersKey), answersKey };
  },
  grade: gradeAnswersSubmission,
  checks: async (ctx, _reference, attempt) => (await import('../answers/validate-answers.js')).answersChecks(ctx, attempt),
  // An answers starter is a valid file with nothing answered: an invalid section is a mistake of the starter.
  unclearStarter: ['error', 'crash', 'timeout'],
  gradescopeKeys: true,
  unsupported: {
    fixtures: 'is graded from an answers file against its key in Node: it has no fixtures (dlgrade validate checks it)',
    'export-student': 'is graded from an answers file with the answer key at hand, which a student kit never holds; hand out the handout and the starter answers file instead',
  },
};

/** The kind of an assignment, by its manifest's runner; the compiler checks that every runner has one. */
export function assignmentKind(manifest: Pick<ManifestT, 'runner'>): AssignmentKind {
  const runner = manifest.runner;
  switch (runner) {
    case 'python':
      return CODE;
    case 'answers':
      return ANSWERS;
    default: {
      const unreachable: never = runner;
      throw new DlgradeError('MANIFEST_INVALID', `unknown runner ${String(unreachable)}`);
    }
  }
}

/** Refuses a command the assignment's kind does not have, naming the assignment and why. */
export function requireCommand(manifest: Pick<ManifestT, 'runner' | 'id'>, command: KindCommand): void {
  const why = assignmentKind(manifest).unsupported[command];
  if (why) throw new DlgradeError('USAGE', `${command}: ${manifest.id} ${why}`);
}

// The one registry of answer keys: reference/index.ts fills it, the CLI hands it to the engine, which never imports a key.
import type { AssignmentReference } from './types.js';
import type { AnswersKey } from './answers-key.js';
import { DlgradeError } from '../errors.js';

/** Any assignment's key: array questions (code assignments) or an answers key. */
export type AnswerKey = AssignmentReference | AnswersKey;

/** Finds answer keys by assignment id; loading is lazy so grading a code assignment never pays for TensorFlow.js. */
export interface KeyRegistry {
  /** The assignment ids that have a key. */
  ids(): string[];
  /** The key of an assignment; undefined when none is registered (or, in a student kit, none is installed). */
  load(assignment: string): Promise<AnswerKey | undefined>;
  /** Why this registry has no keys at all, for messages (a student kit's). */
  readonly absent?: string;
}

/** Whether a key is an answers key (rather than an array-question key). */
export function isAnswersKey(key: AnswerKey): key is AnswersKey {
  return key.kind === 'answers';
}

/**
 * A registry over lazy loaders, one per assignment id. A loader that returns the key of another assignment is an
 * error naming both, so a copied registration line cannot grade one assignment with another's key.
 */
export function createKeyRegistry(loaders: Record<string, () => Promise<AnswerKey>>, where = 'reference/index.ts'): KeyRegistry {
  return {
    ids: () => Object.keys(loaders),
    async load(assignment) {
      const load = Object.hasOwn(loaders, assignment) ? loaders[assignment] : undefined;
      if (!load) return undefined;
      const key = await load();
      if (key.assignment !== assignment) {
        throw new DlgradeError('REFERENCE_INVALID', `${where}: the key registered for "${assignment}" says it is for "${key.assignment}"`);
      }
      return key;
    },
  };
}

/** A registry with no keys: what a student kit, which ships none, has. */
export const NO_KEYS: KeyRegistry = {
  ...createKeyRegistry({}),
  absent: 'the answer keys are not part of this copy of dlgrade (a student kit never holds them)',
};

/** Why an assignment has no key here, and what to do. */
function noKey(keys: KeyRegistry, assignment: string): DlgradeError {
  return new DlgradeError('REFERENCE_INVALID', keys.absent ? `no answer key for "${assignment}": ${keys.absent}` : `no answer key is registered for "${assignment}" in reference/index.ts`);
}

/** The answers key of an assignment, or a message that says what is missing and where to register it. */
export async function requireAnswersKey(keys: KeyRegistry, assignment: string): Promise<AnswersKey> {
  const key = await keys.load(assignment);
  if (!key) throw noKey(keys, assignment);
  if (!isAnswersKey(key)) throw new DlgradeError('REFERENCE_INVALID', `the key of "${assignment}" is an array-question key, but the manifest says runner: answers`);
  return key;
}

/** The array-question key of a code assignment, or a message that says where to register it. */
export async function requireArrayKey(keys: KeyRegistry, assignment: string): Promise<AssignmentReference> {
  const key = await keys.load(assignment);
  if (!key) throw noKey(keys, assignment);
  if (isAnswersKey(key)) throw new DlgradeError('REFERENCE_INVALID', `the key of "${assignment}" is an answers key, but the manifest says it runs code`);
  return key;
}

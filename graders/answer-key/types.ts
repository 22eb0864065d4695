// The contract between the engine and a code assignment's answer key (the TypeScript references in reference/).
import type { NdArray } from '../npz/ndarray.js';
import type { Rng } from './rng.js';

/** Named arrays: a case's inputs or outputs. Lists are stored as `name.0`, `name.1`, … (see list-arrays.ts). */
export type Arrays = Record<string, NdArray>;

/** What every case of an assignment shares when its inputs are generated. */
export interface GenerateContext {
  assignment: string;
  seed: number;
}

/** The reference for one question: how its inputs are made, what the right answer is, and known wrong answers. */
export interface QuestionReference {
  /**
   * Builds a case's inputs from the manifest's `args` for that case and a seeded generator. `context` holds the
   * manifest's global seed, for inputs every case shares (a model's weights); `dlgrade fixtures` always passes it.
   */
  generate(args: Record<string, unknown>, rng: Rng, context?: GenerateContext): Arrays;
  /** The correct outputs for these inputs, computed with TensorFlow.js. */
  solve(inputs: Arrays): Arrays | Promise<Arrays>;
  /**
   * Known wrong implementations, by mistake id (the ids a manifest's `mistakes` names).
   * Their outputs are stored in the fixtures so a student's answer can be recognised as that mistake.
   */
  mistakes?: Record<string, (inputs: Arrays) => Arrays | Promise<Arrays>>;
}

/** All references of one code assignment (the array-question key). */
export interface AssignmentReference {
  /** Optional: a key without a kind is an array-question key. */
  kind?: 'arrays';
  assignment: string;
  /** Bumped whenever a reference's numbers change; recorded in fixtures and results. */
  version: string;
  questions: Record<string, QuestionReference>;
}

// The contract of an answers assignment's key: section schemas, question kinds, per-question graders, variants, its own answers.
import type { AnswerCell, NumberTolerance } from '../answers/cells.js';

/** How a question is graded: numbers within a tolerance, a property of the answer, exact counts, or by staff. */
export type QuestionKind = 'numeric' | 'property' | 'exact' | 'manual';

/** A JSON Schema (TypeBox builds them; see sections.ts) for one section of the answers file. */
export type SectionSchema = Record<string, unknown>;

/** The values one student's questions use; `studentId` is the normalised id they came from, null for the canonical ones. */
export interface VariantValues {
  studentId: string | null;
}

/** What a question's grader gets: its validated section, the key for this variant, the variant and the tolerance. */
export interface AnswersQuestionContext<Section = any, Key = any, Variant extends VariantValues = any> {
  answers: Section;
  key: Key;
  variant: Variant;
  /** The manifest's tolerance for this question (question's compare over defaults.compare over rel_error 1e-4). */
  tolerance: NumberTolerance;
}

/** Cells and question-level messages (e.g. a recognised mistake that explains several cells). */
export interface QuestionCells {
  cells: AnswerCell[];
  messages: string[];
}

/** One question of an answers key. */
export interface AnswersQuestionKey<Key = any, Variant extends VariantValues = any> {
  kind: QuestionKind;
  /** The schema of the question's section in the answers file. */
  schema: SectionSchema;
  /** Grades a valid, answered section; not used for `manual` questions (staff grade them). */
  grade?: (ctx: AnswersQuestionContext<any, Key, Variant>) => QuestionCells;
}

/** Per-student values: an assignment whose questions use numbers derived from the student id. */
export interface AnswersVariants<Variant extends VariantValues = any> {
  /** The questions whose numbers differ between students. */
  questions: readonly string[];
  /** The handout's values, used when there is no student id. */
  canonical: Variant;
  /** The values of a (normalised, non-empty) student id; must be stable, since it decides every student's numbers. */
  forStudent(studentId: string): Variant;
  /** The values as lines for a person (`dlgrade variant`). */
  describe(variant: Variant, assignment: string): string[];
}

/** The answer key of an answers assignment, registered in reference/index.ts under its assignment id. */
export interface AnswersKey<Key = any, Variant extends VariantValues = any> {
  kind: 'answers';
  assignment: string;
  /** Bumped whenever an expected answer changes; recorded in results. */
  version: string;
  /** Every question of the answers format, in the order of the file. */
  questions: Record<string, AnswersQuestionKey<Key, Variant>>;
  /** Absent when every student answers the same numbers. */
  variants?: AnswersVariants<Variant>;
  /** The expected answers for a variant (for an assignment without variants, `{ studentId }`). */
  solve(variant: Variant): Key;
  /** A full-marks answers file for the variant, numbers kept to `digits` significant digits (validate's self-test). */
  answers(variant: Variant, digits?: number): Record<string, unknown>;
  /** Title and description of the answers file's JSON Schema (answers.schema.json). */
  file?: { title?: string; description?: string };
}

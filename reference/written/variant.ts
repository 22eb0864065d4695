// Per-student parameters of the `written` assignment, derived from the student id (`dlgrade variant` prints them).
import { normalizeStudentId, studentDraws } from '../../graders/answer-key/variants.js';
import type { AnswersVariants, VariantValues } from '../../graders/answer-key/answers-key.js';

/** The variant parameters of one student; the canonical values of assignments.md §4 when there is no id. */
export interface WrittenVariant extends VariantValues {
  /** The normalised student id the values were derived from, or null for the canonical values. */
  studentId: string | null;
  /** conv_as_matrix: the 3×3 kernel W (rows). */
  conv_as_matrix: { W: number[][] };
  /** relu_net: the three points x at which h(x) and dh/dx are asked. */
  relu_net: { points: number[] };
  /** backprop: the input vector x = [x1, x2, x3]. */
  backprop: { x: number[] };
}

/** The questions that have per-student parameters. */
export const VARIANT_QUESTIONS = ['conv_as_matrix', 'relu_net', 'backprop'] as const;
export type VariantQuestion = (typeof VARIANT_QUESTIONS)[number];

/** Canonical values (no student id): W is chosen with four distinct corners so a flipped kernel is detectable. */
export const CANONICAL_VARIANT: WrittenVariant = {
  studentId: null,
  conv_as_matrix: {
    W: [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ],
  },
  relu_net: { points: [2, -1, 1] },
  backprop: { x: [1, 4, 5] },
};

// The value sets a variant is drawn from. They keep every answer hand-computable:
// small integers for W and x, halves for the relu_net points, which avoid the kinks of h at 0 and -2.
const NONZERO = [-3, -2, -1, 1, 2, 3];
const SMALL = [-3, -2, -1, 0, 1, 2, 3];
const POSITIVE_POINTS = [0.5, 1, 1.5, 2, 2.5, 3];
const MIDDLE_POINTS = [-1.5, -1, -0.5];
const ALL_POINTS = [-3, -2.5, ...MIDDLE_POINTS, ...POSITIVE_POINTS];
const INPUTS = [1, 2, 3, 4, 5];
const CORNERS = new Set(['0,0', '0,2', '2,0', '2,2']);

export { normalizeStudentId };

/**
 * A student's variant parameters.
 *
 * Derivation (stable; changing it changes every student's numbers):
 * for each variant question q, the bytes of sha256(`written/<q>/<normalised id>`) (UTF-8) are read in order,
 * and each draw takes the next byte b and picks `options[b % options.length]`
 * ("distinct" draws remove the picked value from the options first):
 * - conv_as_matrix.W, row-major: the four corners (the only entries that meet the input at stride 4,
 *   padding 2) are distinct draws from {−3, −2, −1, 1, 2, 3}, so A has no zero row and a flipped kernel shows;
 *   the other five entries are draws from {−3, …, 3}.
 * - relu_net.points: one draw from {0.5, 1, …, 3}, one from {−1.5, −1, −0.5}, then one distinct draw
 *   from {−3, −2.5, −1.5, −1, −0.5, 0.5, …, 3} (never a kink of h, which are at 0 and −2).
 * - backprop.x: three draws from {1, 2, 3, 4, 5}.
 * No id (undefined, null or blank) gives CANONICAL_VARIANT.
 */
export function variantFor(studentId: string | undefined | null): WrittenVariant {
  const id = normalizeStudentId(studentId);
  if (id === null) return structuredClone(CANONICAL_VARIANT);

  const conv = draws('conv_as_matrix', id);
  const cornerOptions = [...NONZERO];
  const W = [0, 1, 2].map((r) =>
    [0, 1, 2].map((c) => (CORNERS.has(`${r},${c}`) ? conv.distinct(cornerOptions) : conv.pick(SMALL))),
  );

  const relu = draws('relu_net', id);
  const p1 = relu.pick(POSITIVE_POINTS);
  const p2 = relu.pick(MIDDLE_POINTS);
  const p3 = relu.distinct(ALL_POINTS.filter((p) => p !== p1 && p !== p2));

  const bp = draws('backprop', id);
  const x = [bp.pick(INPUTS), bp.pick(INPUTS), bp.pick(INPUTS)];

  return { studentId: id, conv_as_matrix: { W }, relu_net: { points: [p1, p2, p3] }, backprop: { x } };
}

/** A reader of the digest bytes for one question and student. */
function draws(question: VariantQuestion, id: string) {
  return studentDraws('written', question, id);
}

/** The variant as lines for a person: what each variant question uses, and what to write in answers.yaml. */
export function formatVariant(variant: WrittenVariant, assignment = 'written'): string[] {
  const list = (xs: number[]) => `[${xs.join(', ')}]`;
  return [
    variant.studentId ? `Values of student "${variant.studentId}" for ${assignment}:` : `Canonical values for ${assignment} (no student id):`,
    `  conv_as_matrix  W = ${list(variant.conv_as_matrix.W.map(list) as unknown as number[])}`,
    `  relu_net        points x = ${variant.relu_net.points.join(', ')}`,
    `  backprop        x = ${list(variant.backprop.x)}`,
    variant.studentId ? `Write student_id: "${variant.studentId}" in answers.yaml.` : 'Every other question is the same for everyone.',
  ];
}

/** The written assignment's variants, as its key declares them. */
export const writtenVariants: AnswersVariants<WrittenVariant> = {
  questions: VARIANT_QUESTIONS,
  canonical: CANONICAL_VARIANT,
  forStudent: (id) => variantFor(id),
  describe: formatVariant,
};

// Answer key of the `written` assignment, as reference/index.ts registers it: formats, kinds, graders, variants.
import type { AnswersKey } from '../../graders/answer-key/answers-key.js';
import { SECTION_SCHEMAS } from './schema.js';
import { solveWritten, type WrittenKey } from './solve.js';
import { writtenVariants, type WrittenVariant } from './variant.js';
import { answersFromKey } from './answers-from-key.js';
import { gradeBackprop, gradeCnnTable, gradeConvAsMatrix, gradePerceptron, gradeReluNet, gradeVgg11, gradeXor } from './grade-questions.js';

export { solveWritten, type WrittenKey };

/** The written assignment's key. */
export const writtenKey: AnswersKey<WrittenKey, WrittenVariant> = {
  kind: 'answers',
  assignment: 'written',
  /** Bumped whenever an expected answer changes. */
  version: '1',
  questions: {
    conv_as_matrix: { kind: 'property', schema: SECTION_SCHEMAS.conv_as_matrix, grade: gradeConvAsMatrix },
    perceptron: { kind: 'property', schema: SECTION_SCHEMAS.perceptron, grade: gradePerceptron },
    xor: { kind: 'property', schema: SECTION_SCHEMAS.xor, grade: gradeXor },
    relu_net: { kind: 'numeric', schema: SECTION_SCHEMAS.relu_net, grade: gradeReluNet },
    backprop: { kind: 'numeric', schema: SECTION_SCHEMAS.backprop, grade: gradeBackprop },
    vgg11: { kind: 'exact', schema: SECTION_SCHEMAS.vgg11, grade: gradeVgg11 },
    cnn_table: { kind: 'exact', schema: SECTION_SCHEMAS.cnn_table, grade: gradeCnnTable },
    xor_proof: { kind: 'manual', schema: SECTION_SCHEMAS.xor_proof },
    min_norm_proof: { kind: 'manual', schema: SECTION_SCHEMAS.min_norm_proof },
  },
  variants: writtenVariants,
  solve: solveWritten,
  answers: (variant, digits) => answersFromKey(variant, digits),
  file: { title: 'dlgrade written answers', description: 'answers.yaml of the written assignment; null or a missing key means "not answered"' },
};

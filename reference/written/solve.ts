// The `written` assignment's expected answers for one student's variant.
import type { WrittenVariant } from './variant.js';
import { solveConvAsMatrix, type ConvAsMatrixKey } from './conv-as-matrix.js';
import { solvePerceptron, type PerceptronKey } from './perceptron.js';
import { solveXor, type XorKey } from './xor.js';
import { solveReluNet, type ReluNetKey } from './relu-net.js';
import { solveBackprop, type BackpropKey } from './backprop.js';
import { solveVgg11, type Vgg11Key } from './vgg11.js';
import { solveCnnTable, type CnnTableKey } from './cnn-table.js';
import { MANUAL_QUESTIONS, type ManualQuestionKey } from './proofs.js';

/** Expected answers of every question for one variant. */
export interface WrittenKey {
  conv_as_matrix: ConvAsMatrixKey;
  perceptron: PerceptronKey;
  xor: XorKey;
  relu_net: ReluNetKey;
  backprop: BackpropKey;
  vgg11: Vgg11Key;
  cnn_table: CnnTableKey;
  xor_proof: ManualQuestionKey;
  min_norm_proof: ManualQuestionKey;
}

/** Computes the whole answer key for a variant (milliseconds: all of it is small float64 arithmetic). */
export function solveWritten(variant: WrittenVariant): WrittenKey {
  return {
    conv_as_matrix: solveConvAsMatrix(variant),
    perceptron: solvePerceptron(),
    xor: solveXor(),
    relu_net: solveReluNet(variant),
    backprop: solveBackprop(variant),
    vgg11: solveVgg11(),
    cnn_table: solveCnnTable(),
    xor_proof: MANUAL_QUESTIONS.xor_proof,
    min_norm_proof: MANUAL_QUESTIONS.min_norm_proof,
  };
}

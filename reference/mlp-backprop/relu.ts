// relu (assignments.md §2): forward max(0, x), backward dLdout * (x > 0) — the gradient is 0 where x is exactly 0.
import * as tf from '@tensorflow/tfjs-core';
import type { Arrays, QuestionReference } from '../../graders/answer-key/types.js';
import { fractionArg, intArg, solveWith, zeroOut } from './args.js';

/** Which inputs let the gradient through: `gt` is x > 0 (right), `ge` is x >= 0 (the relu-mask-ge mistake). */
export type ReluMask = 'gt' | 'ge';

/** max(0, x), elementwise. */
export function reluForward(x: tf.Tensor): tf.Tensor {
  return tf.maximum(x, tf.scalar(0, x.dtype));
}

/**
 * dLdout * (x > 0), a product as the definition writes it — so a NaN in dLdout stays NaN where the mask is 0, as it
 * does in a student's PyTorch (this matters only for the outputs of mistakes that produce NaN upstream).
 */
export function reluBackward(x: tf.Tensor, dLdout: tf.Tensor, mask: ReluMask = 'gt'): tf.Tensor {
  const zero = tf.zerosLike(x);
  const open = mask === 'gt' ? tf.greater(x, zero) : tf.greaterEqual(x, zero);
  return tf.mul(dLdout, tf.cast(open, dLdout.dtype));
}

function solver(mask: ReluMask) {
  return (inputs: Arrays) =>
    solveWith(inputs, ['x', 'dLdout'], (t) => ({ out: reluForward(t.x), dLdin: reluBackward(t.x, t.dLdout, mask) }));
}

export const relu: QuestionReference = {
  // args: batch, features, zero_fraction (share of inputs set to exactly 0, the edge case the mask is about).
  generate(args, rng) {
    const shape = [intArg(args, 'batch'), intArg(args, 'features')];
    const x = rng.randn(shape);
    zeroOut(rng, x, fractionArg(args, 'zero_fraction'));
    return { x, dLdout: rng.randn(shape) };
  },
  solve: solver('gt'),
  mistakes: { 'relu-mask-ge': solver('ge') },
};

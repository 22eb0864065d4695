// cross_entropy_forward and cross_entropy_backward (assignments.md §2): mean of -log softmax(logits)[target], and
// its gradient (softmax(logits) - onehot(target)) / B.
import * as tf from '@tensorflow/tfjs-core';
import type { Arrays, QuestionReference } from '../../graders/answer-key/types.js';
import type { Rng } from '../../graders/answer-key/rng.js';
import { intArg, numberArg, oneClassArg, solveWith, targets } from './args.js';

/** How a softmax is computed: `stable` subtracts the row maximum first; `naive` is the softmax-overflow mistake. */
export type SoftmaxKind = 'stable' | 'naive';

export interface CrossEntropyOptions {
  softmax?: SoftmaxKind;
  /** `sum` is the sum-instead-of-mean mistake (B times too large). */
  reduce?: 'mean' | 'sum';
}

export interface CrossEntropyGradOptions {
  softmax?: SoftmaxKind;
  /** false is the missing-batch-mean mistake: softmax - onehot, B times too large. */
  batchMean?: boolean;
  /** -1 is the wrong-sign mistake: onehot - softmax. */
  sign?: 1 | -1;
}

/**
 * Row-wise softmax of logits [B, C]. The naive kind exponentiates the raw float32 logits, so exp overflows to Inf
 * above ~88.7 and Inf / Inf gives NaN — exactly what PyTorch does in float32.
 */
export function softmax(logits: tf.Tensor, kind: SoftmaxKind = 'stable'): tf.Tensor {
  const shifted = kind === 'stable' ? tf.sub(logits, tf.max(logits, 1, true)) : logits;
  const e = tf.exp(shifted);
  return tf.div(e, tf.sum(e, 1, true));
}

/** log softmax [B, C]: shifted - log(sum(exp(shifted))) when stable, log(naive softmax) otherwise (−Inf or NaN on overflow). */
export function logSoftmax(logits: tf.Tensor, kind: SoftmaxKind = 'stable'): tf.Tensor {
  if (kind === 'naive') return tf.log(softmax(logits, 'naive'));
  const shifted = tf.sub(logits, tf.max(logits, 1, true));
  return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true)));
}

/** values[i, target[i]] for each row — by index, as PyTorch's `p[range(B), target]`, so a −Inf elsewhere in a row stays out. */
export function pickTargets(values: tf.Tensor, target: tf.Tensor): tf.Tensor {
  const [batch, classes] = values.shape;
  const rows = tf.mul(tf.range(0, batch, 1, 'int32'), tf.scalar(classes, 'int32'));
  return tf.gather(tf.reshape(values, [-1]), tf.add(rows, tf.cast(target, 'int32')));
}

/** The cross-entropy loss, a scalar. */
export function crossEntropyForward(logits: tf.Tensor, target: tf.Tensor, options: CrossEntropyOptions = {}): tf.Tensor {
  const picked = tf.neg(pickTargets(logSoftmax(logits, options.softmax), target));
  return options.reduce === 'sum' ? tf.sum(picked) : tf.mean(picked);
}

/** dL/dlogits [B, C] = (softmax(logits) - onehot(target)) / B, or one of the known mistakes. */
export function crossEntropyBackward(logits: tf.Tensor, target: tf.Tensor, options: CrossEntropyGradOptions = {}): tf.Tensor {
  const [batch, classes] = logits.shape;
  const onehot = tf.cast(tf.oneHot(tf.cast(target, 'int32'), classes), 'float32');
  let grad = tf.sub(softmax(logits, options.softmax), onehot);
  if (options.sign === -1) grad = tf.neg(grad);
  return options.batchMean === false ? grad : tf.div(grad, tf.scalar(batch));
}

/**
 * Logits [B, C], N(0, logit_scale²) — a scale of ~1e3 is the overflow edge case — and targets [B], all equal to
 * `one_class` when the manifest asks for the one-class edge case.
 */
export function generateLogits(args: Record<string, unknown>, rng: Rng): Arrays {
  const batch = intArg(args, 'batch');
  const classes = intArg(args, 'classes');
  return {
    logits: rng.randn([batch, classes], numberArg(args, 'logit_scale', 3)),
    target: targets(rng, batch, classes, oneClassArg(args, classes)),
  };
}

const INPUTS = ['logits', 'target'] as const;

function forwardSolver(options: CrossEntropyOptions = {}) {
  return (inputs: Arrays) => solveWith(inputs, INPUTS, (t) => ({ loss: crossEntropyForward(t.logits, t.target, options) }));
}

function backwardSolver(options: CrossEntropyGradOptions = {}) {
  return (inputs: Arrays) => solveWith(inputs, INPUTS, (t) => ({ dLdlogits: crossEntropyBackward(t.logits, t.target, options) }));
}

export const cross_entropy_forward: QuestionReference = {
  generate: generateLogits,
  solve: forwardSolver(),
  mistakes: {
    'softmax-overflow': forwardSolver({ softmax: 'naive' }),
    'sum-instead-of-mean': forwardSolver({ reduce: 'sum' }),
  },
};

export const cross_entropy_backward: QuestionReference = {
  generate: generateLogits,
  solve: backwardSolver(),
  mistakes: {
    'softmax-overflow': backwardSolver({ softmax: 'naive' }),
    'missing-batch-mean': backwardSolver({ batchMean: false }),
    'wrong-sign': backwardSolver({ sign: -1 }),
  },
};

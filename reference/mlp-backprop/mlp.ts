// mlp_end_to_end (assignments.md §2): Linear → ReLU → Linear → CrossEntropy built from the student's classes;
// the loss and the four parameter gradients after one forward and backward pass.
import * as tf from '@tensorflow/tfjs-core';
import type { Arrays, QuestionReference } from '../../graders/answer-key/types.js';
import { scalar } from '../../graders/npz/ndarray.js';
import { intArg, numberArg, oneClassArg, solveWith, targets, weightInit } from './args.js';
import { crossEntropyBackward, crossEntropyForward, type CrossEntropyGradOptions } from './cross-entropy.js';
import { linearBackward, linearForward, type LinearMistake } from './linear.js';
import { reluBackward, reluForward, type ReluMask } from './relu.js';

/** The component mistakes an end-to-end pass can carry; each one shows up in the loss or the gradients. */
export interface MlpMistakes {
  linear?: LinearMistake;
  reluMask?: ReluMask;
  crossEntropy?: CrossEntropyGradOptions;
}

export interface MlpResult {
  loss: tf.Tensor;
  weight1_grad: tf.Tensor;
  bias1_grad: tf.Tensor;
  weight2_grad: tf.Tensor;
  bias2_grad: tf.Tensor;
}

/** One forward and backward pass of fc2(relu(fc1(x))) under the mean cross-entropy loss. */
export function mlpForwardBackward(
  t: { x: tf.Tensor; target: tf.Tensor; weight1: tf.Tensor; bias1: tf.Tensor; weight2: tf.Tensor; bias2: tf.Tensor },
  mistakes: MlpMistakes = {},
): MlpResult {
  const h = linearForward(t.x, t.weight1, t.bias1);
  const a = reluForward(h);
  const logits = linearForward(a, t.weight2, t.bias2);
  const loss = crossEntropyForward(logits, t.target, { softmax: mistakes.crossEntropy?.softmax });
  const dLdlogits = crossEntropyBackward(logits, t.target, mistakes.crossEntropy);
  const fc2 = linearBackward(a, t.weight2, dLdlogits, mistakes.linear);
  const dLdh = reluBackward(h, fc2.dLdin, mistakes.reluMask);
  const fc1 = linearBackward(t.x, t.weight1, dLdh, mistakes.linear);
  return { loss, weight1_grad: fc1.weightGrad, bias1_grad: fc1.biasGrad, weight2_grad: fc2.weightGrad, bias2_grad: fc2.biasGrad };
}

const INPUTS = ['x', 'target', 'weight1', 'bias1', 'weight2', 'bias2'] as const;

function solver(mistakes: MlpMistakes = {}) {
  return (inputs: Arrays) =>
    solveWith(inputs, INPUTS, (t) => ({ ...mlpForwardBackward({ x: t.x, target: t.target, weight1: t.weight1, bias1: t.bias1, weight2: t.weight2, bias2: t.bias2 }, mistakes) }));
}

export const mlp_end_to_end: QuestionReference = {
  /**
   * args: batch, in_features, hidden, classes; dead_units (hidden units whose weight row and bias are 0, so their
   * pre-activation is exactly 0 for every example); logit_scale (about the standard deviation of the logits; ~1e3 is
   * the overflow edge case); one_class (every target is this class).
   */
  generate(args, rng) {
    const batch = intArg(args, 'batch');
    const d = intArg(args, 'in_features');
    const hidden = intArg(args, 'hidden');
    const classes = intArg(args, 'classes');
    const dead = numberArg(args, 'dead_units', 0);
    if (!Number.isInteger(dead) || dead < 0 || dead > hidden) throw new Error(`args.dead_units must be an integer in [0, ${hidden}], got ${dead}`);
    const weight1 = weightInit(rng, hidden, d);
    const bias1 = rng.randn([hidden], 0.1);
    // relu(h) has mean square 1/2, so sqrt(2) * logit_scale / sqrt(hidden) per weight gives logits of about logit_scale.
    const weight2 = weightInit(rng, classes, hidden, Math.SQRT2 * numberArg(args, 'logit_scale', 1));
    const bias2 = rng.randn([classes], 0.1);
    const units = Array.from({ length: hidden }, (_, i) => i);
    for (let k = 0; k < dead; k++) {
      const pick = rng.int(k, hidden);
      [units[k], units[pick]] = [units[pick], units[k]];
      const unit = units[k];
      (weight1.data as Float32Array).fill(0, unit * d, (unit + 1) * d);
      bias1.data[unit] = 0;
    }
    return {
      in_features: scalar(d, 'int64'),
      hidden: scalar(hidden, 'int64'),
      classes: scalar(classes, 'int64'),
      x: rng.randn([batch, d]),
      target: targets(rng, batch, classes, oneClassArg(args, classes)),
      weight1,
      bias1,
      weight2,
      bias2,
    };
  },
  solve: solver(),
  mistakes: {
    'grad-transposed': solver({ linear: 'grad-transposed' }),
    'bias-grad-not-summed': solver({ linear: 'bias-grad-not-summed' }),
    'bias-grad-mean': solver({ linear: 'bias-grad-mean' }),
    'relu-mask-ge': solver({ reluMask: 'ge' }),
    'softmax-overflow': solver({ crossEntropy: { softmax: 'naive' } }),
    'missing-batch-mean': solver({ crossEntropy: { batchMean: false } }),
    'wrong-sign': solver({ crossEntropy: { sign: -1 } }),
  },
};

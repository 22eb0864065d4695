// linear_forward and linear_backward (assignments.md §2): y = x @ W.T + b and its three gradients.
import * as tf from '@tensorflow/tfjs-core';
import type { Arrays, QuestionReference } from '../../graders/answer-key/types.js';
import type { Rng } from '../../graders/answer-key/rng.js';
import { scalar } from '../../graders/npz/ndarray.js';
import { intArg, solveWith, weightInit } from './args.js';

/** Ways a student's Linear gets its gradients wrong that the grader recognises from the numbers. */
export type LinearMistake =
  /** weight.grad = x.T @ dLdout: the transpose of the right answer, shape [in, out]. */
  | 'grad-transposed'
  /** bias.grad = dLdout: one row per example, shape [B, out], never summed over the batch. */
  | 'bias-grad-not-summed'
  /** bias.grad = dLdout.mean(0): averaged over the batch although the loss already is, so 1/B too small. */
  | 'bias-grad-mean';

export interface LinearGrads {
  dLdin: tf.Tensor;
  weightGrad: tf.Tensor;
  biasGrad: tf.Tensor;
}

/** x [B, in] @ W.T [in, out] + b [out] → [B, out]; `withBias: false` is the missing-bias mistake. */
export function linearForward(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, withBias = true): tf.Tensor {
  const xw = tf.matMul(x, weight, false, true);
  return withBias ? tf.add(xw, bias) : xw;
}

/** dLdin = dLdout @ W, weight.grad = dLdout.T @ x, bias.grad = dLdout.sum(0), or one of the known mistakes. */
export function linearBackward(x: tf.Tensor, weight: tf.Tensor, dLdout: tf.Tensor, mistake?: LinearMistake): LinearGrads {
  const dLdin = tf.matMul(dLdout, weight);
  const weightGrad = mistake === 'grad-transposed' ? tf.matMul(x, dLdout, true, false) : tf.matMul(dLdout, x, true, false);
  let biasGrad: tf.Tensor;
  if (mistake === 'bias-grad-not-summed') biasGrad = tf.clone(dLdout);
  else if (mistake === 'bias-grad-mean') biasGrad = tf.mean(dLdout, 0);
  else biasGrad = tf.sum(dLdout, 0);
  return { dLdin, weightGrad, biasGrad };
}

/** The inputs both Linear questions share: x [B, in], weight [out, in], bias [out] and the sizes for the constructor. */
function generateLinear(args: Record<string, unknown>, rng: Rng) {
  const batch = intArg(args, 'batch');
  const inFeatures = intArg(args, 'in_features');
  const outFeatures = intArg(args, 'out_features');
  return {
    in_features: scalar(inFeatures, 'int64'),
    out_features: scalar(outFeatures, 'int64'),
    x: rng.randn([batch, inFeatures]),
    weight: weightInit(rng, outFeatures, inFeatures),
    bias: rng.randn([outFeatures], 0.1),
  };
}

const LINEAR_INPUTS = ['x', 'weight', 'bias'] as const;
const BACKWARD_INPUTS = ['x', 'weight', 'dLdout'] as const;

export const linear_forward: QuestionReference = {
  generate: generateLinear,
  solve: (inputs) => solveWith(inputs, LINEAR_INPUTS, (t) => ({ out: linearForward(t.x, t.weight, t.bias) })),
  mistakes: {
    'missing-bias': (inputs) => solveWith(inputs, LINEAR_INPUTS, (t) => ({ out: linearForward(t.x, t.weight, t.bias, false) })),
  },
};

function backwardSolver(mistake?: LinearMistake) {
  return (inputs: Arrays) =>
    solveWith(inputs, BACKWARD_INPUTS, (t) => {
      const g = linearBackward(t.x, t.weight, t.dLdout, mistake);
      return { dLdin: g.dLdin, weight_grad: g.weightGrad, bias_grad: g.biasGrad };
    });
}

export const linear_backward: QuestionReference = {
  generate(args, rng) {
    const inputs = generateLinear(args, rng);
    const [batch] = inputs.x.shape;
    // Scaled like the gradient of a batch-mean loss, (softmax - onehot) / B, so weight and bias gradients are O(1).
    return { ...inputs, dLdout: rng.randn([batch, inputs.weight.shape[0]], 1 / batch) };
  },
  solve: backwardSolver(),
  mistakes: {
    'grad-transposed': backwardSolver('grad-transposed'),
    'bias-grad-not-summed': backwardSolver('bias-grad-not-summed'),
    'bias-grad-mean': backwardSolver('bias-grad-mean'),
  },
};

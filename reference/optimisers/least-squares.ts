// Over-parameterised least squares (assignments.md §6): X [n, d] with d > n, L(w) = (1/n) ||X w - t||², a = X w0 - t.
// min_norm, gradient_descent, loss_after_step, optimal_lr and hypergradient, all in float64 (see float64.ts for why).
import type { Arrays, QuestionReference } from '../../graders/answer-key/types.js';
import type { Rng } from '../../graders/answer-key/rng.js';
import { int64, scalar, scalarValue } from '../../graders/npz/ndarray.js';
import { intArg, numberArg, optionalNumberArg } from './args.js';
import { addScaled, dot, fromArray, matmul, matrixArray, minNormSolve, randn64, transpose, vectorArray, wideMatrix, type Mat } from './float64.js';

/** The gradient's factor: 2/n is right; 1/n is the mistake of differentiating ||r||² as if it gave r, not 2r. */
export type GradientFactor = 2 | 1;

/** The inputs every least-squares question shares, generated from args n, d, cond (optional) and a seed. */
function problem(args: Record<string, unknown>, rng: Rng, withW0: boolean): { X: Mat; t: Mat; w0?: Mat } {
  const n = intArg(args, 'n');
  const d = intArg(args, 'd');
  const X = wideMatrix(rng, n, d, optionalNumberArg(args, 'cond'));
  const t = fromArray(randn64(rng, [n]));
  return withW0 ? { X, t, w0: fromArray(randn64(rng, [d], numberArg(args, 'w0_scale', 1))) } : { X, t };
}

function read(inputs: Arrays) {
  const X = fromArray(inputs.X);
  const t = fromArray(inputs.t);
  const n = X.rows;
  const K = matmul(X, transpose(X));
  const a = inputs.w0 ? addScaled(matmul(X, fromArray(inputs.w0)), -1, t) : undefined;
  return { X, t, n, K, a };
}

/** η* = (n / factor) · aᵀKa / aᵀK²a: the learning rate that minimises L1(η) (factor 2 is right). */
export function optimalLearningRate(K: Mat, a: Mat, n: number, factor: GradientFactor = 2): number {
  const Ka = matmul(K, a);
  return ((n / factor) * dot(a, Ka)) / dot(Ka, Ka);
}

/** L1(η) = (1/n) ||a − (factor·η/n) K a||². */
export function lossAfterOneStep(K: Mat, a: Mat, n: number, lr: number, factor: GradientFactor = 2): number {
  const r = addScaled(a, (-factor * lr) / n, matmul(K, a));
  return dot(r, r) / n;
}

/** dL1/dη = −(2·factor/n²) · aᵀ (I − (factor·η/n) K) K a. */
export function hypergradientOf(K: Mat, a: Mat, n: number, lr: number, factor: GradientFactor = 2): number {
  const Ka = matmul(K, a);
  const r = addScaled(a, (-factor * lr) / n, Ka);
  return ((-2 * factor) / (n * n)) * dot(r, Ka);
}

/** `steps` full-batch steps from w = 0: w ← w − lr·(factor/n)·Xᵀ(Xw − t). */
export function gradientDescent(X: Mat, t: Mat, lr: number, steps: number, factor: GradientFactor = 2): Mat {
  const Xt = transpose(X);
  let w: Mat = { rows: X.cols, cols: 1, data: new Float64Array(X.cols) };
  for (let k = 0; k < steps; k++) {
    const residual = addScaled(matmul(X, w), -1, t);
    w = addScaled(w, (-lr * factor) / X.rows, matmul(Xt, residual));
  }
  return w;
}

/** A learning rate with three significant digits, so fixtures and reports show readable numbers. */
function tidyRate(lr: number): number {
  return Number(lr.toPrecision(3));
}

export const min_norm: QuestionReference = {
  // args: n, d, cond (optional: singular values from 1 down to 1/cond).
  generate(args, rng) {
    const { X, t } = problem(args, rng, false);
    return { X: matrixArray(X), t: vectorArray(t) };
  },
  solve(inputs) {
    return { w: vectorArray(minNormSolve(fromArray(inputs.X), fromArray(inputs.t))) };
  },
  // normal-equations, (XᵀX)⁻¹Xᵀt, has no stored output: XᵀX is singular, so its numbers are rounding noise. The
  // manifest recognises it by the patterns not-a-solution and larger-norm instead.
};

export const gradient_descent: QuestionReference = {
  // args: n, d, cond (optional), steps, lr_factor: lr = lr_factor · n / ||X||_F² (below 1 every mode contracts,
  // since λ_max(X Xᵀ) <= ||X||_F²).
  generate(args, rng) {
    const { X, t } = problem(args, rng, false);
    const lr = tidyRate((numberArg(args, 'lr_factor', 0.5) * X.rows) / dot(X, X));
    return { X: matrixArray(X), t: vectorArray(t), lr: scalar(lr), steps: int64([intArg(args, 'steps')], []) };
  },
  solve: (inputs) => ({ w: vectorArray(gradientDescent(fromArray(inputs.X), fromArray(inputs.t), scalarValue(inputs.lr), scalarValue(inputs.steps))) }),
  mistakes: {
    'gradient-one-over-n': (inputs) => ({ w: vectorArray(gradientDescent(fromArray(inputs.X), fromArray(inputs.t), scalarValue(inputs.lr), scalarValue(inputs.steps), 1)) }),
  },
};

/** Inputs X, t, w0 and, when `withLr`, lr = lr_factor · η* (so the case says where it sits relative to the optimum). */
function withStart(withLr: boolean): QuestionReference['generate'] {
  return (args, rng) => {
    const { X, t, w0 } = problem(args, rng, true);
    const inputs: Arrays = { X: matrixArray(X), t: vectorArray(t), w0: vectorArray(w0!) };
    if (withLr) {
      const { K, a, n } = read(inputs);
      const factor = numberArg(args, 'lr_factor', 0.5);
      if (Math.abs(factor - 1) < 0.05) throw new Error(`args.lr_factor must keep η away from η* (at η* the hypergradient is 0), got ${factor}`);
      inputs.lr = scalar(tidyRate(factor * optimalLearningRate(K, a!, n)));
    }
    return inputs;
  };
}

function lossQuestion(factor: GradientFactor) {
  return (inputs: Arrays): Arrays => {
    const { K, a, n } = read(inputs);
    return { loss: scalar(lossAfterOneStep(K, a!, n, scalarValue(inputs.lr), factor)) };
  };
}

export const loss_after_step: QuestionReference = {
  // args: n, d, cond (optional), w0_scale, lr_factor (η as a multiple of η*).
  generate: withStart(true),
  solve: lossQuestion(2),
  mistakes: { 'gradient-one-over-n': lossQuestion(1) },
};

function optimalQuestion(factor: GradientFactor) {
  return (inputs: Arrays): Arrays => {
    const { K, a, n } = read(inputs);
    return { lr: scalar(optimalLearningRate(K, a!, n, factor)) };
  };
}

export const optimal_lr: QuestionReference = {
  // args: n, d, cond (optional), w0_scale.
  generate: withStart(false),
  solve: optimalQuestion(2),
  mistakes: { 'gradient-one-over-n': optimalQuestion(1) },
};

function hypergradientQuestion(factor: GradientFactor, sign = 1) {
  return (inputs: Arrays): Arrays => {
    const { K, a, n } = read(inputs);
    return { hypergradient: scalar(sign * hypergradientOf(K, a!, n, scalarValue(inputs.lr), factor)) };
  };
}

export const hypergradient: QuestionReference = {
  // args: n, d, cond (optional), w0_scale, lr_factor (η as a multiple of η*; never 1, where dL1/dη = 0).
  generate: withStart(true),
  solve: hypergradientQuestion(2),
  mistakes: { 'wrong-sign': hypergradientQuestion(2, -1), 'gradient-one-over-n': hypergradientQuestion(1) },
};

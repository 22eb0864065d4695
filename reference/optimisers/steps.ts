// One update of SGD with momentum, RMSProp and Adam (assignments.md §6), in torch.optim's conventions, on TensorFlow.js.
//
// These are elementwise: each output element takes a handful of operations, each rounded once, so float32 TensorFlow.js
// lands within about 1e-7 relative of the float64 definition — far inside rtol 1e-4 — and the known mistakes differ
// from it by 1e-3 relative or more on the cases built for them. The outputs are float32; steps.test.ts holds them to
// float64 loops over the same inputs. Scalars such as 1 − β^t are computed in float64 (JS numbers) before entering a
// tensor, so a bias correction of 1 − 0.999 is not the difference of two rounded float32 values.
import * as tf from '@tensorflow/tfjs-core';
import type { Arrays, QuestionReference } from '../../graders/answer-key/types.js';
import type { Rng } from '../../graders/answer-key/rng.js';
import { fromTensor, toTensor } from '../../graders/answer-key/backend.js';
import { float64, int64, scalar, scalarValue, type NdArray } from '../../graders/npz/ndarray.js';
import { randn64 } from './float64.js';
import { intArg, numberArg, shapeArg } from './args.js';

/** Runs `fn` on the named inputs as float32 tensors and reads its outputs back as arrays. */
async function solveTf(inputs: Arrays, names: readonly string[], fn: (t: Record<string, tf.Tensor>) => Record<string, tf.Tensor>): Promise<Arrays> {
  const outputs = tf.tidy(() => fn(Object.fromEntries(names.map((name) => [name, toTensor(inputs[name])]))));
  try {
    const arrays: Arrays = {};
    for (const [name, t] of Object.entries(outputs)) arrays[name] = await fromTensor(t);
    return arrays;
  } finally {
    tf.dispose(Object.values(outputs));
  }
}

/** Non-negative float64 values, like a running average of squared gradients: (scale · N(0, 1))². */
function squares(rng: Rng, shape: number[], scaleBy: number): NdArray {
  const a = randn64(rng, shape, scaleBy);
  for (let i = 0; i < a.data.length; i++) a.data[i] = (a.data[i] as number) ** 2;
  return a;
}

function zerosLike(shape: number[]): NdArray {
  return float64(new Float64Array(shape.reduce((a, b) => a * b, 1)), shape);
}

/** The course's convention (torch.optim.SGD) or the one that folds lr into the velocity. */
export type MomentumConvention = 'torch' | 'lr-in-velocity';

/**
 * torch: v' = momentum·v + g, w' = w − lr·v'.
 * lr-in-velocity (Sutskever et al. 2013, CS231n): v' = momentum·v + lr·g, w' = w − v'.
 */
export function sgdMomentumStep(w: tf.Tensor, g: tf.Tensor, v: tf.Tensor, lr: number, momentum: number, convention: MomentumConvention = 'torch') {
  if (convention === 'torch') {
    const velocity = tf.add(tf.mul(v, momentum), g);
    return { w: tf.sub(w, tf.mul(velocity, lr)), velocity };
  }
  const velocity = tf.add(tf.mul(v, momentum), tf.mul(g, lr));
  return { w: tf.sub(w, velocity), velocity };
}

function sgdMomentumQuestion(convention: MomentumConvention) {
  return (inputs: Arrays) =>
    solveTf(inputs, ['w', 'grad', 'velocity'], (t) => sgdMomentumStep(t.w, t.grad, t.velocity, scalarValue(inputs.lr), scalarValue(inputs.momentum), convention));
}

export const sgd_momentum: QuestionReference = {
  // args: shape, lr, momentum, zero_velocity (the first step: v = 0).
  generate(args, rng) {
    const shape = shapeArg(args, 'shape');
    const w = randn64(rng, shape);
    const grad = randn64(rng, shape);
    const velocity = args.zero_velocity ? zerosLike(shape) : randn64(rng, shape, 0.5);
    return { w, grad, velocity, lr: scalar(numberArg(args, 'lr')), momentum: scalar(numberArg(args, 'momentum')) };
  },
  solve: sgdMomentumQuestion('torch'),
  mistakes: { 'lr-in-velocity': sgdMomentumQuestion('lr-in-velocity') },
};

/** Where eps goes: added to the root (torch) or under the root. */
export type EpsPlacement = 'outside-sqrt' | 'inside-sqrt';

/** s' = α·s + (1−α)·g²; w' = w − lr·g / (√s' + eps), or / √(s' + eps) for the mistake. */
export function rmspropStep(w: tf.Tensor, g: tf.Tensor, s: tf.Tensor, lr: number, alpha: number, eps: number, placement: EpsPlacement = 'outside-sqrt') {
  const squareAvg = tf.add(tf.mul(s, alpha), tf.mul(tf.square(g), 1 - alpha));
  const denominator = placement === 'outside-sqrt' ? tf.add(tf.sqrt(squareAvg), eps) : tf.sqrt(tf.add(squareAvg, eps));
  return { w: tf.sub(w, tf.div(tf.mul(g, lr), denominator)), square_avg: squareAvg };
}

function rmspropQuestion(placement: EpsPlacement) {
  return (inputs: Arrays) =>
    solveTf(inputs, ['w', 'grad', 'square_avg'], (t) =>
      rmspropStep(t.w, t.grad, t.square_avg, scalarValue(inputs.lr), scalarValue(inputs.alpha), scalarValue(inputs.eps), placement),
    );
}

/**
 * The gradient and state of an optimiser case: `grad_scale` sets |g| (1e-6 for the tiny-gradient cases), `w_scale`
 * the weights (small where a small step must show), `zero_state` starts the running averages at 0.
 */
function stepInputs(args: Record<string, unknown>, rng: Rng) {
  const shape = shapeArg(args, 'shape');
  const gradScale = numberArg(args, 'grad_scale', 1);
  return {
    shape,
    gradScale,
    w: randn64(rng, shape, numberArg(args, 'w_scale', 1)),
    grad: randn64(rng, shape, gradScale),
  };
}

export const rmsprop: QuestionReference = {
  // args: shape, lr, alpha, eps, grad_scale, w_scale, zero_state (square_avg = 0).
  generate(args, rng) {
    const { shape, gradScale, w, grad } = stepInputs(args, rng);
    const squareAvg = args.zero_state ? zerosLike(shape) : squares(rng, shape, gradScale);
    return { w, grad, square_avg: squareAvg, lr: scalar(numberArg(args, 'lr')), alpha: scalar(numberArg(args, 'alpha')), eps: scalar(numberArg(args, 'eps')) };
  },
  solve: rmspropQuestion('outside-sqrt'),
  mistakes: { 'eps-inside-sqrt': rmspropQuestion('inside-sqrt') },
};

/** What an Adam step gets wrong, if anything. */
export type AdamVariant = 'torch' | 'no-bias-correction' | 'eps-inside-sqrt';

/**
 * m' = β1·m + (1−β1)·g; v' = β2·v + (1−β2)·g²; w' = w − lr·(m'/(1−β1^t)) / (√(v'/(1−β2^t)) + eps).
 * no-bias-correction drops both divisions by 1 − β^t; eps-inside-sqrt divides by √(v'/(1−β2^t) + eps).
 */
export function adamStep(w: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, t: number, lr: number, beta1: number, beta2: number, eps: number, variant: AdamVariant = 'torch') {
  const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
  const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
  const corrected = variant !== 'no-bias-correction';
  const mHat = corrected ? tf.div(mNew, 1 - beta1 ** t) : mNew;
  const vHat = corrected ? tf.div(vNew, 1 - beta2 ** t) : vNew;
  const denominator = variant === 'eps-inside-sqrt' ? tf.sqrt(tf.add(vHat, eps)) : tf.add(tf.sqrt(vHat), eps);
  return { w: tf.sub(w, tf.div(tf.mul(mHat, lr), denominator)), m: mNew, v: vNew };
}

function adamQuestion(variant: AdamVariant) {
  return (inputs: Arrays) =>
    solveTf(inputs, ['w', 'grad', 'm', 'v'], (x) =>
      adamStep(
        x.w,
        x.grad,
        x.m,
        x.v,
        scalarValue(inputs.t),
        scalarValue(inputs.lr),
        scalarValue(inputs.beta1),
        scalarValue(inputs.beta2),
        scalarValue(inputs.eps),
        variant,
      ),
    );
}

export const adam: QuestionReference = {
  // args: shape, t (the step number, from 1), lr, beta1, beta2, eps, grad_scale, w_scale. At t = 1 the moments start
  // at 0, as torch.optim.Adam's do; later steps get moments of the gradient's size.
  generate(args, rng) {
    const { shape, gradScale, w, grad } = stepInputs(args, rng);
    const t = intArg(args, 't');
    const m = t === 1 ? zerosLike(shape) : randn64(rng, shape, 0.5 * gradScale);
    const v = t === 1 ? zerosLike(shape) : squares(rng, shape, gradScale);
    return {
      w,
      grad,
      m,
      v,
      t: int64([t], []),
      lr: scalar(numberArg(args, 'lr')),
      beta1: scalar(numberArg(args, 'beta1', 0.9)),
      beta2: scalar(numberArg(args, 'beta2', 0.999)),
      eps: scalar(numberArg(args, 'eps', 1e-8)),
    };
  },
  solve: adamQuestion('torch'),
  mistakes: { 'no-bias-correction': adamQuestion('no-bias-correction'), 'eps-inside-sqrt': adamQuestion('eps-inside-sqrt') },
};

// Reference for `backprop`: a 3-2-2 sigmoid network by hand — forward values, loss, 12 gradients, one SGD step.
import type { WrittenVariant } from './variant.js';

/** Parameter names in the order the answers list them. */
export const BACKPROP_PARAMS = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9', 'w10', 'b1', 'b2'] as const;
export type BackpropParam = (typeof BACKPROP_PARAMS)[number];
export type BackpropParams = Record<BackpropParam, number>;

/** The fixed part of the question (assignments.md §4): initial parameters, targets, learning rate. */
export const BACKPROP_SETTING = {
  params: { w1: 0.1, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, w6: 0.6, w7: 0.7, w8: 0.8, w9: 0.9, w10: 0.1, b1: 0.5, b2: 0.5 } as BackpropParams,
  targets: [0.1, 0.05] as const,
  learningRate: 0.01,
};

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export interface BackpropForward {
  h1: number;
  h2: number;
  o1: number;
  o2: number;
}

/**
 * h1 = σ(w1 x1 + w3 x2 + w5 x3 + b1), h2 = σ(w2 x1 + w4 x2 + w6 x3 + b1),
 * o1 = σ(w7 h1 + w9 h2 + b2), o2 = σ(w8 h1 + w10 h2 + b2).
 */
export function backpropForward(x: readonly number[], p: BackpropParams): BackpropForward {
  const h1 = sigmoid(p.w1 * x[0] + p.w3 * x[1] + p.w5 * x[2] + p.b1);
  const h2 = sigmoid(p.w2 * x[0] + p.w4 * x[1] + p.w6 * x[2] + p.b1);
  const o1 = sigmoid(p.w7 * h1 + p.w9 * h2 + p.b2);
  const o2 = sigmoid(p.w8 * h1 + p.w10 * h2 + p.b2);
  return { h1, h2, o1, o2 };
}

/** L = ½(o1 − t1)² + ½(o2 − t2)². */
export function backpropLoss(f: BackpropForward, t: readonly number[]): number {
  return 0.5 * (f.o1 - t[0]) ** 2 + 0.5 * (f.o2 - t[1]) ** 2;
}

/** Options that reproduce known mistakes; the defaults are the correct chain rule. */
export interface BackpropChainOptions {
  /** Multiply by σ'(z) = o(1 − o) at the outputs (forgetting it is the classic mistake). */
  outputSigmoidDerivative?: boolean;
  /** Sum the shared biases' gradients over both units they feed (counting one unit only is a mistake). */
  sharedBiasBothPaths?: boolean;
  /** With sharedBiasBothPaths false: the unit whose path alone is counted (1: h1 and o1, 2: h2 and o2). */
  sharedBiasPath?: 1 | 2;
}

/** dL/dp for all 12 parameters, by the chain rule. The biases b1 and b2 are shared, so their gradients add up. */
export function backpropGradients(x: readonly number[], p: BackpropParams, t: readonly number[], options: BackpropChainOptions = {}): BackpropParams {
  const { outputSigmoidDerivative = true, sharedBiasBothPaths = true, sharedBiasPath = 1 } = options;
  const f = backpropForward(x, p);
  const d1 = (f.o1 - t[0]) * (outputSigmoidDerivative ? f.o1 * (1 - f.o1) : 1);
  const d2 = (f.o2 - t[1]) * (outputSigmoidDerivative ? f.o2 * (1 - f.o2) : 1);
  const e1 = (d1 * p.w7 + d2 * p.w8) * f.h1 * (1 - f.h1);
  const e2 = (d1 * p.w9 + d2 * p.w10) * f.h2 * (1 - f.h2);
  return {
    w1: e1 * x[0],
    w2: e2 * x[0],
    w3: e1 * x[1],
    w4: e2 * x[1],
    w5: e1 * x[2],
    w6: e2 * x[2],
    w7: d1 * f.h1,
    w8: d2 * f.h1,
    w9: d1 * f.h2,
    w10: d2 * f.h2,
    b1: sharedBiasBothPaths ? e1 + e2 : sharedBiasPath === 1 ? e1 : e2,
    b2: sharedBiasBothPaths ? d1 + d2 : sharedBiasPath === 1 ? d1 : d2,
  };
}

/** One SGD step: p − lr · dL/dp for every parameter. */
export function sgdStep(p: BackpropParams, grads: BackpropParams, lr: number): BackpropParams {
  return Object.fromEntries(BACKPROP_PARAMS.map((k) => [k, p[k] - lr * grads[k]])) as BackpropParams;
}

/** The expected answers for one input vector. */
export interface BackpropKey {
  x: number[];
  forward: BackpropForward;
  loss: number;
  gradients: BackpropParams;
  updated: BackpropParams;
}

export function solveBackprop(variant: WrittenVariant, options: BackpropChainOptions = {}): BackpropKey {
  const { params, targets, learningRate } = BACKPROP_SETTING;
  const x = [...variant.backprop.x];
  const forward = backpropForward(x, params);
  const gradients = backpropGradients(x, params, targets, options);
  return { x, forward, loss: backpropLoss(forward, targets), gradients, updated: sgdStep(params, gradients, learningRate) };
}

/** Known wrong answers, by id: the gradients a student gets with that mistake. */
export const backpropMistakes: Record<string, { message: string; solve: (variant: WrittenVariant) => BackpropKey }> = {
  'no-output-sigmoid-derivative': {
    message: 'your gradients match a chain rule without the output sigmoid derivative: dL/dz_o = (o − t)·o(1 − o), not (o − t)',
    solve: (v) => solveBackprop(v, { outputSigmoidDerivative: false }),
  },
  'shared-bias-one-path': {
    message: 'b1 and b2 each feed two units, so their gradients are sums over both units',
    solve: (v) => solveBackprop(v, { sharedBiasBothPaths: false }),
  },
  'shared-bias-other-path': {
    message: 'b1 and b2 each feed two units, so their gradients are sums over both units',
    solve: (v) => solveBackprop(v, { sharedBiasBothPaths: false, sharedBiasPath: 2 }),
  },
};
